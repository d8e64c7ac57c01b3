package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API for one registry host: manifests and blobs, with the
 * anonymous Bearer token flow (WWW-Authenticate realm/service/scope). Plain HTTP is used only
 * for loopback registries and configured insecure ones; everything else is HTTPS.
 */
public final class RegistryClient {
    public static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final HttpClient http;
    private final String host;
    private final String base;
    private final Credentials credentials;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private volatile boolean basic; // the registry asked for Basic auth once: send it up front

    /** A user's registry credentials, from {@code X-Registry-Auth} or {@code POST /auth}. */
    public record Credentials(String username, String password) {
        String basicHeader() {
            return "Basic " + java.util.Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        /** Decodes dockerd's X-Registry-Auth header (base64url JSON); null when absent or empty. */
        public static Credentials fromHeader(String header) {
            if (header == null || header.isBlank()) return null;
            byte[] json;
            try {
                json = java.util.Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_').replace("=", ""));
            } catch (IllegalArgumentException e) {
                throw BerthException.invalid("invalid X-Registry-Auth header: not base64");
            }
            JsonNode n = Json.parse(json);
            String user = n.path("username").asText("");
            String pass = n.path("password").asText("");
            return user.isEmpty() && pass.isEmpty() ? null : new Credentials(user, pass);
        }
    }

    /**
     * A client of the registry at {@code base} ({@code https://host:port}); {@link Registries}
     * decides the scheme and the TLS setup and refuses what may not be contacted.
     */
    RegistryClient(String host, String base, HttpClient http, Credentials credentials) {
        this.host = host;
        this.base = base;
        this.http = http;
        this.credentials = credentials;
    }

    public String host() { return host; }

    /**
     * {@code docker login}: checks the credentials against {@code GET /v2/}, following the
     * registry's challenge (Basic, or a Bearer token fetched with the credentials).
     */
    public void login() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send("", "/v2/", Map.of(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new BerthException.Unauthorized("login attempt to " + base + "/v2/ failed with status: " + r.statusCode() + " "
                    + (r.statusCode() == 401 ? "Unauthorized" : ""));
        }
    }

    /** A fetched manifest: its exact bytes (what the digest covers), media type and digest. */
    public record Manifest(byte[] bytes, String mediaType, Digest digest, JsonNode json) {}

    public Manifest manifest(String repo, String reference) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(repo, "/v2/" + repo + "/manifests/" + reference, Map.of("Accept", ACCEPT),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            throw BerthException.notFound("manifest unknown: " + errorText(r.body(), "manifest unknown"));
        }
        check(r.statusCode(), r.body(), repo);
        byte[] body = r.body();
        Digest digest = Digest.of(body);
        JsonNode json = Json.parse(body);
        String type = json.path("mediaType").asText("");
        if (type.isEmpty()) type = r.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", "").strip();
        return new Manifest(body, type, digest, json);
    }

    /** Streams a blob; the caller verifies its digest while reading. */
    public InputStream blob(String repo, Digest digest) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(repo, "/v2/" + repo + "/blobs/" + digest, Map.of(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(4096);
            }
            if (r.statusCode() == 404) throw BerthException.notFound("blob unknown: " + digest);
            check(r.statusCode(), body, repo);
        }
        return r.body();
    }

    private <T> HttpResponse<T> send(String repo, String path, Map<String, String> headers, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return send(repo, "GET", path, headers, HttpRequest.BodyPublishers.noBody(), handler, false);
    }

    /**
     * One request, following an auth challenge once: a Bearer challenge fetches a token for the
     * scope it names, a Basic one makes later requests carry the credentials. {@code target} is a
     * path on the registry or an absolute URL (an upload Location). The body publisher may be
     * sent twice, so callers send bodies only once a body-less request has settled auth.
     */
    private <T> HttpResponse<T> send(String repo, String method, String target, Map<String, String> headers,
            HttpRequest.BodyPublisher body, HttpResponse.BodyHandler<T> handler, boolean push)
            throws IOException, InterruptedException {
        URI uri = target.startsWith("/") ? URI.create(base + target) : URI.create(base + "/").resolve(target);
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).method(method, body);
            headers.forEach(b::header);
            String token = tokens.get(repo);
            if (token != null) b.header("Authorization", "Bearer " + token);
            else if (basic && credentials != null) b.header("Authorization", credentials.basicHeader());
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), handler);
            } catch (java.net.ConnectException e) {
                throw new BerthException.Unavailable("Get \"" + base + "/v2/\": dial tcp " + base.replaceFirst("^https?://", "") + ": connect: connection refused");
            }
            if (r.statusCode() == 401 && attempt == 0) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                if (r.body() instanceof InputStream in) in.close();
                if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
                    tokens.put(repo, fetchToken(challenge, repo));
                    continue;
                }
                if (challenge.regionMatches(true, 0, "Basic", 0, 5) && credentials != null) {
                    basic = true;
                    continue;
                }
                if (push) throw new BerthException.Unauthorized("no basic auth credentials");
                // dockerd answers 404 here: a 401 would make the docker CLI prompt for a login
                throw BerthException.notFound("pull access denied for " + repo + ", repository does not exist or may require 'docker login': no basic auth credentials");
            }
            return r;
        }
    }

    // ---- push ---------------------------------------------------------------------------------

    /** {@code HEAD /v2/<repo>/blobs/<digest>}: whether the repository has the blob. */
    public boolean blobExists(String repo, Digest digest) throws IOException, InterruptedException {
        HttpResponse<Void> r = send(repo, "HEAD", "/v2/" + repo + "/blobs/" + digest, Map.of(),
                HttpRequest.BodyPublishers.noBody(), HttpResponse.BodyHandlers.discarding(), true);
        if (r.statusCode() == 200) return true;
        if (r.statusCode() == 404) return false;
        checkPush(r.statusCode(), new byte[0]);
        return false;
    }

    /** An upload session: where to send its bytes next. */
    public record Upload(String location) {}

    /**
     * Starts an upload; with {@code mountFrom} asks the registry to mount {@code digest} from
     * that repository instead. Returns null when the mount succeeded (201), else the session.
     */
    public Upload startUpload(String repo, Digest digest, String mountFrom) throws IOException, InterruptedException {
        String q = mountFrom == null ? "" : "?mount=" + digest + "&from=" + URLEncoder.encode(mountFrom, StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = send(repo, "POST", "/v2/" + repo + "/blobs/uploads/" + q, Map.of(),
                HttpRequest.BodyPublishers.noBody(), HttpResponse.BodyHandlers.ofByteArray(), true);
        if (r.statusCode() == 201 && mountFrom != null) return null;
        if (r.statusCode() != 202) checkPush(r.statusCode(), r.body());
        return new Upload(location(r));
    }

    /**
     * Sends the next chunk of an upload ({@code PATCH} with Content-Range from {@code offset});
     * returns the session to continue with.
     */
    public Upload uploadChunk(String repo, Upload upload, byte[] data, int len, long offset) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(repo, "PATCH", upload.location(),
                Map.of("Content-Type", "application/octet-stream", "Content-Range", offset + "-" + (offset + len - 1)),
                HttpRequest.BodyPublishers.ofByteArray(data, 0, len), HttpResponse.BodyHandlers.ofByteArray(), true);
        if (r.statusCode() != 202) checkPush(r.statusCode(), r.body());
        return new Upload(location(r));
    }

    /** Completes an upload ({@code PUT ?digest=}), with {@code data} as its last (or only) bytes. */
    public void finishUpload(String repo, Upload upload, Digest digest, byte[] data, int len) throws IOException, InterruptedException {
        String loc = upload.location() + (upload.location().contains("?") ? "&" : "?") + "digest=" + digest;
        HttpResponse<byte[]> r = send(repo, "PUT", loc, Map.of("Content-Type", "application/octet-stream"),
                HttpRequest.BodyPublishers.ofByteArray(data, 0, len), HttpResponse.BodyHandlers.ofByteArray(), true);
        if (r.statusCode() != 201) checkPush(r.statusCode(), r.body());
    }

    /** {@code PUT /v2/<repo>/manifests/<reference>}; returns the digest the registry computed. */
    public Digest putManifest(String repo, String reference, String mediaType, byte[] bytes) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(repo, "PUT", "/v2/" + repo + "/manifests/" + reference, Map.of("Content-Type", mediaType),
                HttpRequest.BodyPublishers.ofByteArray(bytes), HttpResponse.BodyHandlers.ofByteArray(), true);
        if (r.statusCode() != 201) checkPush(r.statusCode(), r.body());
        String d = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        return d == null ? Digest.of(bytes) : Digest.parse(d);
    }

    private String location(HttpResponse<?> r) {
        String loc = r.headers().firstValue("Location").orElse(null);
        if (loc == null || loc.isEmpty()) throw new BerthException.Unavailable("registry started an upload without a Location");
        return loc;
    }

    /** Registry errors during a push, with the registry's own words as dockerd shows them. */
    private static void checkPush(int status, byte[] body) {
        String code = "";
        String text = errorText(body, "");
        try {
            code = Json.MAPPER.readTree(body).path("errors").path(0).path("code").asText("");
        } catch (IOException | RuntimeException ignored) {
            // not JSON
        }
        String msg = (code.isEmpty() ? "" : code.toLowerCase(java.util.Locale.ROOT) + ": ") + (text.isEmpty() ? "status " + status : text);
        switch (status) {
            case 401 -> throw new BerthException.Unauthorized(msg.isEmpty() ? "unauthorized: authentication required" : msg);
            case 403 -> throw new BerthException.Forbidden(msg);
            case 404 -> throw BerthException.notFound(msg);
            case 400 -> throw BerthException.invalid(msg);
            default -> throw new BerthException.Unavailable("received unexpected HTTP status: " + status + " " + msg);
        }
    }

    private String fetchToken(String challenge, String repo) throws IOException, InterruptedException {
        Map<String, String> p = new java.util.HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) p.put(m.group(1), m.group(2));
        String realm = p.get("realm");
        if (realm == null) throw new BerthException.Unauthorized("registry sent a Bearer challenge without a realm");
        String scope = p.getOrDefault("scope", "repository:" + repo + ":pull");
        String url = realm + "?scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + (p.containsKey("service") ? "&service=" + URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8) : "");
        HttpRequest.Builder tb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (credentials != null) tb.header("Authorization", credentials.basicHeader());
        HttpResponse<byte[]> r = http.send(tb.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new BerthException.Unauthorized("token request to " + realm + " failed with status " + r.statusCode());
        JsonNode t = Json.parse(r.body());
        String token = t.path("token").asText(t.path("access_token").asText(""));
        if (token.isEmpty()) throw new BerthException.Unauthorized("token server returned no token");
        return token;
    }

    private static void check(int status, byte[] body, String repo) {
        if (status == 200) return;
        String text = errorText(body, "status " + status);
        switch (status) {
            case 401, 403 -> throw BerthException.notFound("pull access denied for " + repo
                    + ", repository does not exist or may require 'docker login': denied: " + text);
            case 404 -> throw BerthException.notFound(text);
            default -> throw new BerthException.Unavailable("registry answered " + status + ": " + text);
        }
    }

    /** The first message of a distribution-spec error body, or {@code dflt}. */
    static String errorText(byte[] body, String dflt) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode e = n.path("errors").path(0);
            if (!e.isMissingNode()) return e.path("message").asText(dflt);
        } catch (IOException | RuntimeException ignored) {
            // not JSON
        }
        return dflt;
    }
}
