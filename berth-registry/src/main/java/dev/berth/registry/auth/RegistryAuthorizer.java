package dev.berth.registry.auth;

import java.util.Map;

/**
 * The registry's auth hook as this package implements it. Asked once per request:
 * {@code repository} is null for {@code /v2/} and the catalog; {@code action} is
 * {@code base}, {@code pull}, {@code push}, {@code delete} or {@code catalog};
 * {@code headers} have lower-case names.
 */
public interface RegistryAuthorizer {
    Decision check(String method, String repository, String action, Map<String, String> headers);
}
