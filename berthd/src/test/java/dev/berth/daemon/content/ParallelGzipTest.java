package dev.berth.daemon.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ParallelGzipTest {
    private static byte[] gzip(byte[] data, int level) throws IOException {
        try (ParallelGzip z = new ParallelGzip(new ByteArrayInputStream(data), level)) {
            return z.readAllBytes();
        }
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static byte[] text(int size) {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(1);
        while (sb.length() < size) sb.append("line ").append(r.nextInt(1000)).append(" of some repetitive layer content\n");
        return sb.substring(0, size).getBytes();
    }

    @Test void roundTripsSizesAroundChunkBoundaries() throws IOException {
        int c = ParallelGzip.CHUNK;
        for (int size : new int[] {0, 1, 100, c - 1, c, c + 1, 3 * c, 3 * c + 12345}) {
            byte[] data = text(size);
            byte[] gz = gzip(data, 6);
            assertArrayEquals(data, gunzip(gz), "size " + size);
            if (size > 10_000) assertTrue(gz.length < size / 3, "text compresses: " + gz.length + " of " + size);
        }
    }

    @Test void incompressibleChunksAreStoredAndStillValid() throws IOException {
        byte[] data = new byte[5 * ParallelGzip.CHUNK + 777];
        new Random(7).nextBytes(data);
        byte[] gz = gzip(data, 6);
        assertArrayEquals(data, gunzip(gz));
        assertTrue(gz.length < data.length + data.length / 500, "stored blocks cost little: " + gz.length);
    }

    @Test void mixedContentRoundTrips() throws IOException {
        byte[] data = new byte[4 * ParallelGzip.CHUNK];
        byte[] t = text(data.length);
        new Random(3).nextBytes(data);
        System.arraycopy(t, 0, data, ParallelGzip.CHUNK, 2 * ParallelGzip.CHUNK);
        assertArrayEquals(data, gunzip(gzip(data, 1)));
    }

    @Test void outputIsDeterministic() throws IOException {
        byte[] data = text(2 * ParallelGzip.CHUNK + 5);
        assertArrayEquals(gzip(data, 6), gzip(data, 6));
    }
}
