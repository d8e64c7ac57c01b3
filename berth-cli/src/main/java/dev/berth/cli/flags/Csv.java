package dev.berth.cli.flags;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of comma-separated fields as Go's {@code encoding/csv} reads it, which is how pflag
 * splits {@code strings} flags ({@code --subnet a,b}) and docker splits {@code --network
 * name=n,alias=a}: a field may be quoted ({@code "a,b"}, {@code ""} for a quote inside).
 */
public final class Csv {
    private Csv() {}

    /** The fields of {@code line}; an empty line has none. Throws IllegalArgumentException on bad quoting. */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        if (line.isEmpty()) return out;
        int i = 0, n = line.length();
        while (true) {
            StringBuilder f = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) throw new IllegalArgumentException("parse error on line 1, column " + (n + 1) + ": extraneous or missing \" in quoted-field");
                    char c = line.charAt(i++);
                    if (c != '"') {
                        f.append(c);
                    } else if (i < n && line.charAt(i) == '"') {
                        f.append('"');
                        i++;
                    } else if (i < n && line.charAt(i) != ',') {
                        throw new IllegalArgumentException("parse error on line 1, column " + (i + 1) + ": extraneous or missing \" in quoted-field");
                    } else {
                        break;
                    }
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    char c = line.charAt(i++);
                    if (c == '"') throw new IllegalArgumentException("parse error on line 1, column " + i + ": bare \" in non-quoted-field");
                    f.append(c);
                }
            }
            out.add(f.toString());
            if (i >= n) break;
            i++; // the comma
            if (i == n) {
                out.add("");
                break;
            }
        }
        return out;
    }

    /** Every value of a repeatable {@code strings} flag, each split into its fields. */
    public static List<String> all(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) out.addAll(fields(v));
        return out;
    }
}
