package dev.berth.registry.auth;

import java.util.Map;

/**
 * What an authorizer says about one request. Mirrors {@code dev.berth.registry.Authorizer.Decision}
 * so the registry adapts it one to one: {@code code} is the distribution spec's error code
 * ({@code UNAUTHORIZED} → 401 with a {@code WWW-Authenticate} challenge in {@code headers},
 * {@code DENIED} → 403).
 */
public sealed interface Decision {

    /** Let through; {@code account} is the authenticated user, "" when anonymous. */
    record Allow(String account) implements Decision {}

    record Deny(String code, String message, Map<String, String> headers) implements Decision {
        public Deny {
            if (!code.equals(UNAUTHORIZED) && !code.equals(DENIED)) throw new IllegalArgumentException("unknown code " + code);
            headers = Map.copyOf(headers);
        }

        public int status() { return code.equals(UNAUTHORIZED) ? 401 : 403; }
    }

    String UNAUTHORIZED = "UNAUTHORIZED";
    String DENIED = "DENIED";

    static Deny unauthorized(String challenge) {
        return new Deny(UNAUTHORIZED, "authentication required", Map.of("WWW-Authenticate", challenge));
    }

    static Deny denied() {
        return new Deny(DENIED, "requested access to the resource is denied", Map.of());
    }
}
