package dev.berth.registry.auth;

import java.time.Duration;

/**
 * What the token service and the registry's verifier share: the token endpoint's URL
 * ({@code realm}), the registry's name ({@code service}, the tokens' audience), the tokens'
 * {@code issuer}, their lifetime and the signing key.
 */
public record TokenSettings(String realm, String service, String issuer, Duration expiration, SigningKey key) {
    public TokenSettings {
        if (realm.isBlank()) throw new IllegalArgumentException("auth.token.realm must be the token endpoint's URL");
        if (service.isBlank()) throw new IllegalArgumentException("auth.token.service must not be empty");
        if (issuer.isBlank()) throw new IllegalArgumentException("auth.token.issuer must not be empty");
        if (expiration.isNegative() || expiration.isZero()) throw new IllegalArgumentException("auth.token.expiration must be positive");
    }
}
