package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.Cli;
import dev.berth.cli.Commands;
import dev.berth.cli.json.Json;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives {@code berth run} against a fake daemon on a unix socket and checks docker's request order. */
class RunFlowTest {
    private Path dir;
    private ServerSocketChannel server;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch attachDone = new CountDownLatch(1);
    private volatile boolean echoStdin;

    @BeforeEach
    void startFakeDaemon() throws IOException {
        dir = Files.createTempDirectory("berth-cli-test");
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

    @AfterEach
    void stop() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("d.sock"));
        Files.deleteIfExists(dir);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') sb.append((char) c);
        return sb.toString();
    }

    private void handle(SocketChannel c) {
        try (c) {
            InputStream in = Channels.newInputStream(c);
            OutputStream out = Channels.newOutputStream(c);
            String requestLine = line(in);
            int length = 0;
            boolean upgrade = false;
            String h;
            while (!(h = line(in)).isEmpty()) {
                if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
                if (h.equalsIgnoreCase("Upgrade: tcp")) upgrade = true;
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            String[] parts = requestLine.split(" ");
            String target = parts[1];
            requests.add(parts[0] + " " + target.replaceFirst("\\?.*", "") + (upgrade ? " (upgrade)" : ""));
            if (target.startsWith("/v1.47/containers/create")) {
                bodies.add(body);
                respond(out, "201 Created", "{\"Id\":\"c0ffee\",\"Warnings\":[]}");
            } else if (target.contains("/attach")) {
                out.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                started.await(5, TimeUnit.SECONDS);
                if (echoStdin) {
                    byte[] all = in.readAllBytes(); // until the client half-closes
                    frame(out, 1, all);
                } else {
                    frame(out, 1, "hello\n".getBytes(StandardCharsets.UTF_8));
                    frame(out, 2, "oops\n".getBytes(StandardCharsets.UTF_8));
                }
                attachDone.countDown();
            } else if (target.contains("/wait")) {
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                attachDone.await(5, TimeUnit.SECONDS);
                byte[] b = "{\"StatusCode\":3,\"Error\":null}\n".getBytes(StandardCharsets.US_ASCII);
                out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b);
                out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (target.contains("/start")) {
                started.countDown();
                out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                respond(out, "404 Not Found", "{\"message\":\"page not found\"}");
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // connection ended
        }
    }

    private static void respond(OutputStream out, String status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(b);
    }

    private static void frame(OutputStream out, int stream, byte[] payload) throws IOException {
        dev.berth.api.StreamFrames.write(out, stream, payload, 0, payload.length);
        out.flush();
    }

    private record Result(int code, String out, String err) {}

    private Result berth(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                Map.of("BERTH_HOST", "unix://" + dir.resolve("d.sock"), "FROM_CLIENT", "yes"));
        int code = Commands.run(cli, args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runAttachesAndWaitsBeforeStartAndExitsWithTheStatus() {
        Result r = berth("", "run", "--name", "t", "-e", "A=1", "-e", "FROM_CLIENT", "-e", "UNSET_VAR", "-l", "k=v",
                "--rm", "busybox", "sh", "-c", "echo hello");
        assertEquals(3, r.code(), r.err());
        assertEquals("hello\n", r.out());
        assertEquals("oops\n", r.err());
        assertEquals(List.of("POST /v1.47/containers/create", "POST /v1.47/containers/c0ffee/attach (upgrade)",
                "POST /v1.47/containers/c0ffee/wait", "POST /v1.47/containers/c0ffee/start"), requests);
        Object body = Json.parse(bodies.getFirst());
        assertEquals(List.of("A=1", "FROM_CLIENT=yes"), Json.list(body, "Env"));
        assertEquals(List.of("sh", "-c", "echo hello"), Json.list(body, "Cmd"));
        assertEquals("busybox", Json.str(body, "Image"));
        assertEquals("v", Json.str(body, "Labels", "k"));
        assertTrue(Json.bool(body, "HostConfig", "AutoRemove"));
        assertEquals("default", Json.str(body, "HostConfig", "NetworkMode"));
        assertEquals(null, Json.get(body, "Entrypoint"));
    }

    @Test
    void interactiveRunSendsStdinAndHalfCloses() {
        echoStdin = true;
        Result r = berth("line one\nline two\n", "run", "-i", "busybox", "cat");
        assertEquals(3, r.code(), r.err());
        assertEquals("line one\nline two\n", r.out());
        Object body = Json.parse(bodies.getFirst());
        assertTrue(Json.bool(body, "OpenStdin"));
        assertTrue(Json.bool(body, "StdinOnce"));
        assertTrue(Json.bool(body, "AttachStdin"));
    }

    @Test
    void detachedRunPrintsTheId() {
        Result r = berth("", "run", "-d", "busybox");
        assertEquals(0, r.code(), r.err());
        assertEquals("c0ffee\n", r.out());
        assertEquals(List.of("POST /v1.47/containers/create", "POST /v1.47/containers/c0ffee/start"), requests);
    }

    @Test
    void daemonErrorsAndUsageErrors() {
        Result r = berth("", "rename", "a", "b");
        assertEquals(1, r.code());
        assertEquals("Error response from daemon: page not found\n", r.err());
        Result u = berth("", "ps", "--bogus");
        assertEquals(125, u.code());
        assertTrue(u.err().startsWith("unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n"), u.err());
        Result n = berth("", "nope");
        assertEquals(1, n.code());
        assertTrue(n.err().startsWith("berth: 'nope' is not a berth command."));
    }

    @Test
    void unreachableDaemon() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("d.sock"));
        Result r = berth("", "ps");
        assertEquals(1, r.code());
        assertEquals("Cannot connect to the Berth daemon at unix://" + dir.resolve("d.sock") + ". Is the berth daemon running?\n", r.err());
    }
}
