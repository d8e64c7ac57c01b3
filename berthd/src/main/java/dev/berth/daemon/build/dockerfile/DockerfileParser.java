package dev.berth.daemon.build.dockerfile;

import dev.berth.daemon.build.dockerfile.Instruction.ArgDef;
import dev.berth.daemon.build.dockerfile.Instruction.KeyValue;
import dev.berth.daemon.errors.BerthException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Dockerfiles with Docker's rules (BuildKit's {@code frontend/dockerfile/parser} and
 * {@code instructions}): parser directives, comments, line continuations, JSON (exec) and shell
 * forms, {@code --flags}, heredocs, and the typed checks of every instruction.
 *
 * <p>Two passes, as in Docker: the first turns lines into raw nodes (keyword, flags, arguments,
 * heredoc bodies); the second validates each node into an {@link Instruction} and groups them
 * into stages. Every error is a {@link BerthException.InvalidArgument} whose message names the
 * line: {@code dockerfile parse error on line 3: unknown instruction: FOO}.
 */
public final class DockerfileParser {
    private DockerfileParser() {}

    private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("add", "copy", "run");
    private static final Pattern WHITESPACE = Pattern.compile("[\\t\\x0B\\f\\r ]+");
    private static final Pattern DIRECTIVE = Pattern.compile("^([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$", Pattern.DOTALL);
    private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\\t+");
    private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
    private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");

    /** Parses a whole Dockerfile into stages. */
    public static Dockerfile parse(String text) {
        Ast ast = parseAst(text);
        List<Instruction.Arg> metaArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Instruction.From from = null;
        List<Instruction> current = new ArrayList<>();
        Set<String> stageNames = new HashSet<>();
        for (Node n : ast.nodes) {
            Instruction ins = typed(n);
            if (ins instanceof Instruction.From f) {
                // dockerd finds this only when it reaches the stage; the message is its own.
                if (f.stageName() != null && stageNames.contains(f.stageName())) {
                    throw error(n.startLine, f.stageName() + " stage name already used");
                }
                if (f.stageName() != null) stageNames.add(f.stageName());
                if (from != null) stages.add(new Stage(from.stageName(), from, current, stages.size()));
                from = f;
                current = new ArrayList<>();
            } else if (from == null) {
                if (ins instanceof Instruction.Arg a) {
                    metaArgs.add(a);
                } else {
                    throw error(n.startLine, "no build stage in current context");
                }
            } else {
                current.add(ins);
            }
        }
        // dockerd's classic builder words it so (after running the meta ARGs); BuildKit says
        // "dockerfile contains no stages to build".
        if (from == null) throw BerthException.invalid("No image was generated. Is your Dockerfile empty?");
        stages.add(new Stage(from.stageName(), from, current, stages.size()));
        return new Dockerfile(metaArgs, stages, ast.syntax, ast.escape, ast.warnings);
    }

    /**
     * Parses one ONBUILD trigger when it fires (the image's {@code OnBuild} entry, e.g.
     * {@code RUN echo hi}; continuations and heredocs allowed). Errors are plain messages without
     * a line, as dockerd reports them ("onbuild trigger should be a single expression").
     */
    public static Instruction parseInstruction(String text) {
        try {
            Ast ast = parseAst(text);
            if (ast.nodes.size() != 1) throw BerthException.invalid("onbuild trigger should be a single expression");
            return typed(ast.nodes.getFirst());
        } catch (BerthException.InvalidArgument e) {
            throw withoutLine(e);
        }
    }

    /** The instructions {@code docker commit --change} and {@code docker import --change} accept. */
    public static final Set<String> CHANGE_INSTRUCTIONS = Set.of("cmd", "entrypoint", "healthcheck", "env", "expose",
            "label", "onbuild", "stopsignal", "user", "volume", "workdir");

    /**
     * Parses the {@code changes} of {@code POST /commit} and {@code POST /images/create} (import)
     * as dockerd does: joined with newlines into one text, each instruction one of
     * {@link #CHANGE_INSTRUCTIONS} ("FROM is not a valid change command"). Errors carry no line.
     */
    public static List<Instruction> parseChanges(List<String> changes) {
        if (changes.isEmpty()) return List.of();
        try {
            Ast ast = parseAst(String.join("\n", changes));
            List<Instruction> out = new ArrayList<>();
            for (Node n : ast.nodes) {
                if (!CHANGE_INSTRUCTIONS.contains(n.lower())) {
                    throw BerthException.invalid(n.cmd + " is not a valid change command");
                }
                out.add(typed(n));
            }
            return out;
        } catch (BerthException.InvalidArgument e) {
            throw withoutLine(e);
        }
    }

    private static final Pattern LINE_PREFIX = Pattern.compile("^dockerfile parse error on line \\d+: ");

    private static BerthException withoutLine(BerthException.InvalidArgument e) {
        return BerthException.invalid(LINE_PREFIX.matcher(e.getMessage()).replaceFirst(""));
    }

    /**
     * The first pass's result in BuildKit's {@code Node.Dump} notation ({@code (run "echo hi")}),
     * one line per instruction: lets tests compare raw parsing with Docker's own fixtures.
     */
    static String dump(String text) {
        StringBuilder sb = new StringBuilder();
        for (Node n : parseAst(text).nodes) sb.append('(').append(dumpNode(n)).append(")\n");
        return sb.toString();
    }

    private static String dumpNode(Node n) {
        StringBuilder sb = new StringBuilder(n.lower());
        if (!n.flags.isEmpty()) {
            sb.append(" [");
            for (int i = 0; i < n.flags.size(); i++) sb.append(i == 0 ? "" : " ").append(goQuote(n.flags.get(i)));
            sb.append(']');
        }
        if (n.child != null) sb.append(" (").append(dumpNode(n.child)).append(')');
        for (String a : n.args) sb.append(' ').append(goQuote(a));
        return sb.toString().strip();
    }

    // ---------------------------------------------------------------------------------------
    // First pass: lines to nodes.

    /** A raw instruction: keyword as written, flags, arguments, heredocs, source position. */
    private record Node(String cmd, List<String> flags, List<String> args, boolean json, Node child,
            List<Heredoc> heredocs, String original, int startLine, int endLine) {
        String lower() { return cmd.toLowerCase(Locale.ROOT); }

        Node withHeredocs(List<Heredoc> h, int end) {
            return new Node(cmd, flags, args, json, child, h, original, startLine, end);
        }

        Node withLines(int start, int end) {
            return new Node(cmd, flags, args, json, child, heredocs, original, start, end);
        }

        boolean canContainHeredoc() {
            Node n = this;
            if (n.lower().equals("onbuild") && n.child != null) n = n.child;
            return HEREDOC_INSTRUCTIONS.contains(n.lower()) && !n.json;
        }
    }

    private record Ast(List<Node> nodes, String syntax, char escape, List<String> warnings) {}

    /** Parser directives ({@code # escape=`}) are only recognised before anything else. */
    private static final class Directives {
        boolean done;
        final Set<String> seen = new HashSet<>();
        char escape = '\\';
        String syntax;
        Pattern continuation = continuationPattern('\\');

        void line(String line, int lineNo) {
            if (done) return;
            if (!line.startsWith("#")) {
                done = true;
                return;
            }
            Matcher m = DIRECTIVE.matcher(line.substring(1).stripLeading());
            if (!m.matches()) {
                done = true;
                return;
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (!key.equals("syntax") && !key.equals("escape") && !key.equals("check")) {
                done = true;
                return;
            }
            if (!seen.add(key)) throw error(lineNo, "only one " + key + " parser directive can be used");
            String value = m.group(2);
            switch (key) {
                case "escape" -> {
                    if (!value.equals("`") && !value.equals("\\")) {
                        throw error(lineNo, "invalid escape token '" + value + "' does not match ` or \\");
                    }
                    escape = value.charAt(0);
                    continuation = continuationPattern(escape);
                }
                case "syntax" -> syntax = value;
                default -> {} // check=: lint configuration, nothing to do
            }
        }

        static Pattern continuationPattern(char esc) {
            String e = Pattern.quote(String.valueOf(esc));
            return Pattern.compile("([^" + (esc == '\\' ? "\\\\" : "`") + "])" + e + "[ \\t]*$|^" + e + "[ \\t]*$");
        }
    }

    private static Ast parseAst(String text) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> lines = splitLines(text);
        Directives d = new Directives();
        List<Node> nodes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int i = 0;
        int currentLine = 0;
        while (i < lines.size()) {
            String raw = lines.get(i++);
            String token = stripLeading(trimNewline(raw));
            d.line(token, currentLine + 1);
            currentLine++;
            if (isComment(token)) token = "";
            int startLine = currentLine;
            String[] cont = trimContinuation(token, d);
            boolean endOfLine = cont[1] == null;
            if (endOfLine && cont[0].isEmpty()) continue;
            StringBuilder buf = new StringBuilder(cont[0]);
            boolean emptyContinuation = false;
            while (!endOfLine && i < lines.size()) {
                String next = lines.get(i++);
                String t = trimNewline(next);
                d.line(t, currentLine + 1);
                currentLine++;
                if (isComment(next)) continue;
                if (t.isBlank()) {
                    emptyContinuation = true;
                    continue;
                }
                cont = trimContinuation(t, d);
                endOfLine = cont[1] == null;
                buf.append(cont[0]);
            }
            String line = buf.toString();
            if (emptyContinuation) warnings.add("Empty continuation line found in: " + line);
            Node node;
            try {
                node = nodeFromLine(line, d.escape);
            } catch (LineError e) {
                throw error(startLine, e.getMessage());
            }
            if (node.canContainHeredoc() && line.contains("<<")) {
                List<Heredoc> docs;
                try {
                    docs = heredocsFromLine(line);
                } catch (LineError e) {
                    throw error(startLine, e.getMessage());
                }
                List<Heredoc> filled = new ArrayList<>();
                for (Heredoc h : docs) {
                    boolean terminated = false;
                    StringBuilder content = new StringBuilder();
                    while (i < lines.size()) {
                        String body = lines.get(i++);
                        currentLine++;
                        String candidate = trimNewline(body);
                        if (h.chomp()) candidate = candidate.replaceFirst("^\\t+", "");
                        if (candidate.equals(h.name())) {
                            terminated = true;
                            break;
                        }
                        content.append(body);
                    }
                    if (!terminated) throw error(startLine, "unterminated heredoc");
                    filled.add(h.withContent(content.toString()));
                }
                node = node.withHeredocs(filled, currentLine);
            }
            nodes.add(node.withLines(startLine, currentLine));
        }
        if (nodes.isEmpty()) throw BerthException.invalid("file with no instructions");
        return new Ast(nodes, d.syntax, d.escape, warnings);
    }

    /** Splits into lines that keep their "\n" (heredoc bodies need it); the last may lack it. */
    private static List<String> splitLines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                out.add(text.substring(start));
                break;
            }
            out.add(text.substring(start, nl + 1));
            start = nl + 1;
        }
        return out;
    }

    private static String trimNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) end--;
        return s.substring(0, end);
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return s.substring(i);
    }

    private static boolean isComment(String line) {
        String t = stripLeading(line);
        return !t.isEmpty() && t.charAt(0) == '#';
    }

    /** Returns {text, null} at the end of an instruction, {text without the escape, ""} to continue. */
    private static String[] trimContinuation(String line, Directives d) {
        Matcher m = d.continuation.matcher(line);
        if (m.find()) {
            String g = m.group(1);
            return new String[] {line.substring(0, m.start()) + (g == null ? "" : g), ""};
        }
        return new String[] {line, null};
    }

    /** A parse error of one instruction line; the caller adds the line number. */
    private static final class LineError extends Exception {
        LineError(String m) { super(m, null, false, false); }
    }

    private static Node nodeFromLine(String line, char escape) throws LineError {
        String[] cmdline = WHITESPACE.split(line.strip(), 2);
        String cmd = cmdline[0];
        List<String> flags = new ArrayList<>();
        String rest = "";
        if (cmdline.length == 2) rest = extractFlags(cmdline[1], escape, flags).strip();
        String lower = cmd.toLowerCase(Locale.ROOT);
        List<String> args = new ArrayList<>();
        boolean json = false;
        Node child = null;
        switch (lower) {
            case "add", "copy", "volume" -> {
                List<String> j = parseJsonArray(rest);
                if (j != null) {
                    args.addAll(j);
                    json = true;
                } else if (!rest.isEmpty()) {
                    args.addAll(List.of(WHITESPACE.split(rest)));
                }
            }
            case "cmd", "entrypoint", "run", "shell" -> {
                if (!rest.isEmpty()) {
                    List<String> j = parseJsonArray(rest);
                    if (j != null) {
                        args.addAll(j);
                        json = true;
                    } else {
                        args.add(rest);
                    }
                }
            }
            case "arg" -> args.addAll(parseWords(rest, escape));
            case "env", "label" -> args.addAll(parseNameVal(rest, lower.equals("env") ? "ENV" : "LABEL", escape));
            case "expose", "from" -> {
                if (!rest.isEmpty()) args.addAll(List.of(WHITESPACE.split(rest)));
            }
            case "maintainer", "stopsignal", "user", "workdir" -> {
                if (!rest.isEmpty()) args.add(rest);
            }
            case "healthcheck" -> {
                int sep = 0;
                while (sep < rest.length() && !Character.isWhitespace(rest.charAt(sep))) sep++;
                if (sep > 0) {
                    args.add(rest.substring(0, sep));
                    String cmdText = rest.substring(sep).stripLeading();
                    if (!cmdText.isEmpty()) {
                        List<String> j = parseJsonArray(cmdText);
                        if (j != null) {
                            args.addAll(j);
                            json = true;
                        } else {
                            args.add(cmdText);
                        }
                    }
                }
            }
            case "onbuild" -> {
                if (!rest.isEmpty()) child = nodeFromLine(rest, escape);
            }
            default -> {} // unknown: reported with its line by the second pass
        }
        return new Node(cmd, flags, args, json, child, List.of(), line.strip(), 0, 0);
    }

    /** Leading {@code --name=value} words (quotes and escapes honoured); returns the rest. */
    private static String extractFlags(String line, char escape, List<String> words) {
        final int inSpaces = 0, inWord = 1, inQuote = 2;
        int phase = inSpaces;
        StringBuilder sb = new StringBuilder();
        char quote = 0;
        boolean blankOK = false;
        for (int pos = 0; pos <= line.length(); pos++) {
            char ch = pos < line.length() ? line.charAt(pos) : 0;
            if (phase == inSpaces) {
                if (pos == line.length()) break;
                if (Character.isWhitespace(ch)) continue;
                if (ch != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') return line.substring(pos);
                phase = inWord;
            }
            if (pos == line.length()) {
                String w = sb.toString();
                if (!w.equals("--") && (blankOK || !w.isEmpty())) words.add(w);
                break;
            }
            if (phase == inWord) {
                if (Character.isWhitespace(ch)) {
                    String w = sb.toString();
                    phase = inSpaces;
                    if (w.equals("--")) return line.substring(pos);
                    if (blankOK || !w.isEmpty()) words.add(w);
                    sb.setLength(0);
                    blankOK = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOK = true;
                    phase = inQuote;
                    continue;
                }
                if (ch == escape) {
                    if (pos + 1 == line.length()) continue;
                    ch = line.charAt(++pos);
                }
                sb.append(ch);
                continue;
            }
            // inQuote
            if (ch == quote) {
                phase = inWord;
                continue;
            }
            if (ch == escape) {
                if (pos + 1 == line.length()) {
                    phase = inWord;
                    continue;
                }
                ch = line.charAt(++pos);
            }
            sb.append(ch);
        }
        return "";
    }

    /** Space-separated words keeping quotes and escapes (they are removed by expansion later). */
    private static List<String> parseWords(String rest, char escape) {
        final int inSpaces = 0, inWord = 1, inQuote = 2;
        List<String> words = new ArrayList<>();
        int phase = inSpaces;
        int quote = 0;
        boolean blankOK = false;
        StringBuilder sb = new StringBuilder();
        int[] cps = rest.codePoints().toArray();
        for (int pos = 0; pos <= cps.length; pos++) {
            int ch = pos < cps.length ? cps[pos] : 0;
            if (phase == inSpaces) {
                if (pos == cps.length) break;
                if (Character.isWhitespace(ch)) continue;
                phase = inWord;
            }
            if (pos == cps.length) {
                if (blankOK || !sb.isEmpty()) words.add(sb.toString());
                break;
            }
            if (phase == inWord) {
                if (Character.isWhitespace(ch)) {
                    phase = inSpaces;
                    if (blankOK || !sb.isEmpty()) words.add(sb.toString());
                    sb.setLength(0);
                    blankOK = false;
                    continue;
                }
                if (ch == '\'' || ch == '"') {
                    quote = ch;
                    blankOK = true;
                    phase = inQuote;
                }
                if (ch == escape) {
                    if (pos + 1 == cps.length) continue; // an escape at the very end is dropped
                    sb.appendCodePoint(ch);
                    ch = cps[++pos];
                }
                sb.appendCodePoint(ch);
                continue;
            }
            // inQuote
            if (ch == quote) phase = inWord;
            if (ch == escape && quote != '\'') {
                if (pos + 1 == cps.length) {
                    phase = inWord;
                    continue;
                }
                sb.appendCodePoint(ch);
                ch = cps[++pos];
            }
            sb.appendCodePoint(ch);
        }
        return words;
    }

    /** ENV/LABEL arguments as (key, value, "=" or "") triples. */
    private static List<String> parseNameVal(String rest, String key, char escape) throws LineError {
        List<String> words = parseWords(rest, escape);
        List<String> out = new ArrayList<>();
        if (words.isEmpty()) return out;
        if (!words.getFirst().contains("=")) {
            // Legacy "KEY name value": the value is the rest of the line as written.
            String[] parts = WHITESPACE.split(rest, 2);
            if (parts.length < 2) throw new LineError(key + " must have two arguments");
            out.add(parts[0]);
            out.add(parts[1]);
            out.add("");
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw new LineError("Syntax error - can't find = in " + goQuote(w) + ". Must be of the form: name=value");
            }
            out.add(w.substring(0, eq));
            out.add(w.substring(eq + 1));
            out.add("=");
        }
        return out;
    }

    private static List<Heredoc> heredocsFromLine(String line) throws LineError {
        List<String> words;
        try {
            words = new ShellLex('\\').rawQuotes(true).rawEscapes(true).skipUnsetEnv(true).processWords(line, Map.of());
        } catch (BerthException e) {
            return List.of();
        }
        List<Heredoc> docs = new ArrayList<>();
        for (String w : words) {
            Heredoc h = parseHeredoc(w);
            if (h != null) docs.add(h);
        }
        return docs;
    }

    /** The heredoc a word starts ({@code <<EOF}, {@code <<-"EOF"}, {@code 3<<EOF}), or null. */
    static Heredoc parseHeredoc(String word) throws LineError {
        Matcher m = HEREDOC.matcher(word);
        if (!m.matches()) return null;
        String rest = m.group(3);
        if (rest.isEmpty()) return null;
        int fd = m.group(1).isEmpty() ? 0 : parseFd(m.group(1));
        boolean chomp = m.group(2).equals("-");
        List<String> plain;
        List<String> raw;
        try {
            plain = new ShellLex('\\').skipUnsetEnv(true).processWords(rest, Map.of());
            if (plain.size() != 1) return null;
            raw = new ShellLex('\\').skipUnsetEnv(true).rawQuotes(true).processWords(rest, Map.of());
        } catch (BerthException e) {
            throw new LineError(e.getMessage());
        }
        if (raw.size() != plain.size()) {
            throw new LineError("internal lexing of heredoc produced inconsistent results: " + rest);
        }
        String name = plain.getFirst();
        // A quote anywhere in the delimiter word means the body is taken literally.
        boolean expand = quoteCount(name) == quoteCount(raw.getFirst());
        return new Heredoc(name, "", expand, chomp, fd);
    }

    private static int parseFd(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether a word is a heredoc start ({@code <<EOF}). */
    static boolean isHeredocWord(String word) { return word != null && heredocOrNull(word) != null; }

    private static Heredoc heredocOrNull(String word) {
        try {
            return parseHeredoc(word);
        } catch (LineError e) {
            return null;
        }
    }

    private static int quoteCount(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\'' || s.charAt(i) == '"') n++;
        return n;
    }

    // ---------------------------------------------------------------------------------------
    // Second pass: nodes to typed instructions.

    private static BerthException error(int line, String message) {
        return BerthException.invalid("dockerfile parse error on line " + line + ": " + message);
    }

    private static Instruction typed(Node n) {
        try {
            return typedOrThrow(n);
        } catch (LineError e) {
            throw error(n.startLine, e.getMessage());
        }
    }

    private static Instruction typedOrThrow(Node n) throws LineError {
        String original = n.original;
        int line = n.startLine;
        List<String> args = n.args;
        Flags flags = new Flags(n.flags);
        switch (n.lower()) {
            case "from" -> {
                String stageName = null;
                if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
                    stageName = args.get(2).toLowerCase(Locale.ROOT);
                    if (!STAGE_NAME.matcher(stageName).matches()) {
                        throw new LineError("invalid name for build stage: " + goQuote(args.get(2))
                                + ", name can't start with a number or contain symbols");
                    }
                } else if (args.size() != 1) {
                    throw new LineError("FROM requires either one or three arguments");
                }
                flags.string("platform");
                flags.parse();
                return new Instruction.From(args.getFirst(), stageName, flags.value("platform"), original, line);
            }
            case "run" -> {
                flags.strings("mount");
                flags.string("network");
                flags.string("security");
                flags.strings("device");
                flags.parse();
                String network = flags.value("network");
                if (network != null && !Set.of("default", "none", "host").contains(network)) {
                    throw new LineError("invalid network mode " + goQuote(network));
                }
                String security = flags.value("security");
                if (security != null && !Set.of("sandbox", "insecure").contains(security)) {
                    throw new LineError("security " + goQuote(security) + " is not valid");
                }
                List<String> mounts = flags.values("mount");
                for (String m : mounts) checkMount(m);
                if (n.json) {
                    return new Instruction.Run(true, args, null, null, List.of(), mounts, network, security,
                            flags.values("device"), original, line);
                }
                String cmdline = args.isEmpty() ? "" : args.getFirst();
                return new Instruction.Run(false, List.of(), cmdline, runScript(cmdline, n.heredocs), n.heredocs, mounts, network,
                        security, flags.values("device"), original, line);
            }
            case "cmd" -> {
                flags.parse();
                if (n.json) return new Instruction.Cmd(true, args, null, original, line);
                return new Instruction.Cmd(false, List.of(), args.isEmpty() ? "" : args.getFirst(), original, line);
            }
            case "entrypoint" -> {
                flags.parse();
                if (n.json || args.isEmpty()) return new Instruction.Entrypoint(true, args, null, original, line);
                return new Instruction.Entrypoint(false, List.of(), args.getFirst(), original, line);
            }
            case "shell" -> {
                flags.parse();
                if (args.isEmpty()) throw new LineError("SHELL requires at least one argument");
                if (!n.json) throw new LineError("SHELL requires the arguments to be in JSON form");
                return new Instruction.Shell(args, original, line);
            }
            case "env", "label" -> {
                String key = n.lower().equals("env") ? "ENV" : "LABEL";
                flags.parse();
                if (args.isEmpty()) throw new LineError(key + " requires at least one argument");
                List<KeyValue> pairs = new ArrayList<>();
                if (args.size() % 3 != 0) throw new LineError("Bad input to " + key + ", too many arguments");
                for (int j = 0; j < args.size(); j += 3) {
                    if (args.get(j).isEmpty()) throw new LineError(key + " names can not be blank");
                    pairs.add(new KeyValue(args.get(j), args.get(j + 1)));
                }
                return key.equals("ENV") ? new Instruction.Env(pairs, original, line)
                        : new Instruction.Label(pairs, original, line);
            }
            case "arg" -> {
                if (args.isEmpty()) throw new LineError("ARG requires at least one argument");
                List<ArgDef> defs = new ArrayList<>();
                for (String a : args) {
                    int eq = a.indexOf('=');
                    if (eq < 0) {
                        defs.add(new ArgDef(a, null));
                    } else {
                        if (eq == 0) throw new LineError("ARG names can not be blank");
                        defs.add(new ArgDef(a.substring(0, eq), a.substring(eq + 1)));
                    }
                }
                return new Instruction.Arg(defs, original, line);
            }
            case "expose" -> {
                if (args.isEmpty()) throw new LineError("EXPOSE requires at least one argument");
                flags.parse();
                return new Instruction.Expose(args.stream().sorted().toList(), original, line);
            }
            case "workdir" -> {
                if (args.size() != 1) throw new LineError("WORKDIR requires exactly one argument");
                flags.parse();
                return new Instruction.Workdir(args.getFirst(), original, line);
            }
            case "user" -> {
                if (args.size() != 1) throw new LineError("USER requires exactly one argument");
                flags.parse();
                return new Instruction.User(args.getFirst(), original, line);
            }
            case "stopsignal" -> {
                if (args.size() != 1) throw new LineError("STOPSIGNAL requires exactly one argument");
                return new Instruction.Stopsignal(args.getFirst(), original, line);
            }
            case "maintainer" -> {
                if (args.size() != 1) throw new LineError("MAINTAINER requires exactly one argument");
                flags.parse();
                return new Instruction.Maintainer(args.getFirst(), original, line);
            }
            case "volume" -> {
                if (args.isEmpty()) throw new LineError("VOLUME requires at least one argument");
                flags.parse();
                List<String> vols = new ArrayList<>();
                for (String v : args) {
                    if (v.isBlank()) throw new LineError("VOLUME specified can not be an empty string");
                    vols.add(v.strip());
                }
                return new Instruction.Volume(vols, original, line);
            }
            case "copy" -> {
                if (args.size() < 2) {
                    throw new LineError("COPY requires at least two arguments, but only one was provided."
                            + " Destination could not be determined");
                }
                flags.string("chown");
                flags.string("from");
                flags.string("chmod");
                flags.bool("link");
                flags.strings("exclude");
                flags.bool("parents");
                flags.parse();
                Sources s = sources(n, "COPY");
                return new Instruction.Copy(s.paths, s.dest, s.heredocs, flags.value("from"), flags.value("chown"),
                        flags.value("chmod"), flags.isTrue("link"), flags.isTrue("parents"), flags.values("exclude"),
                        original, line);
            }
            case "add" -> {
                if (args.size() < 2) {
                    throw new LineError("ADD requires at least two arguments, but only one was provided."
                            + " Destination could not be determined");
                }
                flags.string("chown");
                flags.string("chmod");
                flags.bool("link");
                flags.bool("keep-git-dir");
                flags.string("checksum");
                flags.bool("unpack");
                flags.strings("exclude");
                flags.parse();
                Sources s = sources(n, "ADD");
                return new Instruction.Add(s.paths, s.dest, s.heredocs, flags.value("chown"), flags.value("chmod"),
                        flags.isTrue("link"), flags.value("checksum"), flags.boolOrNull("keep-git-dir"),
                        flags.boolOrNull("unpack"), flags.values("exclude"), original, line);
            }
            case "onbuild" -> {
                if (n.child == null) throw new LineError("ONBUILD requires at least one argument");
                flags.parse();
                String trigger = n.child.cmd.strip().toUpperCase(Locale.ROOT);
                switch (trigger) {
                    case "ONBUILD" -> throw new LineError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                    case "MAINTAINER", "FROM" -> throw new LineError(trigger + " isn't allowed as an ONBUILD trigger");
                    default -> {}
                }
                StringBuilder expr = new StringBuilder(ONBUILD_PREFIX.matcher(original).replaceAll(""));
                for (Heredoc h : n.heredocs) expr.append('\n').append(h.content()).append(h.name());
                return new Instruction.Onbuild(expr.toString(), original, line);
            }
            case "healthcheck" -> {
                return healthcheck(n, flags, original, line);
            }
            default -> throw new LineError("unknown instruction: " + n.cmd);
        }
    }

    private static String runScript(String cmdline, List<Heredoc> heredocs) {
        if (heredocs.isEmpty()) return cmdline;
        if (heredocOrNull(cmdline) != null) {
            // "RUN <<EOF" alone: the body is the script (like a shell heredoc fed to sh).
            Heredoc h = heredocs.getFirst();
            return h.chomp() ? LEADING_TABS.matcher(h.content()).replaceAll("") : h.content();
        }
        StringBuilder full = new StringBuilder(cmdline);
        for (Heredoc h : heredocs) full.append('\n').append(h.content()).append(h.name());
        return full.toString();
    }

    private record Sources(List<String> paths, String dest, List<Heredoc> heredocs) {}

    private static Sources sources(Node n, String command) throws LineError {
        List<String> args = n.args;
        String dest = args.getLast();
        if (heredocOrNull(dest) != null) throw new LineError(command + " cannot accept a heredoc as a destination");
        Map<String, Heredoc> byName = new LinkedHashMap<>();
        for (Heredoc h : n.heredocs) byName.put(h.name(), h);
        List<String> paths = new ArrayList<>();
        List<Heredoc> contents = new ArrayList<>();
        for (String src : args.subList(0, args.size() - 1)) {
            Heredoc h = n.json ? null : heredocOrNull(src);
            if (h == null) {
                paths.add(src);
                continue;
            }
            Heredoc body = byName.get(h.name());
            String content = body == null ? "" : body.content();
            if (h.chomp()) content = LEADING_TABS.matcher(content).replaceAll("");
            contents.add(new Heredoc(h.name(), content, h.expand(), h.chomp(), h.fd()));
        }
        return new Sources(paths, dest, contents);
    }

    private static Instruction healthcheck(Node n, Flags flags, String original, int line) throws LineError {
        List<String> args = n.args;
        if (args.isEmpty()) throw new LineError("HEALTHCHECK requires at least one argument");
        String type = args.getFirst().toUpperCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        if (type.equals("NONE")) {
            if (!rest.isEmpty()) throw new LineError("HEALTHCHECK NONE takes no arguments");
            return new Instruction.Healthcheck(true, List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO,
                    Duration.ZERO, 0, original, line);
        }
        flags.string("interval");
        flags.string("timeout");
        flags.string("start-period");
        flags.string("start-interval");
        flags.string("retries");
        flags.parse();
        if (!type.equals("CMD")) throw new LineError("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
        if (rest.isEmpty()) throw new LineError("Missing command after HEALTHCHECK CMD");
        List<String> test = new ArrayList<>();
        if (n.json) {
            test.add("CMD");
            test.addAll(rest);
        } else {
            test.add("CMD-SHELL");
            test.add(String.join(" ", rest));
        }
        int retries = 0;
        String r = flags.value("retries");
        if (r != null && !r.isEmpty()) {
            try {
                retries = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw new LineError("strconv.ParseInt: parsing " + goQuote(r) + ": invalid syntax");
            }
            if (retries < 0) throw new LineError("--retries cannot be negative (" + retries + ")");
        }
        return new Instruction.Healthcheck(false, test, interval(flags, "interval"), interval(flags, "timeout"),
                interval(flags, "start-period"), interval(flags, "start-interval"), retries, original, line);
    }

    private static Duration interval(Flags flags, String name) throws LineError {
        String s = flags.value(name);
        if (s == null || s.isEmpty()) return Duration.ZERO;
        Duration d = GoDuration.parse(s);
        if (d.isZero()) return Duration.ZERO;
        if (d.compareTo(Duration.ofMillis(1)) < 0) throw new LineError("Interval \"" + name + "\" cannot be less than 1ms");
        return d;
    }

    /** Docker's parse-time check of a {@code --mount} value; the rest is checked by {@link RunMount#parse}. */
    private static void checkMount(String value) throws LineError {
        try {
            for (String field : RunMount.csvFields(value)) {
                int eq = field.indexOf('=');
                if (eq > 0 && field.substring(0, eq).equalsIgnoreCase("from")) {
                    RunMount.checkFromNotExpanded(field.substring(eq + 1));
                }
            }
        } catch (BerthException e) {
            throw new LineError(e.getMessage());
        }
    }

    /** BuildKit's BFlags: declared flags, parsed from {@code --name[=value]} words. */
    private static final class Flags {
        private enum Type { BOOL, STRING, STRINGS }

        private final List<String> args;
        private final Map<String, Type> declared = new HashMap<>();
        private final Map<String, String> values = new HashMap<>();
        private final Map<String, List<String>> lists = new HashMap<>();

        Flags(List<String> args) { this.args = args; }

        void bool(String name) { declared.put(name, Type.BOOL); }

        void string(String name) { declared.put(name, Type.STRING); }

        void strings(String name) { declared.put(name, Type.STRINGS); }

        void parse() throws LineError {
            Set<String> used = new HashSet<>();
            for (String a : args) {
                if (a.equals("--")) return;
                if (!a.startsWith("--")) throw new LineError("arg should start with -- : " + a);
                int eq = a.indexOf('=');
                String flagName = eq < 0 ? a : a.substring(0, eq);
                String value = eq < 0 ? "" : a.substring(eq + 1);
                boolean hasValue = eq >= 0;
                String name = flagName.substring(2);
                Type type = declared.get(name);
                if (type == null) throw new LineError("unknown flag: " + flagName);
                if (!used.add(name) && type != Type.STRINGS) throw new LineError("duplicate flag specified: " + flagName);
                switch (type) {
                    case BOOL -> {
                        if (hasValue && value.isEmpty()) throw new LineError("missing a value on flag: " + flagName);
                        switch (value.toLowerCase(Locale.ROOT)) {
                            case "true", "" -> values.put(name, "true");
                            case "false" -> values.put(name, "false");
                            default -> throw new LineError(
                                    "expecting boolean value for flag " + flagName + ", not: " + value);
                        }
                    }
                    case STRING -> {
                        if (!hasValue) throw new LineError("missing a value on flag: " + flagName);
                        values.put(name, value);
                    }
                    case STRINGS -> {
                        if (!hasValue) throw new LineError("missing a value on flag: " + flagName);
                        lists.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                    }
                }
            }
        }

        String value(String name) { return values.get(name); }

        List<String> values(String name) { return lists.getOrDefault(name, List.of()); }

        boolean isTrue(String name) { return "true".equals(values.get(name)); }

        Boolean boolOrNull(String name) { return values.containsKey(name) ? isTrue(name) : null; }
    }

    // ---------------------------------------------------------------------------------------
    // JSON arrays of strings (exec form).

    /**
     * The strings of a JSON array, or null when {@code rest} is not valid JSON starting with
     * {@code [} (then it is shell form). Valid JSON with a non-string element is an error, as in Docker.
     */
    static List<String> parseJsonArray(String rest) throws LineError {
        String s = rest.stripLeading();
        if (!s.startsWith("[")) return null;
        Json j = new Json(s);
        Object v;
        try {
            v = j.value();
            j.ws();
            if (j.pos != s.length()) return null;
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof String str)) {
                throw new LineError("when using JSON array syntax, arrays must be comprised of strings only");
            }
            out.add(str);
        }
        return out;
    }

    /** A strict JSON reader: strings, arrays, and placeholders for the other values. */
    private static final class Json {
        final String s;
        int pos;

        Json(String s) { this.s = s; }

        void ws() {
            while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) pos++;
        }

        IllegalArgumentException bad() { return new IllegalArgumentException("invalid JSON at " + pos); }

        Object value() {
            ws();
            if (pos >= s.length()) throw bad();
            char c = s.charAt(pos);
            switch (c) {
                case '"':
                    return string();
                case '[': {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    ws();
                    if (pos < s.length() && s.charAt(pos) == ']') {
                        pos++;
                        return list;
                    }
                    while (true) {
                        list.add(value());
                        ws();
                        if (pos >= s.length()) throw bad();
                        char d = s.charAt(pos++);
                        if (d == ']') return list;
                        if (d != ',') throw bad();
                    }
                }
                case '{': {
                    pos++;
                    ws();
                    if (pos < s.length() && s.charAt(pos) == '}') {
                        pos++;
                        return Map.of();
                    }
                    while (true) {
                        ws();
                        if (pos >= s.length() || s.charAt(pos) != '"') throw bad();
                        string();
                        ws();
                        if (pos >= s.length() || s.charAt(pos++) != ':') throw bad();
                        value();
                        ws();
                        if (pos >= s.length()) throw bad();
                        char d = s.charAt(pos++);
                        if (d == '}') return Map.of();
                        if (d != ',') throw bad();
                    }
                }
                default: {
                    for (String lit : new String[] {"true", "false", "null"}) {
                        if (s.startsWith(lit, pos)) {
                            pos += lit.length();
                            return Boolean.TRUE;
                        }
                    }
                    Matcher m = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?").matcher(s);
                    m.region(pos, s.length());
                    if (!m.lookingAt()) throw bad();
                    pos = m.end();
                    return 0;
                }
            }
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw bad();
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw bad();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) throw bad();
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) throw bad();
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw bad();
                        }
                        pos += 4;
                    }
                    default -> throw bad();
                }
            }
        }
    }

    /** Go's {@code %q} for the plain strings that appear in messages. */
    static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case 0x07 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 0x0B -> sb.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7F) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Go's {@code time.ParseDuration} ("1m30s", "1.5h", "300ms"); HEALTHCHECK durations use it. */
    static final class GoDuration {
        private GoDuration() {}

        private static final Map<String, Double> UNITS = Map.of("ns", 1.0, "us", 1e3, "µs", 1e3, "μs", 1e3,
                "ms", 1e6, "s", 1e9, "m", 60e9, "h", 3600e9);

        static Duration parse(String orig) throws LineError {
            String s = orig;
            boolean neg = false;
            if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
                neg = s.charAt(0) == '-';
                s = s.substring(1);
            }
            if (s.equals("0")) return Duration.ZERO;
            if (s.isEmpty()) throw new LineError("time: invalid duration " + goQuote(orig));
            double total = 0;
            Matcher m = Pattern.compile("(\\d*)(\\.\\d*)?([^\\d.]*)").matcher(s);
            int pos = 0;
            while (pos < s.length()) {
                m.region(pos, s.length());
                if (!m.lookingAt() || m.end() == pos) throw new LineError("time: invalid duration " + goQuote(orig));
                String whole = m.group(1);
                String frac = m.group(2);
                String unit = m.group(3);
                if (whole.isEmpty() && (frac == null || frac.length() <= 1)) {
                    throw new LineError("time: invalid duration " + goQuote(orig));
                }
                if (unit.isEmpty()) throw new LineError("time: missing unit in duration " + goQuote(orig));
                Double scale = UNITS.get(unit);
                if (scale == null) {
                    throw new LineError("time: unknown unit " + goQuote(unit) + " in duration " + goQuote(orig));
                }
                double v = Double.parseDouble((whole.isEmpty() ? "0" : whole) + (frac == null || frac.equals(".") ? "" : frac));
                total += v * scale;
                pos = m.end();
            }
            long nanos = Math.round(total);
            return Duration.ofNanos(neg ? -nanos : nanos);
        }
    }
}
