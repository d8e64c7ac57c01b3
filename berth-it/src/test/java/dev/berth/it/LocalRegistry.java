package dev.berth.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Debian's docker-registry (CNCF distribution) on a free 127.0.0.1 port with its own storage,
 * plus helpers to build OCI layouts and copy them in with skopeo. Loopback only.
 */
public final class LocalRegistry implements AutoCloseable {
    public final Path dir;
    public final int port;
    private final Process process;

    public LocalRegistry() throws Exception {
        this((String) null, null);
    }

    /** With {@code user}/{@code password}: htpasswd (bcrypt) Basic auth, like a private registry. */
    public LocalRegistry(String user, String password) throws Exception {
        this(user, password, null);
    }

    /** Serving HTTPS with this certificate and key; with {@code clientCa}, only to clients it signed. */
    public record Tls(Path certificate, Path key, Path clientCa) {}

    public LocalRegistry(String user, String password, Tls tls) throws Exception {
        this(tls, dir -> {
            if (user == null) return "";
            Cmd.Result h = Cmd.run(Map.of(), null, "htpasswd", "-Bbn", user, password);
            if (h.code() != 0) throw new IllegalStateException("htpasswd failed: " + h);
            Files.writeString(dir.resolve("htpasswd"), h.out());
            return "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + dir.resolve("htpasswd") + "\n";
        });
    }

    /**
     * Behind token auth, like Docker Hub: the registry answers 401 with a Bearer challenge naming
     * {@code tokens}' realm and trusts the JWTs it signs (issuer, service, root certificate).
     */
    public LocalRegistry(TokenServer tokens) throws Exception {
        this(null, dir -> "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + tokens.certBundle() + "\n");
    }

    /** The {@code auth:} section of the registry's config, written once its directory exists. */
    private interface AuthConfig {
        String yaml(Path dir) throws Exception;
    }

    private LocalRegistry(Tls tls, AuthConfig authConfig) throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "berth-registry-");
        String auth = authConfig.yaml(dir);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port) + tlsConfig(tls) + auth);
        process = new ProcessBuilder("/usr/bin/docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            if (Cmd.run(Map.of(), null, "curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + port + "/v2/").code() == 0) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
    }

    private static String tlsConfig(Tls tls) {
        if (tls == null) return "";
        return "  tls:\n    certificate: " + tls.certificate() + "\n    key: " + tls.key() + "\n"
                + (tls.clientCa() == null ? "" : "    clientcas:\n      - " + tls.clientCa() + "\n");
    }

    public String host() { return "127.0.0.1:" + port; }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/docker-registry")) && Files.isExecutable(Path.of("/usr/bin/skopeo"))
                && Files.isExecutable(Path.of("/usr/bin/htpasswd"));
    }

    /** The registry's output, with one access-log line per request. */
    public String log() throws IOException { return Files.readString(dir.resolve("registry.log")); }

    /** The blob file the registry serves for a digest (to corrupt it in tests). */
    public Path blobFile(String digest) {
        String hex = digest.substring(7);
        return dir.resolve("data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    /** skopeo copy of an OCI layout tag into this registry. */
    public void push(Path layout, String layoutTag, String dest, String... extra) throws Exception {
        String[] base = {"skopeo", "copy", "--dest-tls-verify=false"};
        String[] cmd = new String[base.length + extra.length + 2];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(extra, 0, cmd, base.length, extra.length);
        cmd[cmd.length - 2] = "oci:" + layout + ":" + layoutTag;
        cmd[cmd.length - 1] = "docker://" + host() + "/" + dest;
        Cmd.Result r = Cmd.run(Map.of(), null, cmd);
        if (r.code() != 0) throw new IllegalStateException("skopeo copy failed: " + r);
    }

    /** An OCI layout with one image (a gzip layer of {@code rootfsTar}) under {@code tag}; returns the manifest digest. */
    public static OciImage ociLayout(Path layout, Path rootfsTar, String tag, List<String[]> platforms) throws Exception {
        return ociLayout(layout, rootfsTar, tag, platforms, "gzip");
    }

    /** As above, the layer compressed with {@code gzip} or {@code zstd} (Debian's zstd tool). */
    public static OciImage ociLayout(Path layout, Path rootfsTar, String tag, List<String[]> platforms, String compression) throws Exception {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] tar = Files.readAllBytes(rootfsTar);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        if (compression.equals("zstd")) {
            Path out = Files.createTempFile("layer", ".zst");
            Cmd.Result z = Cmd.run(Map.of(), null, "zstd", "-q", "-f", rootfsTar.toString(), "-o", out.toString());
            if (z.code() != 0) throw new IllegalStateException("zstd failed: " + z);
            gz.write(Files.readAllBytes(out));
            Files.delete(out);
        } else {
            try (OutputStream o = new GZIPOutputStream(gz)) {
                o.write(tar);
            }
        }
        String layer = blob(layout, gz.toByteArray());
        String config = blob(layout, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha(tar) + "\"]}}").getBytes());
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":"
                + Files.size(path(layout, config)) + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+" + compression + "\","
                + "\"digest\":\"" + layer + "\",\"size\":" + gz.size() + "}]}").getBytes();
        String m = blob(layout, manifest);
        StringBuilder entries = new StringBuilder();
        if (platforms == null) {
            entries.append(entry(m, manifest.length, null, tag));
        } else {
            StringBuilder inner = new StringBuilder();
            for (String[] p : platforms) {
                if (!inner.isEmpty()) inner.append(',');
                inner.append(entry(m, manifest.length, p, null));
            }
            byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" + inner + "]}").getBytes();
            String idx = blob(layout, index);
            entries.append("{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + idx + "\",\"size\":" + index.length
                    + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}");
        }
        Path indexFile = layout.resolve("index.json");
        String existing = Files.exists(indexFile) ? Files.readString(indexFile) : null;
        String all = existing == null ? entries.toString()
                : existing.substring(existing.indexOf('[') + 1, existing.lastIndexOf(']')) + "," + entries;
        Files.writeString(indexFile, "{\"schemaVersion\":2,\"manifests\":[" + all + "]}");
        return new OciImage(m, layer, config);
    }

    public record OciImage(String manifest, String layer, String config) {}

    private static String entry(String digest, int size, String[] platform, String tag) {
        return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + digest + "\",\"size\":" + size
                + (platform == null ? "" : ",\"platform\":{\"os\":\"" + platform[0] + "\",\"architecture\":\"" + platform[1] + "\"}")
                + (tag == null ? "" : ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}") + "}";
    }

    private static String blob(Path layout, byte[] data) throws IOException {
        String d = sha(data);
        Files.write(path(layout, d), data);
        return d;
    }

    private static Path path(Path layout, String digest) { return layout.resolve("blobs/sha256").resolve(digest.substring(7)); }

    static String sha(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
        Cmd.run(Map.of(), null, "rm", "-rf", dir.toString());
    }
}
