package dev.berth.daemon.distribution;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ResumableBlobStream} against a JDK HttpServer on loopback that cuts bodies short,
 * answers 500 or 404, or ignores Range: the reader gets every byte once, in order.
 */
class ResumableBlobStreamTest {
    static final byte[] BLOB = new byte[256 * 1024];
    static final Digest DIGEST;
    static {
        new Random(7).nextBytes(BLOB);
        DIGEST = Digest.of(BLOB);
    }
    static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(4));

    HttpServer server;
    final List<String> ranges = new CopyOnWriteArrayList<>(); // the Range header of each request ("" when none)
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile int failWith; // 0: cut the body after 1000 bytes; else this status
    volatile boolean honourRange = true;
    final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", this::serve);
        server.start();
    }

    @AfterEach
    void stop() { server.stop(0); }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String range = ex.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            if (!ex.getRequestURI().getPath().endsWith(DIGEST.toString())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (failuresLeft.getAndDecrement() > 0 && failWith != 0) {
                ex.sendResponseHeaders(failWith, -1);
                return;
            }
            boolean cut = failuresLeft.get() >= 0 && failWith == 0;
            int from = 0;
            if (range != null && honourRange) {
                from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (BLOB.length - 1) + "/" + BLOB.length);
                ex.sendResponseHeaders(206, BLOB.length - from);
            } else {
                ex.sendResponseHeaders(200, BLOB.length);
            }
            // a cut body: fewer bytes than Content-Length, then the exchange closes the connection
            ex.getResponseBody().write(BLOB, from, cut ? 1000 : BLOB.length - from);
            ex.getResponseBody().flush();
        } catch (IOException expected) {
            // "insufficient bytes written": that is the point
        }
    }

    private ResumableBlobStream open(Digest digest, RetryPolicy policy) {
        String host = "127.0.0.1:" + server.getAddress().getPort();
        RegistryClient client = new RegistryClient(host, "http://" + host, java.net.http.HttpClient.newHttpClient(), null, true, Duration.ofSeconds(5));
        return new ResumableBlobStream(client, "test/repo", digest, BLOB.length, new DownloadAttempts(policy, new Progress(progress), "abc"));
    }

    @Test
    void aCutBodyResumesWithRange() throws IOException {
        failuresLeft.set(2);
        try (ResumableBlobStream in = open(DIGEST, FAST)) {
            assertArrayEquals(BLOB, in.readAllBytes());
            assertTrue(in.resumed());
        }
        assertEquals(List.of("", "bytes=1000-", "bytes=2000-"), ranges);
        assertTrue(progress.toString().contains("Retrying in"), progress::toString);
    }

    @Test
    void withoutRangeSupportWhatWasReadIsSkipped() throws IOException {
        failuresLeft.set(1);
        honourRange = false;
        try (InputStream in = open(DIGEST, FAST)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertEquals(List.of("", "bytes=1000-"), ranges);
    }

    @Test
    void serverErrorsAreRetried() throws IOException {
        failWith = 503;
        failuresLeft.set(3);
        try (InputStream in = open(DIGEST, FAST)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertEquals(4, ranges.size());
    }

    @Test
    void aServerErrorThatPersistsEndsAfterTheLastAttempt() {
        failWith = 500;
        failuresLeft.set(100);
        BerthException.Unavailable e = assertThrows(BerthException.Unavailable.class, () -> open(DIGEST, FAST).readAllBytes());
        assertEquals("failed to pull layer abc: download failed after 4 attempts: received unexpected HTTP status: 500 Internal Server Error",
                e.getMessage());
        assertEquals(4, ranges.size());
    }

    @Test
    void anUnknownBlobIsNotRetried() {
        Digest other = Digest.of(new byte[] {1});
        BerthException.NotFound e = assertThrows(BerthException.NotFound.class, () -> open(other, FAST).readAllBytes());
        assertTrue(e.getMessage().startsWith("blob unknown"), e::getMessage);
        assertEquals(1, ranges.size());
    }

    @Test
    void backOffDoublesUpToTheCap() {
        RetryPolicy p = RetryPolicy.DEFAULT;
        assertEquals(5, p.maxAttempts());
        assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 3200L),
                java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(n -> p.delayAfter(n).toMillis()).toList());
    }
}
