package dev.berth.daemon.build.dockerfile;

import dev.berth.daemon.errors.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's Dockerfile word lexer (BuildKit {@code frontend/dockerfile/shell}): variable
 * substitution and quote removal for the instructions whose arguments the builder expands itself.
 *
 * <p>Supported: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}}, {@code ${VAR-word}},
 * {@code ${VAR:+word}}, {@code ${VAR+word}}, {@code ${VAR:?msg}}, {@code ${VAR?msg}},
 * {@code ${VAR#pat}}, {@code ${VAR##pat}}, {@code ${VAR%pat}}, {@code ${VAR%%pat}},
 * {@code ${VAR/pat/repl}}, {@code ${VAR//pat/repl}}; single quotes are literal, double quotes
 * expand variables, the escape character (default {@code \}) escapes the next character. Unset
 * variables expand to nothing; positional and special parameters ({@code $1}, {@code $@}, ...) are
 * never set. {@link #processWords} splits on whitespace outside quotes (also whitespace that a
 * variable's value brings in), {@link #processWord} keeps one word.
 *
 * <p>Errors are {@link BerthException.InvalidArgument} with Docker's wording:
 * {@code failed to process "he${X:?}": X: is not allowed to be unset}.
 *
 * <p>Not thread-safe; cheap to create.
 */
public final class ShellLex {
    private final int escapeToken;
    private boolean rawQuotes;
    private boolean rawEscapes;
    private boolean skipProcessQuotes;
    private boolean skipUnsetEnv;

    // Per-call state.
    private int[] cps;
    private int pos;
    private Map<String, String> env;
    private boolean curRawEscapes;

    public ShellLex(char escapeToken) { this.escapeToken = escapeToken; }

    /** Keeps quotes in the result (used to tell quoted heredoc delimiters apart). */
    public ShellLex rawQuotes(boolean v) { rawQuotes = v; return this; }
    /** Keeps escape characters in the result. */
    public ShellLex rawEscapes(boolean v) { rawEscapes = v; return this; }
    /** Treats quotes as ordinary characters (heredoc bodies). */
    public ShellLex skipProcessQuotes(boolean v) { skipProcessQuotes = v; return this; }
    /** Leaves references to unset variables as written instead of expanding them to nothing. */
    public ShellLex skipUnsetEnv(boolean v) { skipUnsetEnv = v; return this; }

    /** One word, variables substituted and quotes removed, with the default escape character. */
    public static String expandWord(String word, Map<String, String> env) {
        return new ShellLex('\\').processWord(word, env);
    }

    /** Several words split on unquoted whitespace, with the default escape character. */
    public static List<String> expandWords(String text, Map<String, String> env) {
        return new ShellLex('\\').processWords(text, env);
    }

    public String processWord(String word, Map<String, String> env) {
        return process(word, env).result;
    }

    public List<String> processWords(String word, Map<String, String> env) {
        return process(word, env).words;
    }

    private record Result(String result, List<String> words) {}

    private Result process(String source, Map<String, String> env) {
        this.cps = source.codePoints().toArray();
        this.pos = 0;
        this.env = env == null ? Map.of() : env;
        this.curRawEscapes = rawEscapes;
        try {
            return processStopOn(-1, rawEscapes);
        } catch (LexError e) {
            throw BerthException.invalid("failed to process \"" + source + "\": " + e.getMessage());
        }
    }

    /** An expansion failure inside one call; turned into Docker's "failed to process" message. */
    private static final class LexError extends Exception {
        LexError(String m) { super(m, null, false, false); }
    }

    private static final int EOF = -1;

    private int peek() { return pos < cps.length ? cps[pos] : EOF; }

    private int next() { return pos < cps.length ? cps[pos++] : EOF; }

    /** Words being built, split on whitespace that is not quoted or escaped. */
    private static final class Words {
        final StringBuilder buf = new StringBuilder();
        final List<String> words = new ArrayList<>();
        boolean inWord;

        void addChar(int ch) {
            if (Character.isWhitespace(ch) && inWord) {
                if (!buf.isEmpty()) {
                    words.add(buf.toString());
                    buf.setLength(0);
                    inWord = false;
                }
            } else if (!Character.isWhitespace(ch)) {
                addRawChar(ch);
            }
        }

        void addRawChar(int ch) {
            buf.appendCodePoint(ch);
            inWord = true;
        }

        void addString(String s) { s.codePoints().forEach(this::addChar); }

        void addRawString(String s) {
            buf.append(s);
            inWord = true;
        }

        List<String> get() {
            if (!buf.isEmpty()) {
                words.add(buf.toString());
                buf.setLength(0);
                inWord = false;
            }
            return words;
        }
    }

    private Result processStopOn(int stopChar, boolean raw) throws LexError {
        boolean saved = curRawEscapes;
        curRawEscapes = raw;
        try {
            StringBuilder result = new StringBuilder();
            Words words = new Words();
            while (peek() != EOF) {
                int ch = peek();
                if (stopChar != EOF && ch == stopChar) {
                    next();
                    return new Result(result.toString(), words.get());
                }
                String piece = null;
                if (ch == '$') piece = processDollar();
                else if (ch == '<') piece = processPossibleHeredoc();
                else if (!skipProcessQuotes && ch == '\'') piece = processSingleQuote();
                else if (!skipProcessQuotes && ch == '"') piece = processDoubleQuote();
                if (piece != null) {
                    result.append(piece);
                    if (ch == '$') words.addString(piece);
                    else words.addRawString(piece);
                    continue;
                }
                ch = next();
                if (ch == escapeToken) {
                    if (curRawEscapes) {
                        words.addRawChar(ch);
                        result.appendCodePoint(ch);
                    }
                    ch = next();
                    if (ch == EOF) break;
                    words.addRawChar(ch);
                } else {
                    words.addChar(ch);
                }
                result.appendCodePoint(ch);
            }
            if (stopChar != EOF) {
                throw new LexError("unexpected end of statement while looking for matching " + Character.toString(stopChar));
            }
            return new Result(result.toString(), words.get());
        } finally {
            curRawEscapes = saved;
        }
    }

    private String processSingleQuote() throws LexError {
        StringBuilder result = new StringBuilder();
        int ch = next(); // the opening quote
        if (rawQuotes) result.appendCodePoint(ch);
        while (true) {
            ch = next();
            if (ch == EOF) throw new LexError("unexpected end of statement while looking for matching single-quote");
            if (ch == '\'') {
                if (rawQuotes) result.appendCodePoint(ch);
                return result.toString();
            }
            result.appendCodePoint(ch);
        }
    }

    private String processDoubleQuote() throws LexError {
        StringBuilder result = new StringBuilder();
        int ch = next();
        if (rawQuotes) result.appendCodePoint(ch);
        while (true) {
            int p = peek();
            if (p == EOF) throw new LexError("unexpected end of statement while looking for matching double-quote");
            if (p == '"') {
                ch = next();
                if (rawQuotes) result.appendCodePoint(ch);
                return result.toString();
            }
            if (p == '$') {
                result.append(processDollar());
                continue;
            }
            ch = next();
            if (ch == escapeToken) {
                if (curRawEscapes) result.appendCodePoint(ch);
                int after = peek();
                if (after == EOF) continue; // reported as unterminated on the next round
                if (after == '"' || after == '$' || after == escapeToken) ch = next();
            }
            result.appendCodePoint(ch);
        }
    }

    private String processDollar() throws LexError {
        next(); // '$'
        if (peek() != '{') {
            String name = processName();
            if (name.isEmpty()) return "$";
            String value = env.get(name);
            if (value == null && skipUnsetEnv) return "$" + name;
            return value == null ? "" : value;
        }
        next(); // '{'
        int p = peek();
        if (p == EOF) throw new LexError("syntax error: missing '}'");
        if (p == '{' || p == '}' || p == ':') throw new LexError("syntax error: bad substitution");
        String name = processName();
        int ch = next();
        // (BuildKit reports "unsupported modifier (\uFFFD)" here; the missing brace is the real problem.)
        if (ch == EOF) throw new LexError("syntax error: missing '}'");
        String chs = Character.toString(ch);
        boolean nullIsUnset = false;
        switch (ch) {
            case '}' -> {
                String value = env.get(name);
                if (value == null && skipUnsetEnv) return "${" + name + "}";
                return value == null ? "" : value;
            }
            case '/' -> {
                return processReplace(name);
            }
            case ':', '+', '-', '?', '#', '%' -> {
                if (ch == ':') {
                    nullIsUnset = true;
                    ch = next();
                    chs += ch == EOF ? "" : Character.toString(ch);
                }
                boolean patternOp = ch == '#' || ch == '%';
                if (nullIsUnset && patternOp) throw new LexError("unsupported modifier (" + chs + ") in substitution");
                String word;
                try {
                    word = processStopOn('}', patternOp).result;
                } catch (LexError e) {
                    if (peek() == EOF) throw new LexError("syntax error: missing '}'");
                    throw e;
                }
                String value = env.get(name);
                boolean set = value != null;
                if (skipUnsetEnv && !set) return "${" + name + chs + word + "}";
                if (value == null) value = "";
                switch (ch) {
                    case '-':
                        return !set || (nullIsUnset && value.isEmpty()) ? word : value;
                    case '+':
                        return !set || (nullIsUnset && value.isEmpty()) ? "" : word;
                    case '?':
                        if (!set) throw new LexError(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                        if (nullIsUnset && value.isEmpty()) {
                            throw new LexError(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
                        }
                        return value;
                    case '#', '%': {
                        boolean greedy = false;
                        if (!word.isEmpty() && word.charAt(0) == ch) {
                            greedy = true;
                            word = word.substring(1);
                        }
                        return ch == '%' ? trimSuffix(word, value, greedy) : trimPrefix(word, value, greedy);
                    }
                    default:
                        throw new LexError("unsupported modifier (" + chs + ") in substitution");
                }
            }
            default -> throw new LexError("unsupported modifier (" + chs + ") in substitution");
        }
    }

    private String processReplace(String name) throws LexError {
        boolean all = peek() == '/';
        if (all) next();
        String pattern;
        try {
            pattern = processStopOn('/', true).result;
        } catch (LexError e) {
            if (peek() == EOF) throw new LexError("syntax error: missing '/' in ${}");
            throw e;
        }
        String replacement;
        try {
            replacement = processStopOn('}', true).result;
        } catch (LexError e) {
            if (peek() == EOF) throw new LexError("syntax error: missing '}'");
            throw e;
        }
        String value = env.get(name);
        if (value == null && skipUnsetEnv) return "${" + name + "/" + pattern + "/" + replacement + "}";
        if (value == null) value = "";
        Pattern re = shellPatternToRegex(pattern, true, false);
        Matcher m = re.matcher(value);
        if (all) return m.replaceAll(Matcher.quoteReplacement(replacement));
        if (m.find()) return value.substring(0, m.start()) + replacement + value.substring(m.end());
        return value;
    }

    private String processName() {
        StringBuilder name = new StringBuilder();
        while (peek() != EOF) {
            int ch = peek();
            if (name.isEmpty() && Character.isDigit(ch)) {
                while (peek() != EOF && Character.isDigit(peek())) name.appendCodePoint(next());
                return name.toString();
            }
            if (name.isEmpty() && isSpecialParam(ch)) return Character.toString(next());
            if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') break;
            name.appendCodePoint(next());
        }
        return name.toString();
    }

    /** {@code <<} and the blanks after it stay together so a heredoc word survives word splitting. */
    private String processPossibleHeredoc() {
        next();
        if (peek() != '<') return "<";
        next();
        StringBuilder space = new StringBuilder();
        while (peek() == '\t' || peek() == '\r' || peek() == ' ') space.appendCodePoint(next());
        return "<<" + space;
    }

    private static boolean isSpecialParam(int ch) {
        return switch (ch) {
            case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
            default -> false;
        };
    }

    private static Pattern shellPatternToRegex(String pattern, boolean greedy, boolean anchored) throws LexError {
        StringBuilder out = new StringBuilder();
        if (anchored) out.append('^');
        String star = greedy ? ".*" : ".*?";
        int[] p = pattern.codePoints().toArray();
        for (int i = 0; i < p.length; i++) {
            int tok = p[i];
            switch (tok) {
                case '*' -> out.append(star);
                case '?' -> out.append('.');
                case '\\' -> {
                    if (i + 1 < p.length && (p[i + 1] == '}' || p[i + 1] == '/')) continue;
                    int esc = i + 1 < p.length ? p[++i] : EOF;
                    if (esc != '*' && esc != '?' && esc != '\\') {
                        throw new LexError("invalid pattern (" + pattern + ") in substitution: invalid escape '\\"
                                + (esc == EOF ? "" : Character.toString(esc)) + "'");
                    }
                    out.append('\\').appendCodePoint(esc);
                }
                default -> out.append(Pattern.quote(Character.toString(tok)));
            }
        }
        return Pattern.compile(out.toString());
    }

    private static String trimPrefix(String pattern, String value, boolean greedy) throws LexError {
        Matcher m = shellPatternToRegex(pattern, greedy, true).matcher(value);
        return m.find() ? value.substring(m.end()) : value;
    }

    /** Suffix trimming is prefix trimming of the reversed value with the reversed pattern. */
    private static String trimSuffix(String pattern, String value, boolean greedy) throws LexError {
        int[] p = pattern.codePoints().toArray();
        int[] out = new int[p.length];
        int last = p.length - 1;
        for (int i = 0; i <= last; ) {
            if (p[i] == '\\' && i != last) {
                out[last - i - 1] = p[i];
                out[last - i] = p[i + 1];
                i += 2;
            } else {
                out[last - i] = p[i];
                i++;
            }
        }
        String reversedPattern = new String(out, 0, out.length);
        String reversedValue = new StringBuilder(value).reverse().toString();
        return new StringBuilder(trimPrefix(reversedPattern, reversedValue, greedy)).reverse().toString();
    }
}
