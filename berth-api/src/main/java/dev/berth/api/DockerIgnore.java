package dev.berth.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed {@code .dockerignore}, matching paths the way Docker does (docker-cli's build context
 * code over moby/patternmatcher): shared by the CLI, which filters the context it sends, and by
 * berthd, which re-applies the file to the context it receives.
 *
 * <p>File rules: a line starting with {@code #} is a comment; lines are trimmed; empty lines are
 * skipped; a leading {@code !} makes an exception (re-include) pattern; patterns are cleaned like
 * Go's {@code filepath.Clean} and a leading {@code /} is dropped. Pattern rules: {@code *} and
 * {@code ?} never cross a {@code /}, {@code [...]} is a character class ({@code [^...]} negated),
 * {@code \} escapes the next character, {@code **} matches any number of directories (also none).
 * A path is excluded when it or one of its parent directories matches; the last matching pattern
 * wins, so a later {@code !} pattern re-includes.
 *
 * <p>One deliberate difference: moby pastes literal characters into a Go regexp with only a few of
 * them escaped (so a {@code ^} or an escaped letter such as {@code \d} means something to the regexp
 * engine); here every literal character is literal.
 */
public final class DockerIgnore {
    private static final DockerIgnore NONE = new DockerIgnore(List.of(), List.of());

    private final List<String> patterns;
    private final List<Rule> rules;

    private DockerIgnore(List<String> patterns, List<Rule> rules) {
        this.patterns = List.copyOf(patterns);
        this.rules = List.copyOf(rules);
    }

    /** Parses the text of a .dockerignore file; a malformed pattern is an IllegalArgumentException. */
    public static DockerIgnore parse(String text) {
        List<String> patterns = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        if (text == null) return NONE;
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.startsWith("#")) continue;
            String p = line.strip();
            if (p.isEmpty()) continue;
            boolean invert = p.charAt(0) == '!';
            if (invert) p = p.substring(1).strip();
            if (!p.isEmpty()) {
                p = clean(p);
                if (p.length() > 1 && p.charAt(0) == '/') p = p.substring(1);
            }
            String pattern = invert ? "!" + p : p;
            patterns.add(pattern);
            rules.add(Rule.compile(pattern, lineNo));
        }
        return new DockerIgnore(patterns, rules);
    }

    public static DockerIgnore none() { return NONE; }

    /** The patterns as Docker keeps them: cleaned, exceptions prefixed with {@code !}. */
    public List<String> patterns() { return patterns; }

    /**
     * Whether a path of the context is left out.
     *
     * @param relPath slash-separated, relative to the context root, no leading "./" or "/"
     */
    public boolean excluded(String relPath) {
        if (rules.isEmpty()) return false;
        String file = clean(relPath);
        if (file.startsWith("/")) file = file.substring(1);
        if (file.isEmpty() || file.equals(".")) return false; // Docker never excludes the root
        int slash = file.lastIndexOf('/');
        String[] parents = slash < 0 ? new String[0] : file.substring(0, slash).split("/");
        boolean matched = false;
        for (Rule rule : rules) {
            // An inclusion cannot change an already excluded path, nor an exception a kept one.
            if (rule.exclusion != matched) continue;
            boolean match = rule.matches(file);
            if (!match) {
                StringBuilder parent = new StringBuilder();
                for (String dir : parents) {
                    if (!parent.isEmpty()) parent.append('/');
                    parent.append(dir);
                    if (rule.matches(parent.toString())) {
                        match = true;
                        break;
                    }
                }
            }
            if (match) matched = !rule.exclusion;
        }
        return matched;
    }

    /**
     * Whether a directory may contain a path that an exception pattern re-includes, so a walker must
     * descend into it even though the directory itself is excluded. Conservative: true whenever an
     * exception pattern could match the directory itself or something under it.
     */
    public boolean mayReinclude(String dirRelPath) {
        String dir = clean(dirRelPath);
        if (dir.startsWith("/")) dir = dir.substring(1);
        String[] dirSegs = dir.isEmpty() || dir.equals(".") ? new String[0] : dir.split("/");
        for (Rule rule : rules) {
            if (rule.exclusion && rule.couldMatchUnder(dirSegs)) return true;
        }
        return false;
    }

    /**
     * These patterns plus an exception for each of {@code relPaths} they exclude: docker-cli's
     * {@code TrimBuildFilesFromExcludes}, which always sends {@code .dockerignore} and the
     * Dockerfile (the daemon reads them, then drops them from the context if they are excluded).
     */
    public DockerIgnore keeping(String... relPaths) {
        List<String> ps = new ArrayList<>(patterns);
        List<Rule> rs = new ArrayList<>(rules);
        for (String p : relPaths) {
            if (!excluded(p)) continue;
            String pattern = "!" + clean(p);
            ps.add(pattern);
            rs.add(Rule.compile(pattern, ps.size()));
        }
        return new DockerIgnore(ps, rs);
    }

    /** Whether any pattern is an exception ({@code !pattern}). */
    public boolean hasExceptions() {
        for (Rule r : rules) if (r.exclusion) return true;
        return false;
    }

    @Override
    public String toString() { return "DockerIgnore" + patterns; }

    /** Go's {@code filepath.Clean} for slash-separated paths. */
    static String clean(String path) {
        if (path.isEmpty()) return ".";
        boolean rooted = path.charAt(0) == '/';
        List<String> out = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!rooted) out.add("..");
                continue;
            }
            out.add(seg);
        }
        String joined = String.join("/", out);
        if (rooted) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }

    private enum MatchType { EXACT, PREFIX, SUFFIX, REGEXP }

    /** One cleaned pattern, compiled the way moby's patternmatcher classifies it. */
    private record Rule(boolean exclusion, String cleaned, MatchType type, Pattern regexp) {
        static Rule compile(String pattern, int lineNo) {
            String p = clean(pattern);
            boolean exclusion = false;
            if (p.charAt(0) == '!') {
                if (p.length() == 1) throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
                exclusion = true;
                p = p.substring(1);
            }
            try {
                validate(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "invalid .dockerignore pattern on line " + lineNo + " \"" + pattern + "\": " + e.getMessage());
            }
            StringBuilder re = new StringBuilder("^");
            MatchType type = translate(p, re);
            return new Rule(exclusion, p, type, type == MatchType.REGEXP ? Pattern.compile(re.append('$').toString()) : null);
        }

        boolean matches(String path) {
            return switch (type) {
                case EXACT -> path.equals(cleaned);
                case PREFIX -> path.startsWith(cleaned.substring(0, cleaned.length() - 2));
                case SUFFIX -> {
                    String suffix = cleaned.substring(2);
                    yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
                }
                case REGEXP -> regexp.matcher(path).matches();
            };
        }

        /** Whether this pattern could match the directory {@code dirSegs} or a path below it. */
        boolean couldMatchUnder(String[] dirSegs) {
            String[] segs = cleaned.split("/");
            for (int i = 0; i < Math.min(segs.length, dirSegs.length); i++) {
                if (segs[i].contains("**")) return true;
                StringBuilder re = new StringBuilder("^");
                MatchType t = translate(segs[i], re);
                boolean ok = t == MatchType.REGEXP
                        ? Pattern.compile(re.append('$').toString()).matcher(dirSegs[i]).matches()
                        : segs[i].equals(dirSegs[i]);
                if (!ok) return false;
            }
            return true;
        }
    }

    /**
     * Appends the regexp for a cleaned pattern to {@code re} and classifies it like moby: a pattern
     * without wildcards is an exact match, {@code lit**} a prefix match, {@code **lit} a suffix
     * match, anything else a regexp.
     */
    private static MatchType translate(String p, StringBuilder re) {
        MatchType type = MatchType.EXACT;
        int i = 0;
        int n = p.length();
        boolean first = true;
        while (i < n) {
            char ch = p.charAt(i++);
            if (ch == '*') {
                if (i < n && p.charAt(i) == '*') {
                    i++;
                    if (i < n && p.charAt(i) == '/') i++; // "**/" is "**"
                    if (i == n) {
                        if (type == MatchType.EXACT) {
                            type = MatchType.PREFIX;
                        } else {
                            re.append(".*");
                            type = MatchType.REGEXP;
                        }
                    } else {
                        re.append("(.*/)?");
                        type = MatchType.REGEXP;
                    }
                    if (first) type = MatchType.SUFFIX;
                } else {
                    re.append("[^/]*");
                    type = MatchType.REGEXP;
                }
            } else if (ch == '?') {
                re.append("[^/]");
                type = MatchType.REGEXP;
            } else if (ch == '\\') {
                if (i < n) {
                    re.append(Pattern.quote(String.valueOf(p.charAt(i++))));
                    type = MatchType.REGEXP;
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[') {
                i = translateClass(p, i, re);
                type = MatchType.REGEXP;
            } else {
                re.append(Pattern.quote(String.valueOf(ch)));
            }
            first = false;
        }
        // A suffix or prefix match whose rest turned out to need a regexp is a regexp.
        if (type == MatchType.SUFFIX && needsRegexp(p.substring(2))) type = MatchType.REGEXP;
        return type;
    }

    private static boolean needsRegexp(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') return true;
        }
        return false;
    }

    /** Translates the class starting after '[' at {@code i}; returns the index after ']'. */
    private static int translateClass(String p, int i, StringBuilder re) {
        re.append('[');
        if (i < p.length() && p.charAt(i) == '^') {
            re.append('^');
            i++;
        }
        int ranges = 0;
        while (true) {
            if (i < p.length() && p.charAt(i) == ']' && ranges > 0) {
                re.append(']');
                i++;
                break;
            }
            int[] lo = classChar(p, i);
            i = lo[1];
            re.append(escapeClassChar(lo[0]));
            if (i < p.length() && p.charAt(i) == '-') {
                int[] hi = classChar(p, i + 1);
                i = hi[1];
                re.append('-').append(escapeClassChar(hi[0]));
            }
            ranges++;
        }
        return i; // validate() has already rejected malformed classes
    }

    private static int[] classChar(String p, int i) {
        char c = p.charAt(i);
        if (c == '\\') return new int[] {p.charAt(i + 1), i + 2};
        return new int[] {c, i + 1};
    }

    private static String escapeClassChar(int c) {
        return Character.isLetterOrDigit(c) ? String.valueOf((char) c) : "\\" + (char) c;
    }

    /** The syntax Go's {@code filepath.Match} accepts; its error is "syntax error in pattern". */
    private static void validate(String p) {
        int i = 0;
        int n = p.length();
        while (i < n) {
            char c = p.charAt(i++);
            if (c == '\\') {
                if (i >= n) throw new IllegalArgumentException("syntax error in pattern");
                i++;
            } else if (c == '[') {
                if (i < n && p.charAt(i) == '^') i++;
                int ranges = 0;
                while (true) {
                    if (i < n && p.charAt(i) == ']' && ranges > 0) {
                        i++;
                        break;
                    }
                    int lo = validClassChar(p, i);
                    char loChar = p.charAt(lo - 1);
                    i = lo;
                    if (i < n && p.charAt(i) == '-') {
                        int hi = validClassChar(p, i + 1);
                        if (p.charAt(hi - 1) < loChar) throw new IllegalArgumentException("syntax error in pattern");
                        i = hi;
                    }
                    ranges++;
                }
            }
        }
    }

    private static int validClassChar(String p, int i) {
        if (i >= p.length()) throw new IllegalArgumentException("syntax error in pattern");
        char c = p.charAt(i);
        if (c == '-' || c == ']') throw new IllegalArgumentException("syntax error in pattern");
        if (c == '\\') {
            if (i + 1 >= p.length()) throw new IllegalArgumentException("syntax error in pattern");
            return i + 2;
        }
        return i + 1;
    }
}
