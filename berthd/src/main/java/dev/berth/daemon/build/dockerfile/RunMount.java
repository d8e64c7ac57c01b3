package dev.berth.daemon.build.dockerfile;

import dev.berth.daemon.errors.BerthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code RUN --mount=...} value, parsed and expanded with BuildKit's rules
 * ({@code instructions/commands_runmount.go}): comma-separated (CSV) {@code key=value} fields,
 * values expanded with the stage's variables (except {@code from}, which Docker refuses to
 * expand), defaults applied (type bind; read-only unless cache or tmpfs).
 *
 * @param type bind, cache, tmpfs, secret or ssh
 * @param from the stage or image a bind/cache mount reads from, or null
 * @param source a path in {@code from} (or the build context), or null
 * @param target where it is mounted in the RUN container, or null
 * @param id the cache or secret id, or null
 * @param sharing cache sharing: shared, private or locked; null when not given
 * @param sizeLimit tmpfs size in bytes, 0 when not given
 * @param mode file mode (octal in the Dockerfile), uid, gid: null when not given
 * @param env the environment variable a secret is exposed as, or null
 */
public record RunMount(String type, String from, String source, String target, boolean readOnly, String id,
        String sharing, boolean required, long sizeLimit, Long mode, Long uid, Long gid, String env) {

    private static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");
    private static final Set<String> SHARING = Set.of("shared", "private", "locked");

    /** Parses and expands one raw {@code --mount} value; errors name the problem in Docker's words. */
    public static RunMount parse(String raw, Expander expander) {
        String type = "bind";
        String from = null, source = null, target = null, id = null, sharing = null, env = null;
        boolean readOnly = false, roAuto = true, required = false;
        long size = 0;
        Long mode = null, uid = null, gid = null;
        for (String field : csvFields(raw)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
            if (eq < 0) {
                switch (key) {
                    case "readonly", "ro" -> { readOnly = true; roAuto = false; }
                    case "readwrite", "rw" -> { readOnly = false; roAuto = false; }
                    case "required" -> {
                        if (!type.equals("secret") && !type.equals("ssh")) throw unexpected(key, type);
                        required = true;
                    }
                    default -> throw invalid("invalid field '" + field + "' must be a key=value pair");
                }
                continue;
            }
            String value = field.substring(eq + 1);
            if (key.equals("from")) {
                checkFromNotExpanded(value);
            } else if (expander != null) {
                value = expander.word(value);
            }
            switch (key) {
                case "type" -> {
                    String t = value.toLowerCase(Locale.ROOT);
                    if (!TYPES.contains(t)) throw invalid("unsupported mount type " + DockerfileParser.goQuote(value));
                    type = t;
                }
                case "from" -> from = value;
                case "source", "src" -> source = value;
                case "target", "dst", "destination" -> target = value;
                case "readonly", "ro" -> { readOnly = parseBool(key, value); roAuto = false; }
                case "readwrite", "rw" -> { readOnly = !parseBool(key, value); roAuto = false; }
                case "required" -> {
                    if (!type.equals("secret") && !type.equals("ssh")) throw unexpected(key, type);
                    required = parseBool(key, value);
                }
                case "size" -> {
                    if (!type.equals("tmpfs")) throw unexpected(key, type);
                    size = ramInBytes(key, value);
                }
                case "id" -> id = value;
                case "sharing" -> {
                    String s = value.toLowerCase(Locale.ROOT);
                    if (!SHARING.contains(s)) throw invalid("unsupported sharing value " + DockerfileParser.goQuote(value));
                    sharing = s;
                }
                case "mode" -> mode = parseUnsigned(value, 8, "mode");
                case "uid" -> uid = parseUnsigned(value, 10, "uid");
                case "gid" -> gid = parseUnsigned(value, 10, "gid");
                case "env" -> env = value;
                default -> throw invalid("unexpected key '" + key + "' in '" + field + "'");
            }
        }
        boolean fileInfoAllowed = type.equals("secret") || type.equals("ssh") || type.equals("cache");
        if (!fileInfoAllowed) {
            if (mode != null) throw invalid("mode not allowed for \"" + type + "\" type mounts");
            if (uid != null) throw invalid("uid not allowed for \"" + type + "\" type mounts");
            if (gid != null) throw invalid("gid not allowed for \"" + type + "\" type mounts");
        }
        if (roAuto) readOnly = !(type.equals("cache") || type.equals("tmpfs"));
        if (type.equals("secret")) {
            if (from != null && !from.isEmpty()) throw invalid("secret mount should not have a from");
            if (sharing != null) throw invalid("secret mount should not define sharing");
            if (isEmpty(source) && isEmpty(target) && isEmpty(id)) {
                throw invalid("invalid secret mount. one of source, target required");
            }
            if (!isEmpty(source) && !isEmpty(id)) throw invalid("both source and id can't be set");
        }
        if (sharing != null && !type.equals("cache")) throw invalid("invalid cache sharing set for " + type + " mount");
        return new RunMount(type, from, source, target, readOnly, id, sharing, required, size, mode, uid, gid, env);
    }

    /** Parse-time check (as Docker): {@code from} must not use variables. */
    static void checkFromNotExpanded(String value) {
        int idx = value.indexOf('$');
        if (idx != -1 && idx != value.length() - 1) {
            throw invalid("'from' doesn't support variable expansion, define alias stage instead");
        }
    }

    private static boolean isEmpty(String s) { return s == null || s.isEmpty(); }

    private static BerthException invalid(String m) { return BerthException.invalid(m); }

    private static BerthException unexpected(String key, String type) {
        return invalid("unexpected key '" + key + "' for mount type '" + type + "'");
    }

    /** Go's strconv.ParseBool. */
    private static boolean parseBool(String key, String value) {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw invalid("invalid value for " + key + ": " + value);
        };
    }

    private static Long parseUnsigned(String value, int radix, String key) {
        try {
            long v = Long.parseLong(value, radix);
            if (v < 0 || v > 0xFFFFFFFFL) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw invalid("invalid value " + value + " for " + key);
        }
    }

    private static final Pattern RAM = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    /** docker/go-units RAMInBytes: binary multipliers, "64m" is 64 MiB. */
    private static long ramInBytes(String key, String value) {
        Matcher m = RAM.matcher(value);
        if (!m.matches()) throw invalid("invalid value for " + key + ": " + value);
        double n;
        try {
            n = Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw invalid("invalid value for " + key + ": " + value);
        }
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        return (long) (n * (1L << shift));
    }

    /** One CSV record: commas separate fields, double quotes quote ("" is a quote). */
    static List<String> csvFields(String raw) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < raw.length() && raw.charAt(i + 1) == '"') {
                        sb.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    sb.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(sb.toString());
                sb.setLength(0);
            } else {
                sb.append(c);
            }
        }
        if (quoted) throw invalid("failed to parse csv mounts: extraneous or missing \" in quoted-field");
        out.add(sb.toString());
        return out;
    }
}
