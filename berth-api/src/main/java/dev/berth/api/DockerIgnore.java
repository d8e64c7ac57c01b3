package dev.berth.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * PLACEHOLDER for the {@code .dockerignore} matcher (the parser branch replaces this file with
 * the real one, same API). Understands only what the CLI's tests use: one pattern a line,
 * {@code #} comments, {@code *} and {@code ?} within one path element, a leading {@code !} to
 * re-include, and a pattern naming a directory excluding everything below it. Later lines win.
 */
public final class DockerIgnore {
    private record Rule(String text, boolean exclusion, Pattern regex) {}

    private final List<String> patterns;
    private final List<Rule> rules;

    private DockerIgnore(List<String> patterns, List<Rule> rules) {
        this.patterns = List.copyOf(patterns);
        this.rules = rules;
    }

    /** Parses the text of a {@code .dockerignore}; IllegalArgumentException on a bad pattern. */
    public static DockerIgnore parse(String text) {
        List<String> patterns = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String p = line.strip();
            if (p.isEmpty() || p.startsWith("#")) continue;
            boolean exclusion = p.startsWith("!");
            if (exclusion) p = p.substring(1).strip();
            while (p.startsWith("/")) p = p.substring(1);
            while (p.endsWith("/") && p.length() > 1) p = p.substring(0, p.length() - 1);
            if (p.startsWith("./")) p = p.substring(2);
            if (p.isEmpty()) continue;
            if (p.contains("[")) throw new IllegalArgumentException("syntax error in pattern");
            patterns.add((exclusion ? "!" : "") + p);
            rules.add(new Rule(p, exclusion, Pattern.compile(toRegex(p))));
        }
        return new DockerIgnore(patterns, rules);
    }

    public static DockerIgnore none() { return new DockerIgnore(List.of(), List.of()); }

    public List<String> patterns() { return patterns; }

    /** Whether {@code relPath} (slash-separated, relative, no leading "./") is excluded. */
    public boolean excluded(String relPath) {
        boolean excluded = false;
        for (Rule r : rules) {
            if (matchesOrParent(r, relPath)) excluded = !r.exclusion();
        }
        return excluded;
    }

    /** Whether an excluded directory must still be walked because a {@code !} pattern may re-include something below it. */
    public boolean mayReinclude(String dirRelPath) {
        for (Rule r : rules) {
            if (r.exclusion() && (r.text() + "/").startsWith(dirRelPath + "/")) return true;
        }
        return false;
    }

    private static boolean matchesOrParent(Rule r, String path) {
        if (r.regex().matcher(path).matches()) return true;
        int slash = path.lastIndexOf('/');
        while (slash > 0) {
            path = path.substring(0, slash);
            if (r.regex().matcher(path).matches()) return true;
            slash = path.lastIndexOf('/');
        }
        return false;
    }

    private static String toRegex(String p) {
        StringBuilder sb = new StringBuilder();
        for (char c : p.toCharArray()) {
            switch (c) {
                case '*' -> sb.append("[^/]*");
                case '?' -> sb.append("[^/]");
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }
}
