package dev.berth.it;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 proxy on a free 127.0.0.1 port in front of a {@link LocalRegistry} (its upstream
 * is loopback too) that misbehaves on request. A rule matches a method and a path pattern and
 * applies to the first {@code times} matching requests (or to all, with {@code times < 0});
 * rules are tried in the order added. Each request is logged with its Range header, the status
 * sent and the fault applied, so a test can count attempts and see resumes.
 *
 * <p>Faults: answer a status (500) without asking the registry; drop the connection after K
 * body bytes (RST); truncate the body after K bytes (Content-Length honest, then FIN); serve
 * wrong bytes (same length); replace the body (a malformed manifest, a manifest naming a blob
 * that does not exist); stall after K bytes. {@link #ignoreRange} makes the registry look like
 * one without range support.
 */
public final class FaultProxy implements AutoCloseable {
    public sealed interface Fault permits Status, DropAfter, TruncateAfter, Corrupt, Replace, Stall {}

    /** Answer {@code code} with a distribution-spec error body; the registry is not asked. */
    public record Status(int code) implements Fault {}

    /** Send the headers and {@code bytes} body bytes, then reset the connection (RST). */
    public record DropAfter(long bytes) implements Fault {}

    /** Send the headers (honest Content-Length) and {@code bytes} body bytes, then close (FIN). */
    public record TruncateAfter(long bytes) implements Fault {}

    /** Send the body with some bytes in the middle flipped: right length, wrong digest. */
    public record Corrupt() implements Fault {}

    /** Send {@code body} instead of the registry's (its Content-Type too; no Docker-Content-Digest). */
    public record Replace(String contentType, byte[] body) implements Fault {}

    /** Send the headers and {@code afterBytes} body bytes, wait {@code time} (or until cleared), then the rest. */
    public record Stall(long afterBytes, Duration time) implements Fault {}

    /** One request as the proxy saw and answered it. */
    public record Logged(String method, String path, String range, int status, String fault) {}

    private record Rule(String method, Pattern path, int[] remaining, Fault fault) {}

    private final int upstreamPort;
    private final ServerSocket server;
    private final HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Rule> rules = new ArrayList<>();
    private final List<Logged> log = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean ignoreRange;
    private volatile CountDownLatch cleared = new CountDownLatch(1);

    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fault-proxy-" + server.getLocalPort()).start(this::accept);
    }

    /** host:port to pull from. */
    public String host() { return "127.0.0.1:" + server.getLocalPort(); }

    /** Adds a rule for the first {@code times} requests (all when negative) whose path matches {@code pathRegex}. */
    public synchronized FaultProxy fault(String method, String pathRegex, int times, Fault fault) {
        rules.add(new Rule(method, Pattern.compile(pathRegex), new int[] {times}, fault));
        return this;
    }

    /** Removes every rule, ends running stalls and honours Range again. The log stays. */
    public synchronized void clear() {
        rules.clear();
        ignoreRange = false;
        cleared.countDown();
        cleared = new CountDownLatch(1);
    }

    public void ignoreRange(boolean ignore) { ignoreRange = ignore; }

    public List<Logged> log() { return List.copyOf(log); }

    public void clearLog() { log.clear(); }

    /** The logged requests whose path matches {@code pathRegex}. */
    public List<Logged> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return log.stream().filter(l -> l.method().equals(method) && p.matcher(l.path()).find()).toList();
    }

    private synchronized Fault match(String method, String path) {
        for (Rule r : rules) {
            if (r.method() != null && !r.method().equals(method)) continue;
            if (!r.path().matcher(path).find() || r.remaining()[0] == 0) continue;
            if (r.remaining()[0] > 0) r.remaining()[0]--;
            return r.fault();
        }
        return null;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private record Request(String method, String target, Map<String, String> headers, byte[] body) {
        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
            while (true) {
                Request req = readRequest(in);
                if (req == null) return;
                if (!answer(req, s, out)) return;
                if ("close".equalsIgnoreCase(req.headers().get("connection"))) return;
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or a fault closed the connection
        } finally {
            sockets.remove(s);
        }
    }

    /** Answers one request; false when the connection must end. */
    private boolean answer(Request req, Socket s, OutputStream out) throws IOException, InterruptedException {
        String range = req.headers().get("range");
        Fault fault = match(req.method(), req.path());
        if (fault instanceof Status st) {
            byte[] body = ("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected fault: status " + st.code() + "\"}]}\n")
                    .getBytes(StandardCharsets.UTF_8);
            writeHead(out, st.code(), List.of(Map.entry("Content-Type", "application/json")), body.length);
            out.write(body);
            out.flush();
            log.add(new Logged(req.method(), req.path(), range, st.code(), fault.toString()));
            return true;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstreamPort + req.target()))
                .timeout(Duration.ofSeconds(30))
                .method(req.method(), req.body().length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        for (var h : req.headers().entrySet()) {
            if (Set.of("host", "connection", "content-length", "expect", "upgrade", "keep-alive", "transfer-encoding", "te").contains(h.getKey())) continue;
            if (h.getKey().equals("range") && ignoreRange) continue;
            b.header(h.getKey(), h.getValue());
        }
        HttpResponse<byte[]> up = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = up.body();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        up.headers().map().forEach((k, vs) -> {
            if (Set.of("content-length", "transfer-encoding", "connection", "keep-alive").contains(k.toLowerCase(Locale.ROOT))) return;
            if (fault instanceof Replace && Set.of("content-type", "docker-content-digest").contains(k.toLowerCase(Locale.ROOT))) return;
            for (String v : vs) headers.add(Map.entry(k, v));
        });
        long length = body.length;
        if (req.method().equals("HEAD")) length = up.headers().firstValueAsLong("Content-Length").orElse(0);
        if (fault instanceof Replace r) {
            body = r.body();
            length = body.length;
            headers.add(Map.entry("Content-Type", r.contentType()));
        }
        if (fault instanceof Corrupt && body.length > 0) {
            body = body.clone();
            for (int i = body.length / 2; i < Math.min(body.length, body.length / 2 + 16); i++) body[i] ^= 0x5a;
        }
        log.add(new Logged(req.method(), req.path(), range, up.statusCode(), fault == null ? null : fault.toString()));
        writeHead(out, up.statusCode(), headers, length);
        if (req.method().equals("HEAD")) {
            out.flush();
            return true;
        }
        switch (fault) {
            case DropAfter d -> {
                out.write(body, 0, (int) Math.min(d.bytes(), body.length));
                out.flush();
                s.setSoLinger(true, 0); // close() now sends RST: "connection reset by peer"
                s.close();
                return false;
            }
            case TruncateAfter t -> {
                out.write(body, 0, (int) Math.min(t.bytes(), body.length));
                out.flush();
                s.shutdownOutput(); // FIN: the client sees EOF before Content-Length bytes
                s.close();
                return false;
            }
            case Stall st -> {
                int first = (int) Math.min(st.afterBytes(), body.length);
                out.write(body, 0, first);
                out.flush();
                cleared.await(st.time().toMillis(), TimeUnit.MILLISECONDS);
                out.write(body, first, body.length - first);
                out.flush();
                return true;
            }
            case null, default -> {
                out.write(body);
                out.flush();
                return true;
            }
        }
    }

    private static void writeHead(OutputStream out, int status, List<Map.Entry<String, String>> headers, long length) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        for (var h : headers) sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        sb.append("Content-Length: ").append(length).append("\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 206 -> "Partial Content";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /** Reads one request (headers lower-cased; a Content-Length body); null at end of stream. */
    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        while (line != null && line.isEmpty()) line = readLine(in);
        if (line == null) return null;
        String[] parts = line.split(" ");
        if (parts.length < 3) throw new IOException("bad request line: " + line);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
            int colon = h.indexOf(':');
            if (colon > 0) headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        if (headers.containsKey("transfer-encoding")) throw new IOException("chunked request bodies are not supported by the fault proxy");
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        clear();
        server.close();
        for (Socket s : sockets) s.close();
    }
}
