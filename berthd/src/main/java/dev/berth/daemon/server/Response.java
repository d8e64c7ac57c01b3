package dev.berth.daemon.server;

import dev.berth.api.ApiVersion;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes one HTTP response. A handler picks exactly one shape: a whole body ({@link #json},
 * {@link #text}, {@link #empty}), a chunked stream flushed on every write ({@link #stream}), or a
 * hijacked raw connection ({@link #hijack}). Docker clients rely on the stream shape: the CLI
 * waits for the headers of {@code /wait} before it starts the container.
 */
public final class Response {
    private final OutputStream out;
    private final boolean head;
    private final Map<String, String> extra = new LinkedHashMap<>();
    private boolean committed;
    boolean closeConnection;
    private final InputStream rawIn;

    Response(OutputStream out, InputStream rawIn, boolean head) {
        this.out = out;
        this.rawIn = rawIn;
        this.head = head;
    }

    public boolean committed() { return committed; }

    private volatile boolean ended;

    /** The handler has returned: a client watcher still reading stops without calling back. */
    void ended() { ended = true; }

    /**
     * Calls {@code onGone} (on a thread of its own) if the client closes the connection while
     * this response is being produced. The watcher reads the connection until it ends, so call
     * this only once the request body is read; the connection is closed after this response
     * ({@code Connection: close}), which also ends the watcher.
     */
    public void watchClientGone(Runnable onGone) {
        if (committed) throw new IllegalStateException("watch the client before the response starts");
        closeConnection = true;
        Thread.ofVirtual().name("berth-client-watch").start(() -> {
            byte[] buf = new byte[512];
            try {
                while (!ended && rawIn.read(buf) >= 0) {
                    // a well-behaved client sends nothing more; anything it sends is dropped
                }
            } catch (IOException e) {
                // reset by the peer, or closed by the server after the response
            }
            if (!ended) onGone.run();
        });
    }

    public Response header(String name, String value) {
        extra.put(name, value);
        return this;
    }

    public void json(int status, Object body) throws IOException {
        byte[] bytes = Json.bytes(body);
        bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        bytes[bytes.length - 1] = '\n';
        whole(status, "application/json", bytes);
    }

    public void text(int status, String contentType, String body) throws IOException {
        whole(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public void empty(int status) throws IOException {
        writeHead(status, null, status == 204 || status == 304 ? -2 : 0, false);
        out.flush();
    }

    private void whole(int status, String contentType, byte[] body) throws IOException {
        writeHead(status, contentType, body.length, false);
        if (!head) out.write(body);
        out.flush();
    }

    /** Starts a chunked body; every write becomes one chunk and is flushed at once. */
    public OutputStream stream(int status, String contentType) throws IOException {
        writeHead(status, contentType, -1, false);
        out.flush();
        return new OutputStream() {
            private boolean closed;
            @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }
            @Override public synchronized void write(byte[] b, int off, int len) throws IOException {
                if (len == 0 || closed) return;
                out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b, off, len);
                out.write('\r');
                out.write('\n');
                out.flush();
            }
            @Override public synchronized void close() throws IOException {
                if (closed) return;
                closed = true;
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        };
    }

    /** The raw connection after a hijack: the handler owns both directions until it returns. */
    public record Hijacked(InputStream in, OutputStream out) {}

    /**
     * Takes over the connection. With {@code Upgrade: tcp} the answer is {@code 101 UPGRADED} as
     * dockerd sends it; otherwise a plain 200 whose body runs until the connection closes.
     */
    public Hijacked hijack(Request req, String contentType) throws IOException {
        closeConnection = true;
        committed = true;
        StringBuilder sb = new StringBuilder();
        String upgrade = req.header("upgrade");
        if (upgrade != null) {
            sb.append("HTTP/1.1 101 UPGRADED\r\nContent-Type: ").append(contentType)
              .append("\r\nConnection: Upgrade\r\nUpgrade: ").append(upgrade).append("\r\n");
        } else {
            sb.append("HTTP/1.1 200 OK\r\nContent-Type: ").append(contentType).append("\r\n");
        }
        commonHeaders(sb);
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new Hijacked(rawIn, out);
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private void commonHeaders(StringBuilder sb) {
        sb.append("Api-Version: ").append(ApiVersion.CURRENT).append("\r\n")
          .append("Docker-Experimental: false\r\n")
          .append("Ostype: linux\r\n")
          .append("Server: Docker/").append(ApiVersion.ENGINE_VERSION).append(" (linux)\r\n")
          .append("Date: ").append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        extra.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    }

    /** length: &gt;=0 Content-Length, -1 chunked, -2 no body at all (204/304). */
    private void writeHead(int status, String contentType, long length, boolean unused) throws IOException {
        if (committed) throw new IllegalStateException("response already committed");
        committed = true;
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        commonHeaders(sb);
        if (contentType != null) sb.append("Content-Type: ").append(contentType).append("\r\n");
        if (length >= 0) sb.append("Content-Length: ").append(length).append("\r\n");
        else if (length == -1) sb.append("Transfer-Encoding: chunked\r\n");
        if (closeConnection) sb.append("Connection: close\r\n");
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** The reason phrase of a status code, as Go's net/http writes it. */
    public static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Request Entity Too Large";
            case 416 -> "Requested Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
