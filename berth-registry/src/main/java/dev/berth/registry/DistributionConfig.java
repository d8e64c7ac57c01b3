package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * distribution's (docker-registry's) {@code config.yml}, so a registry moves over with its
 * config file as it is: the parts berth-registry does (filesystem storage, delete, upload
 * purging, read-only maintenance, listen address, TLS, htpasswd auth) mean what they mean
 * there, with distribution's defaults (deletes off, uploads purged after 168h, {@code :5000},
 * {@code /var/lib/registry}); relative paths are relative to the working directory, as there.
 * Parts that change what the registry is (another storage driver, a pull-through proxy, an
 * external token server, a path prefix, client certificates) are refused by name rather than
 * ignored; parts about logging, caching, notifications and health checks have no effect here.
 */
final class DistributionConfig {
    static final Duration DEFAULT_UPLOAD_AGE = Duration.ofHours(168);
    private static final Set<String> STORAGE_DRIVERS = Set.of("filesystem", "inmemory", "s3", "azure", "gcs", "swift", "oss");
    private static final Set<String> STORAGE_OTHER = Set.of("delete", "maintenance", "cache", "redirect", "tag");
    private static final Set<String> TOP = Set.of("version", "log", "loglevel", "storage", "http", "auth", "notifications", "redis",
            "health", "proxy", "validation", "compatibility", "catalog", "middleware", "reporting");

    private DistributionConfig() {}

    /** True for a config in distribution's shape: it starts with {@code version}. */
    static boolean looksLike(JsonNode root) {
        return root.has("version");
    }

    static RegistryConfig parse(JsonNode root, Path file) {
        String where = file.toString();
        String version = root.path("version").asText();
        if (!version.equals("0.1")) throw new IllegalArgumentException(where + ": version must be 0.1 (distribution's config format), not " + version);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) throw new IllegalArgumentException(where + ": unknown section " + k);
        }
        for (String k : List.of("proxy", "middleware")) {
            if (root.hasNonNull(k) && !root.get(k).isEmpty()) {
                throw new IllegalArgumentException(where + ": " + k + " is not supported by berth-registry"
                        + (k.equals("proxy") ? " (no pull-through cache)" : ""));
            }
        }

        // storage: the filesystem driver only
        JsonNode storage = root.path("storage");
        Path rootDir = Path.of("/var/lib/registry");
        Duration uploadAge = DEFAULT_UPLOAD_AGE;
        for (Iterator<String> it = storage.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (STORAGE_OTHER.contains(k)) continue;
            if (!k.equals("filesystem")) {
                throw new IllegalArgumentException(where + ": storage driver " + k
                        + (STORAGE_DRIVERS.contains(k) ? " is not supported (berth-registry stores on the filesystem)" : " is unknown"));
            }
            JsonNode fs = storage.get(k);
            if (fs.hasNonNull("rootdirectory")) rootDir = Path.of(fs.get("rootdirectory").asText());
        }
        boolean delete = storage.path("delete").path("enabled").asBoolean(false);
        JsonNode maintenance = storage.path("maintenance");
        boolean readOnly = maintenance.path("readonly").path("enabled").asBoolean(false);
        JsonNode purging = maintenance.path("uploadpurging");
        if (purging.hasNonNull("age") && purging.path("enabled").asBoolean(true)) {
            uploadAge = RegistryConfig.duration(purging.get("age").asText());
        }
        // with purging disabled, uploads still expire, after distribution's default age

        // http
        JsonNode http = root.path("http");
        String addr = http.hasNonNull("addr") ? http.get("addr").asText() : ":5000";
        if (http.hasNonNull("net") && !http.get("net").asText().equals("tcp")) {
            throw new IllegalArgumentException(where + ": http.net " + http.get("net").asText() + " is not supported (tcp only)");
        }
        if (http.hasNonNull("prefix") && !http.get("prefix").asText().replaceAll("/+$", "").isEmpty()) {
            throw new IllegalArgumentException(where + ": http.prefix is not supported (the API is served at /v2/)");
        }
        JsonNode tls = http.path("tls");
        if (tls.hasNonNull("clientcas") && !tls.get("clientcas").isEmpty()) {
            throw new IllegalArgumentException(where + ": http.tls.clientcas (client certificates) is not supported");
        }
        if (tls.hasNonNull("letsencrypt") && !tls.get("letsencrypt").isEmpty()) {
            throw new IllegalArgumentException(where + ": http.tls.letsencrypt is not supported");
        }
        Path cert = tls.hasNonNull("certificate") ? absolute(tls.get("certificate").asText()) : null;
        Path key = tls.hasNonNull("key") ? absolute(tls.get("key").asText()) : null;

        // auth: htpasswd
        ObjectNode auth = null;
        JsonNode a = root.path("auth");
        if (a.isObject() && !a.isEmpty()) {
            if (a.size() != 1 || !a.has("htpasswd")) {
                String kind = a.fieldNames().next();
                throw new IllegalArgumentException(where + ": auth " + (a.size() != 1 ? "must name one scheme" : kind + " is not supported")
                        + (a.has("token") ? " (distribution's token auth trusts an external token server; berth-registry's own token"
                        + " service is configured in its JSON config, see docs/architecture.md)" : " (htpasswd is)"));
            }
            JsonNode h = a.get("htpasswd");
            auth = JsonNodeFactory.instance.objectNode();
            ObjectNode hp = auth.putObject("htpasswd");
            if (h.hasNonNull("realm")) hp.put("realm", h.get("realm").asText());
            if (h.hasNonNull("path")) hp.put("path", absolute(h.get("path").asText()).toString());
        }
        return new RegistryConfig(RegistryConfig.address(addr), rootDir.toAbsolutePath(), cert, key, readOnly, delete, uploadAge, auth);
    }

    private static Path absolute(String p) {
        return Path.of(p).toAbsolutePath();
    }
}
