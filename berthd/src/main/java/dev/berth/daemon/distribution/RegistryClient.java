package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
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
 * Bearer token flow (WWW-Authenticate realm/service/scope) and Basic auth. Plain HTTP is used
 * only for loopback registries and configured insecure ones; everything else is HTTPS.
 *
 * <p>Errors: {@link BerthException.Unavailable} and plain {@link IOException}s are transient
 * (5xx, refused or lost connections, a registry that stalls longer than the stall timeout);
 * every other {@link BerthException} is final (unknown blob, denied, bad content). Callers that
 * retry ({@link ResumableBlobStream}) rely on that split.
 */
public final class RegistryClient {
    public static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private static final int MAX_MANIFEST = 4 * 1024 * 1024;

    /** How long a registry may keep us waiting for response headers or for the next body bytes. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String host;
    private final String base;
    private final Credentials credentials;
    private final boolean loopbackOnly;
    private final Duration stallTimeout;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private volatile boolean basic; // the registry asked for Basic auth once: send it up front
    private volatile boolean loggingIn; // ask the token server for a refresh token (offline_token)
    private volatile String refreshToken; // what it gave

    /**
     * A user's registry credentials, from {@code X-Registry-Auth} or {@code POST /auth}: a
     * password, or the identity token (an OAuth2 refresh token) a token-auth login returned,
     * which the docker CLI stores in its place.
     */
    public record Credentials(String username, String password, String identityToken) {
        public Credentials(String username, String password) {
            this(username, password, "");
        }

        public Credentials {
            if (identityToken == null) identityToken = "";
        }

        boolean hasIdentityToken() { return !identityToken.isEmpty(); }

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
            return fromJson(Json.parse(json));
        }

        /** One auth config as the docker CLI writes it ({@code username}, {@code password}, {@code identitytoken}); null when empty. */
        public static Credentials fromJson(JsonNode n) {
            String user = n.path("username").asText("");
            String pass = n.path("password").asText("");
            String identity = n.path("identitytoken").asText("");
            return user.isEmpty() && pass.isEmpty() && identity.isEmpty() ? null : new Credentials(user, pass, identity);
        }
    }

    /**
     * A client of the registry at {@code base} ({@code https://host:port}); {@link Registries}
     * decides the scheme and the TLS setup and refuses what may not be contacted.
     *
     * @param loopbackOnly refuse a token realm that is not on loopback ({@code --registry-loopback-only})
     * @param stallTimeout how long the registry (or its token realm) may keep us waiting for
     *     response headers, or, on a blob body, for the next bytes; then the request fails as transient
     */
    RegistryClient(String host, String base, HttpClient http, Credentials credentials, boolean loopbackOnly, Duration stallTimeout) {
        this.host = host;
        this.base = base;
        this.http = http;
        this.credentials = credentials;
        this.loopbackOnly = loopbackOnly;
        this.stallTimeout = stallTimeout;
    }

    public String host() { return host; }

    /**
     * {@code docker login}: checks the credentials against {@code GET /v2/}, following the
     * registry's challenge (Basic, or a Bearer token fetched with the credentials). Returns the
     * identity token for the client to keep instead of the password: the refresh token a token
     * server gave for {@code offline_token=true}, as dockerd asks for it; "" when there is none.
     */
    public String login() throws IOException, InterruptedException {
        loggingIn = true;
        HttpResponse<byte[]> r;
        try {
            r = send("", "/v2/", Map.of(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (BerthException.Unauthorized e) {
            throw new BerthException.Unauthorized("Get \"" + base + "/v2/\": " + e.getMessage());
        }
        if (r.statusCode() != 200) {
            throw new BerthException.Unauthorized("login attempt to " + base + "/v2/ failed with status: " + r.statusCode() + " "
                    + (r.statusCode() == 401 ? "Unauthorized" : ""));
        }
        return refreshToken == null ? "" : refreshToken;
    }

    /** A fetched manifest: its exact bytes (what the digest covers), media type and digest. */
    public record Manifest(byte[] bytes, String mediaType, Digest digest, JsonNode json) {}

    public Manifest manifest(String repo, String reference) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(repo, "/v2/" + repo + "/manifests/" + reference, Map.of("Accept", ACCEPT),
                new StallGuardedBody(stallTimeout));
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(MAX_MANIFEST + 1);
        }
        if (r.statusCode() == 404) {
            throw BerthException.notFound("manifest unknown: " + errorText(body, "manifest unknown"));
        }
        check(r.statusCode(), body, repo);
        if (body.length > MAX_MANIFEST) throw BerthException.invalid("manifest " + reference + " of " + repo + " is larger than 4 MiB");
        Digest digest = Digest.of(body);
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (BerthException.InvalidArgument e) {
            throw BerthException.invalid("error parsing manifest " + reference + " of " + repo + " from " + base + ": " + e.getMessage());
        }
        if (!json.isObject()) throw BerthException.invalid("error parsing manifest " + reference + " of " + repo + " from " + base + ": not a JSON object");
        String type = json.path("mediaType").asText("");
        if (type.isEmpty()) type = r.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", "").strip();
        return new Manifest(body, type, digest, json);
    }

    /** Streams a blob; the caller verifies its digest while reading. */
    public InputStream blob(String repo, Digest digest) throws IOException, InterruptedException {
        return blobFrom(repo, digest, 0).body();
    }

    /**
     * An open blob body starting at {@link #offset} ({@code Range: bytes=from-} when
     * {@code from > 0}; a registry without range support answers from 0 and the caller skips).
     */
    public record BlobBody(InputStream body, long offset) {}

    /**
     * Opens a blob from byte {@code from}. The body fails with an {@link IOException} when the
     * registry sends nothing for the stall timeout. 404 is final ("blob unknown"); 5xx is transient.
     */
    public BlobBody blobFrom(String repo, Digest digest, long from) throws IOException, InterruptedException {
        Map<String, String> headers = from > 0 ? Map.of("Range", "bytes=" + from + "-") : Map.of();
        HttpResponse<InputStream> r = send(repo, "/v2/" + repo + "/blobs/" + digest, headers, new StallGuardedBody(stallTimeout));
        int status = r.statusCode();
        if (status == 206 && from > 0) {
            long start = r.headers().firstValue("Content-Range").map(RegistryClient::rangeStart).orElse(-1L);
            if (start == from) return new BlobBody(r.body(), from);
            r.body().close();
            throw new IOException("registry answered range " + from + "- with Content-Range "
                    + r.headers().firstValue("Content-Range").orElse("(none)"));
        }
        if (status == 200) return new BlobBody(r.body(), 0);
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(4096);
        }
        if (status == 404) throw BerthException.notFound("blob unknown: " + errorText(body, "blob unknown to registry") + ": " + digest);
        check(status, body, repo); // throws: 401/403 denied (final), anything else unavailable (transient)
        throw new IllegalStateException("unreachable");
    }

    private static long rangeStart(String contentRange) {
        Matcher m = Pattern.compile("bytes (\\d+)-").matcher(contentRange);
        return m.lookingAt() ? Long.parseLong(m.group(1)) : -1;
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
        String what = method.charAt(0) + method.substring(1).toLowerCase(java.util.Locale.ROOT) + " \"" + uri + "\"";
        for (int attempt = 0; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(push ? Duration.ofMinutes(10) : stallTimeout).method(method, body);
            headers.forEach(b::header);
            String token = tokens.get(repo);
            if (token != null) b.header("Authorization", "Bearer " + token);
            else if (basic && credentials != null) b.header("Authorization", credentials.basicHeader());
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), handler);
            } catch (java.net.ConnectException e) {
                throw new BerthException.Unavailable(what + ": dial tcp " + host + ": connect: connection refused");
            } catch (java.net.http.HttpConnectTimeoutException e) {
                throw new java.net.http.HttpConnectTimeoutException(what + ": dial tcp " + host + ": i/o timeout");
            } catch (java.net.http.HttpTimeoutException e) {
                throw new java.net.http.HttpTimeoutException(what + ": no response within " + seconds(stallTimeout));
            }
            if (r.statusCode() == 401 && attempt == 0) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                if (r.body() instanceof InputStream in) in.close();
                if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
                    try {
                        tokens.put(repo, fetchToken(challenge, repo));
                    } catch (BerthException.Unauthorized e) {
                        if (repo.isEmpty() || push) throw e; // docker login and push: a 401 the CLI shows as it is
                        // a pull: like the missing-credentials case, never a 401 (the CLI would prompt)
                        throw BerthException.notFound("pull access denied for " + repo
                                + ", repository does not exist or may require 'docker login': " + e.getMessage());
                    }
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

    /**
     * The token flow: GET realm?service=&scope=&account= (Basic credentials when we have them).
     * A login (no repository, no scope in the challenge) asks for no scope. A 401 from the realm
     * is {@link BerthException.Unauthorized} with its reason ("unauthorized: incorrect username or password").
     */
    private String fetchToken(String challenge, String repo) throws IOException, InterruptedException {
        Map<String, String> p = new java.util.HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) p.put(m.group(1), m.group(2));
        String realm = p.get("realm");
        if (realm == null) throw new BerthException.Unauthorized("registry sent a Bearer challenge without a realm");
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new BerthException.Unavailable("registry sent an invalid token realm " + realm);
        }
        if (loopbackOnly && (realmUri.getHost() == null || !Registries.isLoopback(realmUri.getHost()))) {
            throw new BerthException.Forbidden("token realm " + realm + " refused: this daemon only uses loopback registries (--registry-loopback-only)");
        }
        String scope = p.getOrDefault("scope", repo.isEmpty() ? null : "repository:" + repo + ":pull");
        java.util.List<String> query = new java.util.ArrayList<>();
        if (p.containsKey("service")) query.add("service=" + URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8));
        if (scope != null) query.add("scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder tb;
        if (credentials != null && credentials.hasIdentityToken()) {
            // the OAuth2 refresh-token grant, as dockerd trades a stored identity token
            query.add("grant_type=refresh_token");
            query.add("refresh_token=" + URLEncoder.encode(credentials.identityToken(), StandardCharsets.UTF_8));
            query.add("client_id=docker");
            tb = HttpRequest.newBuilder(URI.create(realm)).timeout(stallTimeout).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(String.join("&", query)));
        } else {
            if (credentials != null) query.add("account=" + URLEncoder.encode(credentials.username(), StandardCharsets.UTF_8));
            if (credentials != null && loggingIn) {
                query.add("client_id=docker");
                query.add("offline_token=true");
            }
            String url = realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + String.join("&", query));
            tb = HttpRequest.newBuilder(URI.create(url)).timeout(stallTimeout).GET();
            if (credentials != null) tb.header("Authorization", credentials.basicHeader());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(tb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            throw new BerthException.Unavailable("Get \"" + realm + "\": connect: connection refused");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new BerthException.Unauthorized("unauthorized: " + tokenErrorText(r.body(), "token request to " + realm + " failed with status " + r.statusCode()));
        }
        if (r.statusCode() != 200) {
            throw new BerthException.Unavailable("token request to " + realm + " failed with status " + r.statusCode() + ": " + errorText(r.body(), ""));
        }
        JsonNode t;
        try {
            t = Json.parse(r.body());
        } catch (BerthException.InvalidArgument e) {
            throw new BerthException.Unavailable("token server " + realm + " sent " + e.getMessage());
        }
        String token = t.path("token").asText("");
        if (token.isEmpty()) token = t.path("access_token").asText("");
        if (token.isEmpty()) throw new BerthException.Unauthorized("token server returned no token");
        if (loggingIn && !t.path("refresh_token").asText("").isEmpty()) refreshToken = t.path("refresh_token").asText();
        return token;
    }

    /** A token server's reason: Docker Hub's {@code {"details": …}} or a distribution-spec error body. */
    private static String tokenErrorText(byte[] body, String dflt) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n != null && n.hasNonNull("details")) return n.get("details").asText();
        } catch (IOException | RuntimeException ignored) {
            // not JSON
        }
        return errorText(body, dflt);
    }

    /** "1s", "0.5s". */
    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() / 1000.0 + "s";
    }

    private static void check(int status, byte[] body, String repo) {
        if (status == 200) return;
        String text = errorText(body, "status " + status);
        switch (status) {
            case 401, 403 -> throw BerthException.notFound("pull access denied for " + repo
                    + ", repository does not exist or may require 'docker login': denied: " + text);
            case 404 -> throw BerthException.notFound(text);
            default -> throw new BerthException.Unavailable(("received unexpected HTTP status: " + status + " " + reason(status)).strip()
                    + (text.equals("status " + status) ? "" : ": " + text));
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
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
