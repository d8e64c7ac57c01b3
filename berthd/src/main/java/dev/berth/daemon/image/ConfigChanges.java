package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Applies {@code docker import --change} / {@code commit --change} instructions (a subset of
 * Dockerfile: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)
 * to an image's container config.
 */
public final class ConfigChanges {
    private ConfigChanges() {}

    public static void apply(ObjectNode config, List<String> changes) {
        for (String change : changes) {
            String c = change.strip();
            if (c.isEmpty()) continue;
            int sp = indexOfSpace(c);
            String instr = (sp < 0 ? c : c.substring(0, sp)).toUpperCase(Locale.ROOT);
            String args = sp < 0 ? "" : c.substring(sp).strip();
            switch (instr) {
                case "CMD" -> config.set("Cmd", command(args));
                case "ENTRYPOINT" -> config.set("Entrypoint", command(args));
                case "ENV" -> env(config, args);
                case "EXPOSE" -> {
                    ObjectNode ports = config.has("ExposedPorts") && config.get("ExposedPorts").isObject()
                            ? (ObjectNode) config.get("ExposedPorts") : config.putObject("ExposedPorts");
                    for (String p : args.split("\\s+")) {
                        if (p.isEmpty()) continue;
                        ports.putObject(p.contains("/") ? p.toLowerCase(Locale.ROOT) : p + "/tcp");
                    }
                }
                case "LABEL" -> {
                    ObjectNode labels = config.has("Labels") && config.get("Labels").isObject()
                            ? (ObjectNode) config.get("Labels") : config.putObject("Labels");
                    for (String[] kv : keyValues(args, "LABEL")) labels.put(kv[0], kv[1]);
                }
                case "ONBUILD" -> {
                    ArrayNode on = config.has("OnBuild") && config.get("OnBuild").isArray()
                            ? (ArrayNode) config.get("OnBuild") : config.putArray("OnBuild");
                    on.add(args);
                }
                case "STOPSIGNAL" -> config.put("StopSignal", args);
                case "USER" -> config.put("User", args);
                case "WORKDIR" -> config.put("WorkingDir", args);
                case "VOLUME" -> {
                    ObjectNode vols = config.has("Volumes") && config.get("Volumes").isObject()
                            ? (ObjectNode) config.get("Volumes") : config.putObject("Volumes");
                    for (String v : jsonOrWords(args)) vols.putObject(v);
                }
                default -> throw BerthException.invalid(instr + " is not a valid change command");
            }
        }
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }

    /** JSON (exec) form stays as written; shell form becomes {@code /bin/sh -c "..."}. */
    private static ArrayNode command(String args) {
        ArrayNode out = Json.arr();
        if (args.startsWith("[")) {
            try {
                JsonNode n = Json.MAPPER.readTree(args);
                if (n.isArray()) {
                    n.forEach(x -> out.add(x.asText()));
                    return out;
                }
            } catch (Exception ignored) {
                // not JSON: shell form, as Docker does
            }
        }
        out.add("/bin/sh").add("-c").add(args);
        return out;
    }

    private static List<String> jsonOrWords(String args) {
        List<String> out = new ArrayList<>();
        if (args.startsWith("[")) {
            try {
                Json.MAPPER.readTree(args).forEach(x -> out.add(x.asText()));
                return out;
            } catch (Exception ignored) {
                // fall through to words
            }
        }
        for (String w : args.split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    private static void env(ObjectNode config, String args) {
        ArrayNode env = config.has("Env") && config.get("Env").isArray() ? (ArrayNode) config.get("Env") : config.putArray("Env");
        for (String[] kv : keyValues(args, "ENV")) {
            String prefix = kv[0] + "=";
            for (int i = 0; i < env.size(); i++) {
                if (env.get(i).asText().startsWith(prefix)) {
                    env.remove(i);
                    break;
                }
            }
            env.add(kv[0] + "=" + kv[1]);
        }
    }

    /** {@code K=V K2="v 2"} or the legacy single pair {@code K V}. */
    static List<String[]> keyValues(String args, String instr) {
        List<String[]> out = new ArrayList<>();
        if (!args.contains("=")) {
            int sp = indexOfSpace(args);
            if (sp < 0) throw BerthException.invalid(instr + " requires at least one argument");
            out.add(new String[] {args.substring(0, sp), args.substring(sp).strip()});
            return out;
        }
        List<String> words = shellWords(args);
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw BerthException.invalid("Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
            out.add(new String[] {w.substring(0, eq), w.substring(eq + 1)});
        }
        return out;
    }

    private static List<String> shellWords(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quote != 0) {
                if (ch == quote) quote = 0;
                else if (ch == '\\' && quote == '"' && i + 1 < s.length()) cur.append(s.charAt(++i));
                else cur.append(ch);
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                any = true;
            } else if (ch == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                any = true;
            } else if (Character.isWhitespace(ch)) {
                if (any || cur.length() > 0) out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(ch);
                any = true;
            }
        }
        if (any || cur.length() > 0) out.add(cur.toString());
        return out;
    }
}
