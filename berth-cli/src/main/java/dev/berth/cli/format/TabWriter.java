package dev.berth.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated lines like Go's text/tabwriter as the docker CLI configures it for
 * tables ({@code minwidth 10, tabwidth 1, padding 3, padchar ' '}): every cell terminated by a
 * tab is padded to {@code max(minwidth, widest cell + padding)}; the text after the last tab
 * of a line is not a column cell and is written as is.
 */
public final class TabWriter {
    private final int minWidth;
    private final int padding;
    private final List<String[]> lines = new ArrayList<>();

    public TabWriter(int minWidth, int padding) {
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** The docker table layout. */
    public static TabWriter docker() { return new TabWriter(10, 3); }

    /** Adds text that may hold several lines; each line's cells are separated by tabs. */
    public TabWriter add(String text) {
        for (String line : text.split("\n", -1)) lines.add(line.split("\t", -1));
        if (text.endsWith("\n")) lines.removeLast();
        return this;
    }

    public TabWriter row(String... cells) {
        lines.add(cells);
        return this;
    }

    /** Renders all lines, each ended by a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        // Go aligns a column over each run of consecutive lines that have a cell in it; tables
        // have uniform lines, so aligning per column over runs of lines with >= k cells suffices.
        int[] widths = new int[0];
        for (String[] l : lines) {
            if (l.length - 1 > widths.length) widths = java.util.Arrays.copyOf(widths, l.length - 1);
        }
        for (int c = 0; c < widths.length; c++) {
            int w = minWidth;
            for (String[] l : lines) {
                if (c < l.length - 1) w = Math.max(w, width(l[c]) + padding);
            }
            widths[c] = w;
        }
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                sb.append(l[c]);
                if (c < l.length - 1) sb.append(" ".repeat(widths[c] - width(l[c])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Display width in runes, as Go's tabwriter counts. */
    static int width(String s) { return s.codePointCount(0, s.length()); }
}
