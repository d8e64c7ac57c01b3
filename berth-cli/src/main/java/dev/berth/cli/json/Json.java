package dev.berth.cli.json;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader/writer for the CLI (kept in-house so that start-up loads a handful of
 * classes instead of a data-binding framework). Values map to {@link LinkedHashMap} (objects,
 * member order kept), {@link ArrayList}, {@link String}, {@link Long} / {@link BigDecimal}
 * (numbers), {@link Boolean} and {@code null}.
 */
public final class Json {
    private Json() {}

    /** Parses one JSON document; trailing non-whitespace is an error. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWs();
        Object v = p.value();
        p.skipWs();
        if (p.pos != text.length()) throw p.error("trailing data");
        return v;
    }

    /**
     * Reads the raw text of the next top-level JSON value from a stream of concatenated or
     * newline-separated values (Docker's progress/event streams), or null at end of stream.
     */
    public static String nextValue(Reader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        boolean inString = false, escape = false, started = false;
        int c;
        while ((c = in.read()) != -1) {
            char ch = (char) c;
            if (!started) {
                if (Character.isWhitespace(ch)) continue;
                started = true;
            }
            sb.append(ch);
            if (inString) {
                if (escape) escape = false;
                else if (ch == '\\') escape = true;
                else if (ch == '"') {
                    inString = false;
                    if (depth == 0) return sb.toString();
                }
                continue;
            }
            switch (ch) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> {
                    if (--depth == 0) return sb.toString();
                }
                default -> {
                    if (depth == 0 && Character.isWhitespace(ch)) return sb.toString().trim();
                }
            }
        }
        String rest = sb.toString().trim();
        return rest.isEmpty() ? null : rest;
    }

    // ---- accessors: tolerant navigation over parsed values ----

    /** Follows object keys; returns null when any step is missing or not an object. */
    public static Object get(Object node, String... path) {
        Object cur = node;
        for (String k : path) {
            if (!(cur instanceof Map<?, ?> m)) return null;
            cur = m.get(k);
        }
        return cur;
    }

    public static String str(Object node, String... path) {
        Object v = get(node, path);
        return v == null ? "" : v instanceof String s ? s : toJson(v);
    }

    public static long num(Object node, String... path) {
        Object v = get(node, path);
        return v instanceof Number n ? n.longValue() : 0L;
    }

    public static boolean bool(Object node, String... path) {
        return Boolean.TRUE.equals(get(node, path));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Object node, String... path) {
        Object v = get(node, path);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object node, String... path) {
        Object v = get(node, path);
        return v instanceof List<?> l ? (List<Object>) l : List.of();
    }

    // ---- writing ----

    /** Compact JSON, escaping like Go's encoding/json (including &lt;, &gt;, &amp; as \\u00XX). */
    public static String toJson(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    public static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                write(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            quote(sb, v.toString());
        }
    }

    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        sb.append("\\u");
                        for (int k = 12; k >= 0; k -= 4) sb.append(Character.forDigit((c >> k) & 0xf, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Re-indents raw JSON text exactly like Go's {@code json.Indent(dst, src, prefix="", indent)}:
     * token text (string escapes, number spelling) is kept, empty objects/arrays stay {@code {}}/{@code []}.
     */
    public static String indent(String raw, String indent) {
        StringBuilder out = new StringBuilder(raw.length() * 2);
        int depth = 0;
        boolean needIndent = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
            if (needIndent && c != ']' && c != '}') {
                needIndent = false;
                newline(out, indent, depth);
            }
            switch (c) {
                case '"' -> {
                    int j = stringEnd(raw, i);
                    out.append(raw, i, Math.min(j + 1, raw.length()));
                    i = j;
                }
                case '{', '[' -> {
                    out.append(c);
                    depth++;
                    needIndent = true;
                }
                case ',' -> {
                    out.append(c);
                    newline(out, indent, depth);
                }
                case ':' -> out.append(": ");
                case '}', ']' -> {
                    depth--;
                    if (needIndent) needIndent = false; // empty: "{}" / "[]"
                    else newline(out, indent, depth);
                    out.append(c);
                }
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The index of the quote closing the JSON string that opens at {@code start} (or past the end). */
    private static int stringEnd(String raw, int start) {
        int j = start + 1;
        while (j < raw.length()) {
            char d = raw.charAt(j);
            if (d == '\\') j += 2;
            else if (d == '"') break;
            else j++;
        }
        return j;
    }

    /** Raw JSON text without insignificant whitespace (Go's {@code json.Compact}); token text is kept. */
    public static String compact(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                int j = stringEnd(raw, i);
                out.append(raw, i, Math.min(j + 1, raw.length()));
                i = j;
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void newline(StringBuilder out, String indent, int depth) {
        out.append('\n');
        for (int k = 0; k < depth; k++) out.append(indent);
    }

    // ---- parser ----

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON: " + what + " at offset " + pos);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        Object value() {
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': literal("true"); return Boolean.TRUE;
                case 'f': literal("false"); return Boolean.FALSE;
                case 'n': literal("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected character '" + c + "'");
            }
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) throw error("expected " + word);
            pos += word.length();
        }

        Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipWs();
            if (peek() == '}') { pos++; return m; }
            while (true) {
                skipWs();
                if (peek() != '"') throw error("expected key");
                String k = string();
                skipWs();
                if (peek() != ':') throw error("expected ':'");
                pos++;
                skipWs();
                m.put(k, value());
                skipWs();
                char c = peek();
                pos++;
                if (c == '}') return m;
                if (c != ',') throw error("expected ',' or '}'");
            }
        }

        List<Object> array() {
            List<Object> l = new ArrayList<>();
            pos++;
            skipWs();
            if (peek() == ']') { pos++; return l; }
            while (true) {
                skipWs();
                l.add(value());
                skipWs();
                char c = peek();
                pos++;
                if (c == ']') return l;
                if (c != ',') throw error("expected ',' or ']'");
            }
        }

        char peek() {
            if (pos >= s.length()) throw error("unexpected end");
            return s.charAt(pos);
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    String r = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                    pos++;
                    return r;
                }
                if (c == '\\') {
                    if (sb == null) sb = new StringBuilder();
                    sb.append(s, start, pos);
                    pos++;
                    char e = peek();
                    pos++;
                    switch (e) {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case '/' -> sb.append('/');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            if (pos + 4 > s.length()) throw error("bad unicode escape");
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> throw error("bad escape");
                    }
                    start = pos;
                } else {
                    pos++;
                }
            }
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if ((c >= '0' && c <= '9') || c == '-' || c == '+') pos++;
                else if (c == '.' || c == 'e' || c == 'E') { integral = false; pos++; }
                else break;
            }
            String t = s.substring(start, pos);
            try {
                if (integral && t.length() < 19) return Long.parseLong(t);
                return new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }
    }
}
