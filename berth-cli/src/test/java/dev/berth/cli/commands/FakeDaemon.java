package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.Commands;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A scripted Engine API on a temp unix socket for CLI tests: records each request (method,
 * target, headers, body) and answers with what {@code handler} returns; runs {@code berth}
 * in-process against it with its own config directory.
 */
final class FakeDaemon implements AutoCloseable {
    record Request(String method, String target, Map<String, String> headers, String body) {
        String path() { return target.replaceFirst("\\?.*", ""); }

        String header(String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
            return null;
        }
    }

    record Response(int status, String contentType, String body) {
        static Response json(int status, String body) { return new Response(status, "application/json", body); }
    }

    record Result(int code, String out, String err) {}

    final Path dir;
    final Path configDir;
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final ServerSocketChannel server;
    private volatile Function<Request, Response> handler = r -> Response.json(404, "{\"message\":\"page not found\"}");

    FakeDaemon() throws IOException {
        dir = Files.createTempDirectory("berth-cli-fake");
        configDir = dir.resolve("docker-config");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("d.sock")));
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    SocketChannel c = server.accept();
                    Thread h = new Thread(() -> handle(c));
                    h.setDaemon(true);
                    h.start();
                }
            } catch (IOException closed) {
                // test over
            }
        });
        t.setDaemon(true);
        t.start();
    }

    void answer(Function<Request, Response> h) { this.handler = h; }

    Result berth(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                Map.of("BERTH_HOST", "unix://" + dir.resolve("d.sock"), "DOCKER_CONFIG", configDir.toString(), "HOME", dir.toString()));
        int code = Commands.run(cli, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') sb.append((char) c);
        return sb.toString();
    }

    private static String headerValue(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        return null;
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).trim(), 16);
            if (size == 0) {
                line(in);
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            line(in);
        }
    }

    private void handle(SocketChannel c) {
        try (c) {
            InputStream in = Channels.newInputStream(c);
            OutputStream out = Channels.newOutputStream(c);
            String[] requestLine = line(in).split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            int length = 0;
            String h;
            while (!(h = line(in)).isEmpty()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon), h.substring(colon + 1).trim());
                if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
            }
            byte[] raw = "chunked".equalsIgnoreCase(headerValue(headers, "Transfer-Encoding")) ? readChunked(in) : in.readNBytes(length);
            String body = "application/x-tar".equals(headerValue(headers, "Content-Type"))
                    ? TarListing.of(raw) : new String(raw, StandardCharsets.UTF_8);
            Request req = new Request(requestLine[0], requestLine[1], headers, body);
            requests.add(req);
            Response r = handler.apply(req);
            byte[] b = r.body().getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + r.status() + " X\r\nContent-Type: " + r.contentType() + "\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
        } catch (IOException e) {
            // connection ended
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
