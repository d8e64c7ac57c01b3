package dev.berth.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The token service's rights: a list of {@code {"account": ..., "type": ..., "name": ..., "actions": [...]}}.
 * {@code account} is a user of the htpasswd file or {@code *} for everyone, anonymous clients
 * included; {@code type} is {@code repository} (the default) or {@code registry} (for
 * {@code registry:catalog:*}); {@code name} is a glob where {@code *} matches any run of
 * characters, slashes included, {@code ?} one character, and {@code ${account}} the user's own
 * name; {@code actions} may hold {@code *} for all. Rights add up over the entries that match;
 * nothing is granted that no entry grants.
 */
public final class AccessList {

    public record Entry(String account, String type, String name, Set<String> actions) {
        public Entry {
            actions = Set.copyOf(actions);
        }

        boolean matches(String who, Scope scope) {
            if (!account.equals("*") && !account.equals(who)) return false;
            if (!type.equals(scope.type())) return false;
            String pattern = name;
            if (pattern.contains("${account}")) {
                if (who.isEmpty()) return false; // anonymous has no name of its own
                pattern = pattern.replace("${account}", who);
            }
            return glob(pattern).matcher(scope.name()).matches();
        }
    }

    private final List<Entry> entries;

    public AccessList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Reads the config's {@code access} array; errors name the entry. */
    public static AccessList fromJson(JsonNode array) {
        if (array == null || array.isNull()) return new AccessList(List.of());
        if (!array.isArray()) throw new IllegalArgumentException("auth.token.access must be an array");
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            String where = "auth.token.access[" + i + "]";
            if (!e.isObject()) throw new IllegalArgumentException(where + " must be an object");
            for (var it = e.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("account", "type", "name", "actions").contains(k)) {
                    throw new IllegalArgumentException(where + ": unknown key \"" + k + "\" (account, type, name, actions)");
                }
            }
            String account = text(e, "account", where);
            String name = text(e, "name", where);
            String type = e.has("type") ? text(e, "type", where) : "repository";
            JsonNode actions = e.get("actions");
            if (actions == null || !actions.isArray()) throw new IllegalArgumentException(where + ".actions must be an array of strings");
            Set<String> set = new LinkedHashSet<>();
            for (JsonNode a : actions) {
                if (!a.isTextual() || a.asText().isBlank()) throw new IllegalArgumentException(where + ".actions must be an array of strings");
                set.add(a.asText());
            }
            entries.add(new Entry(account, type, name, set));
        }
        return new AccessList(entries);
    }

    private static String text(JsonNode e, String key, String where) {
        JsonNode v = e.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw new IllegalArgumentException(where + "." + key + " must be a non-empty string");
        return v.asText();
    }

    /** The part of {@code requested} that {@code account} ("" when anonymous) may have. */
    public Scope grant(String account, Scope requested) {
        Set<String> allowed = new HashSet<>();
        for (Entry e : entries) {
            if (!e.matches(account, requested)) continue;
            if (e.actions.contains("*")) return requested;
            allowed.addAll(e.actions);
        }
        allowed.retainAll(requested.actions());
        return new Scope(requested.type(), requested.name(), allowed);
    }

    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
