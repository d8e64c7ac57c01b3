package dev.berth.registry.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import dev.berth.daemon.server.BodyStreams;
import dev.berth.daemon.server.Response;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * berth-registry's plain-HTTP/1.1 server: one virtual thread per connection, keep-alive,
 * Content-Length and chunked bodies both ways, {@code Expect: 100-continue}, and the
 * {@link HttpExchange} API, so the same handlers serve here and under the JDK's HTTPS server.
 *
 * <p>Why not the JDK's {@code HttpServer} for plain HTTP too: clients of a registry they may
 * reach insecurely (dockerd, berthd, skopeo) try HTTPS first and fall back to HTTP when the
 * answer is not TLS. The JDK server reads a TLS ClientHello as a request line and waits for its
 * end of line forever, so each such client waited out its own TLS handshake timeout (10 s).
 * This server answers a connection that starts with a TLS handshake record at once with a
 * plain-text 400, as Go's server (distribution) does, and the client falls back immediately.
 */
public final class PlainHttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PlainHttpServer.class.getName());
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int IDLE_MILLIS = 60_000;
    private static final int TLS_HANDSHAKE_RECORD = 0x16;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private record Context(String path, HttpHandler handler) {}

    private final ServerSocket server;
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    private PlainHttpServer(ServerSocket server) {
        this.server = server;
    }

    public static PlainHttpServer create(InetSocketAddress addr, int backlog) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(addr, backlog);
        return new PlainHttpServer(s);
    }

    /** Routes requests whose path starts with {@code path} to {@code handler}; the longest prefix wins. */
    public void createContext(String path, HttpHandler handler) {
        contexts.add(new Context(path, handler));
        contexts.sort(Comparator.comparingInt((Context c) -> c.path().length()).reversed());
    }

    public InetSocketAddress address() { return (InetSocketAddress) server.getLocalSocketAddress(); }

    public void start() {
        Thread.ofPlatform().name("registry-accept").start(() -> {
            while (!closing) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread.ofVirtual().name("registry-conn").start(() -> serve(s));
                } catch (IOException e) {
                    if (!closing) LOG.log(System.Logger.Level.WARNING, "accept failed", e);
                }
            }
        });
    }

    @Override public void close() throws IOException {
        closing = true;
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true); // small answers (manifests, 202s) go out at once
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            while (!closing) {
                s.setSoTimeout(IDLE_MILLIS);
                in.mark(1);
                int first;
                try {
                    first = in.read();
                } catch (SocketTimeoutException e) {
                    return; // idle keep-alive connection
                }
                if (first < 0) return;
                in.reset();
                s.setSoTimeout(0);
                if (first == TLS_HANDSHAKE_RECORD) {
                    // a TLS client on the plain port: say so at once, in plain text, and hang up
                    String body = "400 Bad Request";
                    out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + body)
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                if (!exchange(s, in, out)) return;
            }
        } catch (EOFException | SocketException e) {
            // the client went away
        } catch (IOException e) {
            if (!closing) LOG.log(System.Logger.Level.DEBUG, "connection ended", e);
        } finally {
            open.remove(s);
        }
    }

    /** Serves one request; false when the connection must close afterwards. */
    private boolean exchange(Socket s, InputStream in, OutputStream out) throws IOException {
        int[] budget = {MAX_HEAD_BYTES};
        String line = readLine(in, budget);
        while (line != null && line.isEmpty()) line = readLine(in, budget); // stray CRLFs between requests
        if (line == null) return false;
        String[] parts = line.split(" ");
        URI uri = null;
        if (parts.length == 3 && parts[2].startsWith("HTTP/1.")) {
            try {
                uri = new URI(parts[1]);
            } catch (URISyntaxException e) {
                uri = null;
            }
        }
        Headers headers = uri == null ? null : readHeaders(in, budget);
        if (uri == null || headers == null) {
            return badRequest(out);
        }
        boolean http10 = parts[2].equals("HTTP/1.0");
        String connection = headers.getFirst("Connection");
        boolean keepAlive = http10 ? "keep-alive".equalsIgnoreCase(connection) : !"close".equalsIgnoreCase(connection);
        RequestBody body;
        String te = headers.getFirst("Transfer-Encoding");
        String cl = headers.getFirst("Content-Length");
        try {
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) body = RequestBody.chunked(in);
            else if (cl != null) body = RequestBody.fixed(in, Long.parseLong(cl.strip()));
            else body = RequestBody.fixed(in, 0);
        } catch (NumberFormatException e) {
            return badRequest(out);
        }
        if ("100-continue".equalsIgnoreCase(headers.getFirst("Expect")) && !http10) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        Exchange ex = new Exchange(s, parts[0], uri, parts[2], headers, body, out);
        if (http10 && keepAlive) ex.getResponseHeaders().set("Connection", "keep-alive"); // HTTP/1.0 clients (ab -k) need to hear it
        HttpHandler handler = handler(uri.getRawPath() == null ? "/" : uri.getRawPath());
        try {
            if (handler == null) {
                ex.getResponseHeaders().set("Content-Type", "text/html;charset=utf-8");
                byte[] b = "<h1>404 Not Found</h1>No context found for request".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, b.length);
                ex.getResponseBody().write(b);
            } else {
                handler.handle(ex);
            }
        } catch (IOException | RuntimeException e) {
            if (ex.sent) throw e instanceof IOException io ? io : new IOException(e); // mid-body: the connection is unusable
            LOG.log(System.Logger.Level.WARNING, parts[0] + " " + parts[1], e);
            ex.close = true;
            ex.sendResponseHeaders(500, -1);
        }
        if (!ex.sent) { // the handler answered nothing
            ex.close = true;
            ex.sendResponseHeaders(500, -1);
        }
        ex.finish();
        // what the handler left of the request body is read away, within reason, to keep the connection
        if (!body.drain(64 * 1024)) return false;
        return keepAlive && !ex.close;
    }

    /** A request that cannot be read: 400 and the connection closes (returns false for {@link #exchange}). */
    private static boolean badRequest(OutputStream out) throws IOException {
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return false;
    }

    private HttpHandler handler(String path) {
        for (Context c : contexts) if (path.startsWith(c.path())) return c.handler();
        return null;
    }

    /** A line of the head, charged to {@code budget}; null at the end of stream or when the head is too large. */
    private static String readLine(InputStream in, int[] budget) throws IOException {
        String line = BodyStreams.readLine(in, MAX_HEAD_BYTES);
        if (line == null) return null;
        budget[0] -= line.length() + 2;
        return budget[0] < 0 ? null : line;
    }

    /** The header fields, or null when they are malformed or too large. */
    private static Headers readHeaders(InputStream in, int[] budget) throws IOException {
        Headers h = new Headers();
        String line;
        while ((line = readLine(in, budget)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) return null;
            h.add(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return line == null ? null : h;
    }

    /** A request body ending at its own end (BodyStreams' framing), and what is left of it read away. */
    private static final class RequestBody extends java.io.FilterInputStream {
        private RequestBody(InputStream framed) { super(framed); }

        static RequestBody fixed(InputStream in, long length) {
            if (length < 0) throw new NumberFormatException("negative Content-Length");
            return new RequestBody(BodyStreams.fixed(in, length));
        }

        static RequestBody chunked(InputStream in) { return new RequestBody(BodyStreams.chunked(in)); }

        /** Reads what is left, up to {@code max} bytes; false if more was left (the connection then closes). */
        boolean drain(long max) throws IOException {
            byte[] b = new byte[8192];
            long n = 0;
            for (int r; (r = read(b, 0, b.length)) >= 0; ) {
                n += r;
                if (n > max) return false;
            }
            return true;
        }
    }

    /** One request and its answer, under the JDK's exchange API. */
    private static final class Exchange extends HttpExchange {
        private final Socket socket;
        private final String method;
        private final URI uri;
        private final String protocol;
        private final Headers requestHeaders;
        private final Headers responseHeaders = new Headers();
        private final OutputStream raw;
        private final Map<String, Object> attributes = new HashMap<>();
        private InputStream in;
        private OutputStream body;
        private OutputStream userOut;
        private int code = -1;
        boolean sent;
        boolean close;

        Exchange(Socket socket, String method, URI uri, String protocol, Headers requestHeaders, RequestBody requestBody, OutputStream raw) {
            this.socket = socket;
            this.method = method;
            this.uri = uri;
            this.protocol = protocol;
            this.requestHeaders = requestHeaders;
            this.in = requestBody;
            this.raw = raw;
        }

        @Override public Headers getRequestHeaders() { return requestHeaders; }
        @Override public Headers getResponseHeaders() { return responseHeaders; }
        @Override public URI getRequestURI() { return uri; }
        @Override public String getRequestMethod() { return method; }
        /** There are no context objects here: handlers are plain prefixes. */
        @Override public HttpContext getHttpContext() { throw new UnsupportedOperationException("no HttpContext on the plain server"); }
        @Override public InputStream getRequestBody() { return in; }

        @Override public OutputStream getResponseBody() {
            if (userOut == null) {
                userOut = new OutputStream() {
                    @Override public void write(int b) throws IOException { target().write(b); }
                    @Override public void write(byte[] b, int off, int len) throws IOException { target().write(b, off, len); }
                    @Override public void flush() throws IOException { target().flush(); }
                    @Override public void close() throws IOException { if (body != null) body.close(); }

                    private OutputStream target() throws IOException {
                        if (body == null) throw new IOException("response headers not sent yet");
                        return body;
                    }
                };
            }
            return userOut;
        }

        /** As the JDK's: length &gt; 0 fixed, 0 chunked, -1 none; HEAD, 1xx, 204 and 304 never carry a body. */
        @Override public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            if (sent) throw new IOException("headers already sent");
            sent = true;
            code = rCode;
            boolean noBody = false;
            boolean lengthHeader = true;
            if ((rCode >= 100 && rCode < 200) || rCode == 204 || rCode == 304) {
                responseLength = -1;
                lengthHeader = rCode == 304;
            }
            responseHeaders.set("Date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
            if (method.equals("HEAD") || rCode == 304) {
                noBody = true;
                body = new FixedBody(raw, 0);
            } else if (responseLength == 0 && protocol.equals("HTTP/1.0")) {
                close = true; // no chunked encoding in HTTP/1.0: the body ends with the connection
                responseHeaders.set("Connection", "close");
                body = new FixedBody(raw, Long.MAX_VALUE);
            } else if (responseLength == 0) {
                responseHeaders.set("Transfer-encoding", "chunked");
                body = new ChunkedBody(raw);
            } else {
                if (responseLength == -1) {
                    noBody = true;
                    responseLength = 0;
                }
                if (lengthHeader) responseHeaders.set("Content-length", Long.toString(responseLength));
                body = new FixedBody(raw, responseLength);
            }
            List<String> conn = responseHeaders.get("Connection");
            if (conn != null && conn.stream().anyMatch("close"::equalsIgnoreCase)) close = true;
            if (close && conn == null) responseHeaders.set("Connection", "close");
            StringBuilder head = new StringBuilder(256).append("HTTP/1.1 ").append(rCode).append(' ').append(Response.reason(rCode)).append("\r\n");
            responseHeaders.forEach((k, vs) -> {
                for (String v : vs) head.append(k).append(": ").append(v).append("\r\n");
            });
            head.append("\r\n");
            raw.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (noBody) body.close();
        }

        /** After the handler: the body ends (a short fixed-length body closes the connection). */
        void finish() throws IOException {
            body.close();
            if (body instanceof FixedBody f && f.left > 0) close = true; // short, or HTTP/1.0 until-close
            raw.flush();
        }

        @Override public void close() {
            try {
                if (body != null) body.close();
                raw.flush();
            } catch (IOException e) {
                close = true;
            }
        }

        @Override public InetSocketAddress getRemoteAddress() { return (InetSocketAddress) socket.getRemoteSocketAddress(); }
        @Override public int getResponseCode() { return code; }
        @Override public InetSocketAddress getLocalAddress() { return (InetSocketAddress) socket.getLocalSocketAddress(); }
        @Override public String getProtocol() { return protocol; }
        @Override public Object getAttribute(String name) { return attributes.get(name); }
        @Override public void setAttribute(String name, Object value) { attributes.put(name, value); }

        @Override public void setStreams(InputStream i, OutputStream o) {
            if (i != null) in = i;
            if (o != null) throw new UnsupportedOperationException("response stream filters are not supported");
        }

        @Override public HttpPrincipal getPrincipal() { return null; }
    }

    private static final class FixedBody extends OutputStream {
        private final OutputStream out;
        long left;
        private boolean closed;

        FixedBody(OutputStream out, long length) {
            this.out = out;
            this.left = length;
        }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("response body closed");
            if (len > left) throw new IOException("too many bytes to write to stream");
            out.write(b, off, len);
            left -= len;
        }

        @Override public void flush() throws IOException { out.flush(); }

        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            out.flush();
        }
    }

    private static final class ChunkedBody extends OutputStream {
        private final OutputStream out;
        private boolean closed;

        ChunkedBody(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("response body closed");
            if (len == 0) return;
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b, off, len);
            out.write('\r');
            out.write('\n');
        }

        @Override public void flush() throws IOException { out.flush(); }

        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
