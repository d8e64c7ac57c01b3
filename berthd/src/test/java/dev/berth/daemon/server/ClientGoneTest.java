package dev.berth.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Response#watchClientGone}: a client that leaves mid-response is noticed; one that stays is not. */
class ClientGoneTest {
    @TempDir Path dir;

    @Test
    void aClientThatLeavesIsNoticedAndOneThatStaysIsNot() throws Exception {
        CountDownLatch gone = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch watching = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean falseAlarm = new java.util.concurrent.atomic.AtomicBoolean();
        Router r = new Router();
        r.post("/slow", (req, res) -> {
            req.body().transferTo(java.io.OutputStream.nullOutputStream());
            res.watchClientGone(gone::countDown);
            watching.countDown();
            release.await(20, TimeUnit.SECONDS);
            res.json(200, java.util.Map.of("ok", true));
        });
        r.post("/quick", (req, res) -> {
            req.body().transferTo(java.io.OutputStream.nullOutputStream());
            res.watchClientGone(() -> falseAlarm.set(true));
            res.json(200, java.util.Map.of("ok", true));
        });
        Path sock = dir.resolve("s.sock");
        try (HttpServer server = new HttpServer(r, sock)) {
            server.start();
            // the client sends its request and closes the connection while the handler works
            try (SocketChannel c = connect(sock)) {
                send(c, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
                assertTrue(watching.await(10, TimeUnit.SECONDS));
            }
            assertTrue(gone.await(10, TimeUnit.SECONDS), "the watcher saw the client leave");
            release.countDown();

            // a client that reads the whole answer: no call back, and the connection is closed after it
            try (SocketChannel c = connect(sock)) {
                send(c, "POST /quick HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
                String answer = readAll(c);
                assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
                assertTrue(answer.contains("Connection: close\r\n"), answer);
            }
            Thread.sleep(200);
            assertFalse(falseAlarm.get(), "no call back once the response has ended");
        }
        assertEquals(0, gone.getCount());
    }

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    private static void send(SocketChannel c, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) c.write(b);
    }

    private static String readAll(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (c.read(b) >= 0) {
            b.flip();
            sb.append(StandardCharsets.US_ASCII.decode(b));
            b.clear();
        }
        return sb.toString();
    }
}
