package dev.berth.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry config's {@code auth} section, made into an authorizer and, for token auth, the
 * token endpoint. Exactly one of:
 * <pre>
 * {"htpasswd": {"realm": "berth-registry", "path": "/etc/berth-registry/htpasswd"}}
 * {"token": {"realm": "http://127.0.0.1:5000/token",   // the token endpoint's URL, as clients reach it
 *            "service": "berth-registry",              // the registry's name: the tokens' audience
 *            "issuer": "berth-registry token service",
 *            "key": "/var/lib/berth-registry/token.pem", // PKCS#8 PEM; an EC P-256 key is made if missing
 *            "expiration": 300,                         // seconds, optional
 *            "accounts": {"htpasswd": "/etc/berth-registry/htpasswd"}, // optional: without it all are anonymous
 *            "access": [{"account": "alice", "name": "alice/*", "actions": ["pull", "push"]},
 *                       {"account": "*", "name": "public/*", "actions": ["pull"]}]}}
 * </pre>
 * Relative paths are resolved against {@code baseDir} (the config file's directory).
 * Errors are {@link IllegalArgumentException}s naming the key at fault.
 */
public record Auth(RegistryAuthorizer authorizer, Optional<TokenService> tokenService) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Auth fromConfig(Map<String, ?> auth) {
        return fromConfig(JSON.valueToTree(auth), Path.of(""), Clock.systemUTC());
    }

    public static Auth fromConfig(JsonNode auth) {
        return fromConfig(auth, Path.of(""), Clock.systemUTC());
    }

    public static Auth fromConfig(JsonNode auth, Path baseDir) {
        return fromConfig(auth, baseDir, Clock.systemUTC());
    }

    public static Auth fromConfig(JsonNode auth, Path baseDir, Clock clock) {
        if (auth == null || !auth.isObject() || auth.size() != 1) {
            throw new IllegalArgumentException("auth must be an object with exactly one of \"htpasswd\" or \"token\"");
        }
        String kind = auth.fieldNames().next();
        JsonNode c = auth.get(kind);
        return switch (kind) {
            case "htpasswd" -> {
                keys(c, "auth.htpasswd", Set.of("realm", "path"));
                String realm = optionalText(c, "realm", "auth.htpasswd", "berth-registry");
                Htpasswd file = Htpasswd.load(baseDir.resolve(text(c, "path", "auth.htpasswd")));
                yield new Auth(new BasicAuthorizer(realm, file), Optional.empty());
            }
            case "token" -> {
                String where = "auth.token";
                keys(c, where, Set.of("realm", "service", "issuer", "key", "expiration", "accounts", "access"));
                JsonNode exp = c.get("expiration");
                if (exp != null && (!exp.canConvertToLong() || exp.asLong() <= 0)) {
                    throw new IllegalArgumentException(where + ".expiration must be a positive number of seconds");
                }
                Htpasswd accounts = null;
                JsonNode acc = c.get("accounts");
                if (acc != null && !acc.isNull()) {
                    keys(acc, where + ".accounts", Set.of("htpasswd"));
                    accounts = Htpasswd.load(baseDir.resolve(text(acc, "htpasswd", where + ".accounts")));
                }
                AccessList access = AccessList.fromJson(c.get("access"));
                String realm = text(c, "realm", where);
                try {
                    var uri = java.net.URI.create(realm);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new IllegalArgumentException();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ".realm must be the token endpoint's http(s) URL, not \"" + realm + "\"");
                }
                TokenSettings settings = new TokenSettings(realm, text(c, "service", where),
                        optionalText(c, "issuer", where, "berth-registry token service"),
                        Duration.ofSeconds(exp == null ? 300 : exp.asLong()),
                        SigningKey.loadOrGenerate(baseDir.resolve(text(c, "key", where))));
                yield new Auth(new TokenAuthorizer(settings, clock), Optional.of(new TokenService(settings, accounts, access, clock)));
            }
            default -> throw new IllegalArgumentException("auth: unknown kind \"" + kind + "\" (htpasswd or token)");
        };
    }

    private static void keys(JsonNode c, String where, Set<String> allowed) {
        if (c == null || !c.isObject()) throw new IllegalArgumentException(where + " must be an object");
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) throw new IllegalArgumentException(where + ": unknown key \"" + k + "\" (" + String.join(", ", allowed.stream().sorted().toList()) + ")");
        }
    }

    private static String text(JsonNode c, String key, String where) {
        JsonNode v = c.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) throw new IllegalArgumentException(where + "." + key + " must be a non-empty string");
        return v.asText();
    }

    private static String optionalText(JsonNode c, String key, String where, String fallback) {
        return c.has(key) ? text(c, key, where) : fallback;
    }
}
