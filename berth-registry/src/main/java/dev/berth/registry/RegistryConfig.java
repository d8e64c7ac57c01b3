package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * What {@code berth-registry serve} runs with, from flags, distribution's {@code config.yml}
 * (see {@link DistributionConfig}), or berth's own config file (JSON, or the same keys in YAML):
 * <pre>
 * {"addr": "127.0.0.1:5000", "storage": "/var/lib/berth-registry",
 *  "tls": {"certificate": "cert.pem", "key": "key.pem"},   // PEM; the key as PKCS#8
 *  "readOnly": false, "delete": true, "uploadExpiry": "1h",
 *  "auth": {...}}                                          // handed to the auth hook as it is
 * </pre>
 */
public record RegistryConfig(InetSocketAddress addr, Path storage, Path tlsCertificate, Path tlsKey, boolean readOnly,
                             boolean deleteEnabled, Duration uploadExpiry, JsonNode auth) {
    public static final Duration DEFAULT_UPLOAD_EXPIRY = Duration.ofHours(1);
    private static final Set<String> KEYS = Set.of("addr", "storage", "tls", "readOnly", "delete", "uploadExpiry", "auth");

    public RegistryConfig {
        if (addr == null) throw new IllegalArgumentException("no listen address (addr)");
        if (storage == null) throw new IllegalArgumentException("no storage directory (storage)");
        if ((tlsCertificate == null) != (tlsKey == null)) throw new IllegalArgumentException("tls needs both certificate and key");
        if (uploadExpiry == null) uploadExpiry = DEFAULT_UPLOAD_EXPIRY;
        if (uploadExpiry.isNegative() || uploadExpiry.isZero()) throw new IllegalArgumentException("uploadExpiry must be positive");
    }

    /** Berth's JSON config, or distribution's {@code config.yml} ({@link DistributionConfig}). */
    public static RegistryConfig read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        boolean json = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip().startsWith("{");
        JsonNode root;
        try {
            root = (json ? new ObjectMapper() : new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()).readTree(bytes);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": the config must be a JSON object or a YAML mapping");
        if (DistributionConfig.looksLike(root)) return DistributionConfig.parse(root, file);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) throw new IllegalArgumentException(file + ": unknown key " + k + " (known: " + KEYS + ")");
        }
        Path base = file.toAbsolutePath().getParent();
        JsonNode tls = root.path("tls");
        return new RegistryConfig(
                root.hasNonNull("addr") ? address(root.get("addr").asText()) : null,
                root.hasNonNull("storage") ? base.resolve(root.get("storage").asText()) : null,
                tls.hasNonNull("certificate") ? base.resolve(tls.get("certificate").asText()) : null,
                tls.hasNonNull("key") ? base.resolve(tls.get("key").asText()) : null,
                root.path("readOnly").asBoolean(false),
                root.path("delete").asBoolean(true),
                root.hasNonNull("uploadExpiry") ? duration(root.get("uploadExpiry").asText()) : null,
                root.hasNonNull("auth") ? root.get("auth") : null);
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (all interfaces). */
    public static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("invalid address " + s + " (want host:port)");
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in " + s);
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("invalid port in " + s);
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** Go-style durations as distribution's config uses them: {@code 90s}, {@code 30m}, {@code 1h}, {@code 2h30m}. */
    public static Duration duration(String s) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
        Duration d = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at == 0 || at != s.length()) throw new IllegalArgumentException("invalid duration " + s + " (e.g. 90s, 30m, 1h)");
        return d;
    }
}
