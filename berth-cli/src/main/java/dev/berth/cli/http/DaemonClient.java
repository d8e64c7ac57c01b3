package dev.berth.cli.http;

import dev.berth.api.ApiVersion;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Engine API client: one connection per call, versioned paths ({@code /v1.47/...}).
 * Paths passed in start with '/' and exclude the version prefix. Calls that "expect" success
 * throw {@link DaemonException} with the daemon's message on a non-2xx status.
 */
public final class DaemonClient {
    private static final Map<String, String> NO_HEADERS = Map.of();
    private final Endpoint endpoint;
    private final String prefix = "/v" + ApiVersion.CURRENT;

    public DaemonClient(Endpoint endpoint) { this.endpoint = endpoint; }

    public Endpoint endpoint() { return endpoint; }

    public HttpConnection open() throws IOException {
        return new HttpConnection(endpoint.connect(), endpoint.unixPath() != null ? "api.moby.localhost" : endpoint.host());
    }

    /** Sends a request (optional JSON body) and returns the response with its body unread. */
    public HttpResponse call(String method, String path, Object jsonBody) throws IOException {
        return call(method, path, jsonBody, NO_HEADERS);
    }

    /** As {@link #call(String, String, Object)}, with extra request headers (e.g. {@code X-Registry-Auth}). */
    public HttpResponse call(String method, String path, Object jsonBody, Map<String, String> headers) throws IOException {
        HttpConnection c = open();
        try {
            byte[] body = jsonBody == null ? null : Json.toJson(jsonBody).getBytes(StandardCharsets.UTF_8);
            return c.exchange(method, prefix + path, headers, body);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Opens a connection and sends a body-less request; read the answer with {@link HttpConnection#readResponse}. */
    public HttpConnection begin(String method, String path) throws IOException {
        HttpConnection c = open();
        try {
            c.send(method, prefix + path, NO_HEADERS);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Like {@link #call} but throws on non-2xx; the caller reads and closes the body. */
    public HttpResponse stream(String method, String path, Object jsonBody) throws IOException {
        return checked(call(method, path, jsonBody));
    }

    /** {@link #stream(String, String, Object)} with extra request headers. */
    public HttpResponse stream(String method, String path, Object jsonBody, Map<String, String> headers) throws IOException {
        return checked(call(method, path, jsonBody, headers));
    }

    /** Streams {@code body} as a chunked request body (e.g. an image tarball for import). */
    public HttpResponse upload(String method, String path, InputStream body, String contentType) throws IOException {
        HttpConnection c = open();
        try {
            return checked(c.exchangeStreaming(method, prefix + path,
                    Map.of("Content-Type", contentType), body));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Produces a streamed request body. */
    public interface BodyWriter {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /** Streams the body {@code body} writes as a chunked request with {@code headers}; throws on non-2xx. */
    public HttpResponse upload(String method, String path, Map<String, String> headers, BodyWriter body) throws IOException {
        HttpConnection c = open();
        try {
            return checked(c.exchangeStreaming(method, prefix + path, headers, body));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Expects 2xx and returns the parsed JSON body (null when empty). */
    public Object json(String method, String path, Object jsonBody) throws IOException {
        try (HttpResponse r = stream(method, path, jsonBody)) {
            String s = r.bodyString().trim();
            return s.isEmpty() ? null : Json.parse(s);
        }
    }

    /** Expects 2xx and returns the raw body text. */
    public String text(String method, String path) throws IOException {
        try (HttpResponse r = stream(method, path, null)) {
            return r.bodyString();
        }
    }

    /** Expects 2xx; the body is discarded. */
    public void expectOk(String method, String path) throws IOException {
        try (HttpResponse r = stream(method, path, null)) {
            r.body().transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /**
     * Hijacks a connection (attach): sends {@code Connection: Upgrade, Upgrade: tcp} and accepts
     * 101 (or 200, as dockerd answers old clients). The returned connection is then a raw
     * bidirectional stream.
     */
    public HttpConnection hijack(String method, String path) throws IOException {
        HttpConnection c = open();
        try {
            HttpResponse r = c.exchange(method, prefix + path,
                    Map.of("Connection", "Upgrade", "Upgrade", "tcp"), null);
            if (r.status() == 101 || r.ok()) return c;
            checked(r);
            throw new IOException("unexpected status " + r.status());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Converts a non-2xx response to a {@link DaemonException} (closing it); passes 2xx through. */
    public static HttpResponse checked(HttpResponse r) throws IOException {
        if (r.ok()) return r;
        try (r) {
            throw new DaemonException(r.status(), errorMessage(r.status(), r.reason(), readQuietly(r)));
        }
    }

    private static String readQuietly(HttpResponse r) {
        try {
            return r.bodyString();
        } catch (IOException e) {
            return "";
        }
    }

    /** Extracts {@code message} from a JSON error body; falls back to the text or the status. */
    static String errorMessage(int status, String reason, String body) {
        String b = body.trim();
        if (b.startsWith("{")) {
            try {
                Object m = Json.get(Json.parse(b), "message");
                if (m instanceof String s) return s;
            } catch (IllegalArgumentException ignored) {
                // not JSON after all: fall through to the raw text
            }
        }
        if (!b.isEmpty()) return b;
        return status + " " + reason;
    }
}
