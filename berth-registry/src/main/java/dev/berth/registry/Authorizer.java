package dev.berth.registry;

import java.util.Map;

/**
 * The hook authentication plugs into: asked once per request (and once more for a mount's
 * source repository) before anything is read or written. {@code repository} is null for the
 * {@code /v2/} base check and for the catalog; {@code action} is {@code pull}, {@code push},
 * {@code delete}, {@code catalog} or {@code base}; {@code headers} are the request's headers
 * with lower-case names (the first value of each).
 */
public interface Authorizer {
    Decision check(String method, String repository, String action, Map<String, String> headers);

    /** Lets everything through: the default without an {@code auth} section. */
    Authorizer ALLOW_ALL = (method, repository, action, headers) -> Decision.ALLOW;

    sealed interface Decision {
        Allow ALLOW = new Allow();

        record Allow() implements Decision {}

        /**
         * Refused: {@code code} is {@link ErrorCode#UNAUTHORIZED} (401: no or bad credentials;
         * {@code headers} carry the {@code WWW-Authenticate} challenge) or {@link ErrorCode#DENIED}
         * (403: authenticated, not allowed).
         */
        record Deny(ErrorCode code, String message, Map<String, String> headers) implements Decision {}
    }
}
