package dev.berth.cli.format;

import dev.berth.cli.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A subset of Go's text/template, enough for docker {@code --format} strings: field chains
 * ({@code .State.Status}), {@code $} and variables, string/number literals, pipelines with
 * {@code |}, parentheses, {@code if/else/range/with/end}, {@code {{-}} trimming, and the docker
 * CLI functions (json, join, split, lower, upper, title, truncate, pad, println) plus index,
 * len, print, eq, ne, not, and, or. Data is the {@link Json} model; a map value that is a
 * {@link Function} acts as a one-argument method ({@code {{.Label "k"}}}).
 */
public final class GoTemplate {
    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) { this.nodes = nodes; }

    /** Parses a template; errors read like Go's ("template parsing error: ..."). */
    public static GoTemplate parse(String text) {
        Parser p = new Parser(text);
        List<Node> nodes = p.list(Parser.TOP);
        return new GoTemplate(nodes);
    }

    public String execute(Object data) {
        StringBuilder sb = new StringBuilder();
        Scope scope = new Scope(null);
        scope.vars.put("$", data);
        for (Node n : nodes) n.exec(sb, data, scope);
        return sb.toString();
    }

    /** Docker's pre-processing of a --format value: literal {@code \t} and {@code \n} become tab/newline. */
    public static String unescape(String format) {
        return format.replace("\\t", "\t").replace("\\n", "\n");
    }

    // ---- model ----

    private static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) { this.parent = parent; }

        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) return s.vars.get(name);
            }
            throw new IllegalArgumentException("template: undefined variable: " + name);
        }
    }

    private interface Node {
        void exec(StringBuilder out, Object dot, Scope scope);
    }

    private record Text(String text) implements Node {
        public void exec(StringBuilder out, Object dot, Scope scope) { out.append(text); }
    }

    private record Action(Pipeline pipe) implements Node {
        public void exec(StringBuilder out, Object dot, Scope scope) {
            Object v = pipe.eval(dot, scope);
            if (pipe.declares.isEmpty()) out.append(print(v));
        }
    }

    private record Branch(String kind, Pipeline pipe, List<Node> body, List<Node> elseBody) implements Node {
        public void exec(StringBuilder out, Object dot, Scope scope) {
            Scope inner = new Scope(scope);
            if (kind.equals("range")) {
                Object v = pipe.evalNoDeclare(dot, inner);
                List<Object[]> items = new ArrayList<>();
                if (v instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) items.add(new Object[] {e.getKey(), e.getValue()});
                } else if (v instanceof List<?> l) {
                    for (int i = 0; i < l.size(); i++) items.add(new Object[] {(long) i, l.get(i)});
                } else if (v != null) {
                    throw new IllegalArgumentException("template: range can't iterate over " + print(v));
                }
                if (items.isEmpty()) {
                    run(elseBody, out, dot, inner);
                    return;
                }
                for (Object[] it : items) {
                    Scope s = new Scope(scope);
                    if (pipe.declares.size() == 1) s.vars.put(pipe.declares.get(0), it[1]);
                    else if (pipe.declares.size() == 2) {
                        s.vars.put(pipe.declares.get(0), it[0]);
                        s.vars.put(pipe.declares.get(1), it[1]);
                    }
                    run(body, out, it[1], s);
                }
                return;
            }
            Object v = pipe.eval(dot, inner);
            if (truth(v)) run(body, out, kind.equals("with") ? v : dot, inner);
            else run(elseBody, out, dot, inner);
        }

        private static void run(List<Node> nodes, StringBuilder out, Object dot, Scope scope) {
            if (nodes != null) for (Node n : nodes) n.exec(out, dot, scope);
        }
    }

    /** Sentinel for a missing map key: prints "&lt;no value&gt;" (an explicit null prints "&lt;nil&gt;"). */
    private static final Object NO_VALUE = new Object() {
        @Override
        public String toString() { return "<no value>"; }
    };

    private static final class Pipeline {
        final List<String> declares = new ArrayList<>();
        final List<List<Object>> commands = new ArrayList<>(); // each: tokens (String) or nested Pipeline

        Object eval(Object dot, Scope scope) {
            Object v = evalNoDeclare(dot, scope);
            if (declares.size() == 1) scope.vars.put(declares.get(0), v);
            return v;
        }

        Object evalNoDeclare(Object dot, Scope scope) {
            Object prev = null;
            boolean hasPrev = false;
            for (List<Object> cmd : commands) {
                prev = evalCommand(cmd, dot, scope, hasPrev ? prev : null, hasPrev);
                hasPrev = true;
            }
            return prev;
        }

        private static Object evalCommand(List<Object> cmd, Object dot, Scope scope, Object piped, boolean hasPiped) {
            Object head = cmd.get(0);
            List<Object> args = new ArrayList<>();
            for (int i = 1; i < cmd.size(); i++) args.add(operand(cmd.get(i), dot, scope));
            if (hasPiped) args.add(piped);
            if (head instanceof String s && isIdent(s) && !s.equals("true") && !s.equals("false") && !s.equals("nil")) {
                return Funcs.call(s, args);
            }
            Object v = operand(head, dot, scope);
            if (v instanceof Function<?, ?> f && !args.isEmpty()) {
                @SuppressWarnings("unchecked")
                Function<Object, Object> fn = (Function<Object, Object>) f;
                return fn.apply(args.get(0));
            }
            if (!args.isEmpty()) throw new IllegalArgumentException("template: can't give argument to non-function " + head);
            return v;
        }

        private static Object operand(Object tok, Object dot, Scope scope) {
            if (tok instanceof Pipeline p) return p.evalNoDeclare(dot, scope);
            String t = (String) tok;
            if (t.startsWith("\"") || t.startsWith("`")) return Parser.unquote(t);
            if (t.equals("true")) return Boolean.TRUE;
            if (t.equals("false")) return Boolean.FALSE;
            if (t.equals("nil")) return null;
            if (t.equals(".")) return dot;
            if (t.startsWith(".")) return fields(dot, t.substring(1));
            if (t.startsWith("$")) {
                int d = t.indexOf('.');
                Object base = scope.get(d < 0 ? t : t.substring(0, d));
                return d < 0 ? base : fields(base, t.substring(d + 1));
            }
            if (!t.isEmpty() && (Character.isDigit(t.charAt(0)) || t.charAt(0) == '-')) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    return new BigDecimal(t);
                }
            }
            if (isIdent(t)) return Funcs.call(t, List.of());
            throw new IllegalArgumentException("template: bad operand " + t);
        }

        private static Object fields(Object base, String chain) {
            Object cur = base;
            for (String f : chain.split("\\.")) {
                if (cur instanceof Map<?, ?> m) {
                    cur = m.containsKey(f) ? m.get(f) : NO_VALUE;
                } else if (cur == null || cur == NO_VALUE) {
                    throw new IllegalArgumentException("template: nil pointer evaluating ." + f);
                } else {
                    throw new IllegalArgumentException("template: can't evaluate field " + f + " in type " + typeName(cur));
                }
            }
            return cur;
        }
    }

    static boolean isIdent(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_') return false;
        }
        return true;
    }

    static String typeName(Object v) {
        if (v instanceof String) return "string";
        if (v instanceof Number) return "float64";
        if (v instanceof Boolean) return "bool";
        if (v instanceof List<?>) return "[]interface {}";
        return "interface {}";
    }

    static boolean truth(Object v) {
        if (v == null || v == NO_VALUE) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        return true;
    }

    /** Go's {@code fmt.Sprint} rendering of a JSON-model value. */
    public static String print(Object v) {
        if (v == null) return "<nil>";
        if (v instanceof String s) return s;
        if (v instanceof BigDecimal d) return goFloat(d);
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                if (!first) sb.append(' ');
                first = false;
                sb.append(e.getKey()).append(':').append(print(e.getValue()));
            }
            return sb.append(']').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(' ');
                sb.append(print(l.get(i)));
            }
            return sb.append(']').toString();
        }
        return v.toString();
    }

    private static String goFloat(BigDecimal d) { return d.stripTrailingZeros().toPlainString(); }

    // ---- functions ----

    private static final class Funcs {
        static Object call(String name, List<Object> a) {
            return switch (name) {
                case "json" -> Json.toJson(arg(a, 0, name) == NO_VALUE ? null : a.get(0));
                case "join" -> {
                    List<?> l = a.get(0) instanceof List<?> x ? x : List.of();
                    List<String> parts = new ArrayList<>();
                    for (Object o : l) parts.add(print(o));
                    yield String.join(print(arg(a, 1, name)), parts);
                }
                case "split" -> new ArrayList<Object>(List.of(print(arg(a, 0, name)).split(java.util.regex.Pattern.quote(print(arg(a, 1, name))), -1)));
                case "lower" -> print(arg(a, 0, name)).toLowerCase();
                case "upper" -> print(arg(a, 0, name)).toUpperCase();
                case "title" -> {
                    String s = print(arg(a, 0, name));
                    yield s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
                }
                case "truncate" -> {
                    String s = print(arg(a, 0, name));
                    int n = (int) ((Number) arg(a, 1, name)).longValue();
                    yield s.length() > n ? s.substring(0, n) : s;
                }
                case "pad" -> {
                    String s = print(arg(a, 0, name));
                    int l = (int) ((Number) arg(a, 1, name)).longValue(), r = (int) ((Number) arg(a, 2, name)).longValue();
                    yield " ".repeat(l) + s + " ".repeat(r);
                }
                case "println" -> String.join(" ", a.stream().map(GoTemplate::print).toList()) + "\n";
                case "print" -> String.join("", a.stream().map(GoTemplate::print).toList());
                case "len" -> {
                    Object v = arg(a, 0, name);
                    yield (long) (v instanceof Map<?, ?> m ? m.size() : v instanceof List<?> l ? l.size() : print(v).length());
                }
                case "index" -> {
                    Object v = arg(a, 0, name);
                    for (int i = 1; i < a.size(); i++) {
                        Object k = a.get(i);
                        if (v instanceof Map<?, ?> m) v = m.get(print(k));
                        else if (v instanceof List<?> l && k instanceof Number n) v = l.get(n.intValue());
                        else v = null;
                    }
                    yield v;
                }
                case "eq" -> eq(arg(a, 0, name), arg(a, 1, name));
                case "ne" -> !eq(arg(a, 0, name), arg(a, 1, name));
                case "not" -> !truth(arg(a, 0, name));
                case "and" -> {
                    Object r = null;
                    for (Object o : a) { r = o; if (!truth(o)) break; }
                    yield r;
                }
                case "or" -> {
                    Object r = null;
                    for (Object o : a) { r = o; if (truth(o)) break; }
                    yield r;
                }
                default -> throw new IllegalArgumentException("template: function \"" + name + "\" not defined");
            };
        }

        private static boolean eq(Object x, Object y) {
            if (x instanceof Number a && y instanceof Number b) return a.doubleValue() == b.doubleValue();
            return java.util.Objects.equals(x, y);
        }

        private static Object arg(List<Object> a, int i, String fn) {
            if (i >= a.size()) throw new IllegalArgumentException("template: wrong number of args for " + fn);
            return a.get(i);
        }
    }

    // ---- parser ----

    private static final class Parser {
        static final int TOP = 0, BLOCK = 1;
        final String src;
        int pos;
        String endedBy; // "end" or "else" after list(BLOCK)
        boolean trimNextText;

        Parser(String src) { this.src = src; }

        List<Node> list(int mode) {
            List<Node> nodes = new ArrayList<>();
            while (pos < src.length()) {
                int open = src.indexOf("{{", pos);
                String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
                boolean trimLeft = open >= 0 && src.startsWith("{{-", open) && open + 3 < src.length()
                        && Character.isWhitespace(src.charAt(open + 3));
                if (trimNextText) text = text.stripLeading();
                if (trimLeft) text = text.stripTrailing();
                trimNextText = false;
                if (!text.isEmpty()) nodes.add(new Text(text));
                if (open < 0) {
                    pos = src.length();
                    break;
                }
                int start = open + (trimLeft ? 3 : 2);
                int close = findClose(start);
                if (close < 0) throw error("unclosed action");
                int end = close;
                if (close > start && src.charAt(close - 1) == '-' && close - 2 >= start
                        && Character.isWhitespace(src.charAt(close - 2))) {
                    end = close - 1;
                    trimNextText = true;
                }
                pos = close + 2;
                String action = src.substring(start, end).trim();
                if (action.startsWith("/*")) continue;
                List<Object> toks = tokenize(action);
                if (toks.isEmpty()) throw error("missing value for command");
                String kw = toks.get(0) instanceof String s ? s : "";
                switch (kw) {
                    case "end", "else" -> {
                        if (mode != BLOCK) throw error("unexpected {{" + kw + "}}");
                        endedBy = kw;
                        return nodes;
                    }
                    case "if", "range", "with" -> {
                        Pipeline p = pipeline(toks.subList(1, toks.size()));
                        List<Node> body = list(BLOCK);
                        List<Node> elseBody = null;
                        if ("else".equals(endedBy)) {
                            elseBody = list(BLOCK);
                            if (!"end".equals(endedBy)) throw error("unexpected EOF");
                        } else if (!"end".equals(endedBy)) throw error("unexpected EOF");
                        endedBy = null;
                        nodes.add(new Branch(kw, p, body, elseBody));
                    }
                    default -> nodes.add(new Action(pipeline(toks)));
                }
            }
            if (mode == BLOCK) throw error("unexpected EOF");
            return nodes;
        }

        private int findClose(int from) {
            boolean inStr = false;
            char q = 0;
            for (int i = from; i < src.length() - 1; i++) {
                char c = src.charAt(i);
                if (inStr) {
                    if (c == '\\' && q == '"') i++;
                    else if (c == q) inStr = false;
                } else if (c == '"' || c == '`') {
                    inStr = true;
                    q = c;
                } else if (c == '}' && src.charAt(i + 1) == '}') {
                    return i;
                }
            }
            return -1;
        }

        IllegalArgumentException error(String msg) {
            return new IllegalArgumentException("template parsing error: template: :1: " + msg);
        }

        /** Splits an action into tokens; parenthesized groups become nested token lists. */
        List<Object> tokenize(String s) {
            List<Object> out = new ArrayList<>();
            List<List<Object>> stack = new ArrayList<>();
            List<Object> cur = out;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) { i++; continue; }
                if (c == '(') {
                    stack.add(cur);
                    List<Object> group = new ArrayList<>();
                    cur.add(group);
                    cur = group;
                    i++;
                } else if (c == ')') {
                    if (stack.isEmpty()) throw error("unexpected right paren");
                    cur = stack.removeLast();
                    i++;
                } else if (c == '"' || c == '`') {
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != c) j += (c == '"' && s.charAt(j) == '\\') ? 2 : 1;
                    if (j >= s.length()) throw error("unterminated quoted string");
                    cur.add(s.substring(i, j + 1));
                    i = j + 1;
                } else if (c == '|' || c == ',') {
                    cur.add(String.valueOf(c));
                    i++;
                } else if (s.startsWith(":=", i)) {
                    cur.add(":=");
                    i += 2;
                } else {
                    int j = i;
                    while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && "()|,\"`".indexOf(s.charAt(j)) < 0
                            && !s.startsWith(":=", j)) j++;
                    cur.add(s.substring(i, j));
                    i = j;
                }
            }
            if (!stack.isEmpty()) throw error("unclosed left paren");
            return out;
        }

        @SuppressWarnings("unchecked")
        Pipeline pipeline(List<Object> toks) {
            Pipeline p = new Pipeline();
            int decl = toks.indexOf(":=");
            if (decl >= 0) {
                for (Object t : toks.subList(0, decl)) {
                    if (!t.equals(",")) p.declares.add((String) t);
                }
                toks = toks.subList(decl + 1, toks.size());
            }
            List<Object> cmd = new ArrayList<>();
            for (Object t : toks) {
                if ("|".equals(t)) {
                    if (cmd.isEmpty()) throw error("missing command");
                    p.commands.add(cmd);
                    cmd = new ArrayList<>();
                } else if (t instanceof List<?> group) {
                    cmd.add(pipeline((List<Object>) group));
                } else {
                    cmd.add(t);
                }
            }
            if (cmd.isEmpty()) throw error("missing value for command");
            p.commands.add(cmd);
            return p;
        }

        static String unquote(String t) {
            if (t.startsWith("`")) return t.substring(1, t.length() - 1);
            Object v = Json.parse(t);
            return (String) v;
        }
    }
}
