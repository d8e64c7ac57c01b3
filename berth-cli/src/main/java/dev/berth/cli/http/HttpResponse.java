package dev.berth.cli.http;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed response head plus its body stream, decoded according to the framing
 * (chunked, Content-Length, or read-until-close). Closing it closes the connection.
 */
public final class HttpResponse implements Closeable {
    private final int status;
    private final String reason;
    private final Map<String, String> headers; // lower-case names
    private final InputStream body;
    private final Closeable connection;

    HttpResponse(int status, String reason, Map<String, String> headers, InputStream body, Closeable connection) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.connection = connection;
    }

    /**
     * Reads a response head from {@code in} (which must be buffered: bytes after the head stay
     * in it for the body or a hijacked stream). Interim 100 responses are skipped.
     */
    public static HttpResponse read(InputStream in, String method, Closeable connection) throws IOException {
        while (true) {
            String statusLine = HttpIo.readLine(in);
            if (statusLine == null) throw new IOException("connection closed before response");
            if (statusLine.isEmpty()) continue;
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new IOException("bad status line: " + statusLine);
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while ((line = HttpIo.readLine(in)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.merge(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim(),
                            (a, b) -> a + ", " + b);
                }
            }
            if (status == 100) continue;
            return new HttpResponse(status, parts.length > 2 ? parts[2] : "", headers,
                    bodyStream(in, method, status, headers), connection);
        }
    }

    private static InputStream bodyStream(InputStream in, String method, int status, Map<String, String> headers) {
        if ("HEAD".equals(method) || status == 101 || status == 204 || status == 304) {
            return InputStream.nullInputStream();
        }
        String te = headers.getOrDefault("transfer-encoding", "");
        if (te.toLowerCase().contains("chunked")) return new ChunkedInputStream(in);
        String cl = headers.get("content-length");
        if (cl != null) return new BoundedInputStream(in, Long.parseLong(cl.trim()));
        return in;
    }

    public static HttpResponse read(byte[] raw, String method) throws IOException {
        return read(new BufferedInputStream(new java.io.ByteArrayInputStream(raw)), method, () -> {});
    }

    public int status() { return status; }

    public String reason() { return reason; }

    public String header(String name) { return headers.get(name.toLowerCase()); }

    /** Success as the Docker client sees it: 2xx, and 3xx such as 304 "container already stopped". */
    public boolean ok() { return status >= 200 && status < 400 && status != 101; }

    public InputStream body() { return body; }

    public String bodyString() throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException { connection.close(); }
}
