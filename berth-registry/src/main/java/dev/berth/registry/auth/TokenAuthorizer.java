package dev.berth.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry side of the token flow. A request without a bearer token gets 401 and
 * {@code WWW-Authenticate: Bearer realm="<token endpoint>",service="<service>",scope="<what it needs>"}
 * (no scope for {@code /v2/}), which sends Docker to the token endpoint. A token counts when its
 * signature verifies with the service's key, {@code iss} is the issuer, {@code aud} names the
 * service and the time is between {@code nbf} and {@code exp} (a minute of clock skew allowed,
 * as distribution); otherwise 401 with {@code error="invalid_token"}. A valid token whose
 * {@code access} does not cover the request: 403 DENIED for a named account, but 401 with
 * {@code error="insufficient_scope"} for an anonymous token, so the client knows logging in may help.
 */
public final class TokenAuthorizer implements RegistryAuthorizer {
    static final Duration LEEWAY = Duration.ofSeconds(60);

    private static final int VERIFIED_MAX = 4096;

    private final TokenSettings settings;
    private final Clock clock;
    /**
     * Tokens whose signature checked out, with their claims: a client sends the same token on
     * every request of a pull, and a signature check costs more than the request. Issuer,
     * audience and times are still checked each time.
     */
    private final Map<String, ObjectNode> verified = new ConcurrentHashMap<>();

    public TokenAuthorizer(TokenSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Decision check(String method, String repository, String action, Map<String, String> headers) {
        Scope required = Scope.required(repository, action);
        String token = bearer(headers.get("authorization"));
        if (token == null) return Decision.unauthorized(challenge(required, null));
        ObjectNode claims;
        try {
            claims = verified.get(token);
            if (claims == null) {
                claims = Jwt.verify(settings.key(), token);
                if (verified.size() >= VERIFIED_MAX) verified.clear();
                verified.put(token, claims);
            }
            checkClaims(claims);
        } catch (Jwt.InvalidTokenException e) {
            return new Decision.Deny(Decision.UNAUTHORIZED, "authentication required: " + e.getMessage(),
                    Map.of("WWW-Authenticate", challenge(required, "invalid_token")));
        }
        String account = claims.path("sub").asText("");
        if (required == null || covers(claims.get("access"), required)) return new Decision.Allow(account);
        if (account.isEmpty()) {
            return new Decision.Deny(Decision.UNAUTHORIZED, "authentication required",
                    Map.of("WWW-Authenticate", challenge(required, "insufficient_scope")));
        }
        return Decision.denied();
    }

    /** The challenge for a request needing {@code required} (null: none), with an optional RFC 6750 error. */
    public String challenge(Scope required, String error) {
        StringBuilder b = new StringBuilder("Bearer realm=").append(Challenge.quote(settings.realm()))
                .append(",service=").append(Challenge.quote(settings.service()));
        if (required != null) b.append(",scope=").append(Challenge.quote(required.toString()));
        if (error != null) b.append(",error=").append(Challenge.quote(error));
        return b.toString();
    }

    private static String bearer(String header) {
        if (header == null) return null;
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0 || !h.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) return null;
        String t = h.substring(space + 1).strip();
        return t.isEmpty() ? null : t;
    }

    private void checkClaims(ObjectNode claims) throws Jwt.InvalidTokenException {
        if (!settings.issuer().equals(claims.path("iss").asText(null))) {
            throw new Jwt.InvalidTokenException("token issuer \"" + claims.path("iss").asText("") + "\" is not \"" + settings.issuer() + "\"");
        }
        JsonNode aud = claims.get("aud");
        boolean audience = aud != null && (aud.isTextual() ? aud.asText().equals(settings.service())
                : aud.isArray() && containsText(aud, settings.service()));
        if (!audience) throw new Jwt.InvalidTokenException("token audience is not \"" + settings.service() + "\"");
        long now = clock.instant().getEpochSecond();
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) throw new Jwt.InvalidTokenException("token has no expiry");
        if (now > exp.asLong() + LEEWAY.toSeconds()) throw new Jwt.InvalidTokenException("token has expired");
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && nbf.isNumber() && now + LEEWAY.toSeconds() < nbf.asLong()) {
            throw new Jwt.InvalidTokenException("token is not valid yet");
        }
    }

    private static boolean containsText(JsonNode array, String value) {
        for (JsonNode n : array) if (n.isTextual() && n.asText().equals(value)) return true;
        return false;
    }

    /** Whether the token's {@code access} claim grants every action {@code required} names. */
    static boolean covers(JsonNode access, Scope required) {
        if (access == null || !access.isArray()) return false;
        Set<String> granted = new HashSet<>();
        for (JsonNode e : access) {
            if (!required.type().equals(e.path("type").asText()) || !required.name().equals(e.path("name").asText())) continue;
            for (JsonNode a : e.path("actions")) granted.add(a.asText());
        }
        return granted.contains("*") || granted.containsAll(required.actions());
    }
}
