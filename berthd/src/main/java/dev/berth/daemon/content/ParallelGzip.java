package dev.berth.daemon.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Gzip of a stream, compressed on all cores, read as an InputStream (what an HTTP upload
 * consumes). The input is cut into 1 MiB chunks; each is deflated on its own with the previous
 * chunk's last 32 KiB as dictionary and ends with a sync flush, so the concatenation is one
 * ordinary deflate stream (pigz's method): any gzip reader takes it.
 *
 * <p>Chunks that do not compress (already-compressed files, random data) are stored rather than
 * deflated: a 64 KiB sample is deflated at level 1 first, and if it saves under 3% the chunk is
 * written as stored blocks. That is most of the cost of compressing such data, for a 0.1% larger
 * blob. The output is deterministic for a given input, level and zlib, so a layer compressed
 * again gives the same digest.
 */
public final class ParallelGzip extends dev.berth.daemon.util.ChunkInputStream {
    static final int CHUNK = 1 << 20;
    private static final int WINDOW = 32 * 1024;
    private static final int SAMPLE = 64 * 1024;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final InputStream in;
    private final int level;
    private final ExecutorService pool;
    private final int inFlight;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private long inputSize;
    private byte[] previous; // the last chunk read, for the next one's dictionary
    private boolean inputDone;
    private boolean headerDone;
    private boolean trailerDone;

    public ParallelGzip(InputStream in, int level) {
        this.in = in;
        this.level = level;
        int cores = Runtime.getRuntime().availableProcessors();
        this.inFlight = cores + 1;
        this.pool = Executors.newFixedThreadPool(cores, r -> {
            Thread t = new Thread(r, "gzip");
            t.setDaemon(true);
            return t;
        });
    }

    /** The header, then each compressed chunk in order, then the trailer. */
    @Override protected byte[] nextChunk() throws IOException {
        if (!headerDone) {
            headerDone = true;
            return HEADER;
        }
        fill();
        Future<byte[]> next = pending.poll();
        if (next != null) {
            try {
                return next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("compression interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
                throw new IOException("compression failed", e.getCause());
            }
        }
        if (trailerDone) return null;
        trailerDone = true;
        return trailer();
    }

    /** Reads ahead and queues chunks until {@code inFlight} are being compressed. */
    private void fill() throws IOException {
        while (!inputDone && pending.size() < inFlight) {
            byte[] chunk = in.readNBytes(CHUNK);
            boolean last = chunk.length < CHUNK; // an empty last chunk still closes the deflate stream
            crc.update(chunk);
            inputSize += chunk.length;
            byte[] dict = previous == null ? null : Arrays.copyOfRange(previous, Math.max(0, previous.length - WINDOW), previous.length);
            boolean finish = last;
            pending.add(pool.submit(() -> deflate(chunk, dict, finish)));
            previous = chunk;
            if (last) inputDone = true;
        }
    }

    private byte[] deflate(byte[] chunk, byte[] dict, boolean finish) {
        int lvl = level;
        if (lvl != 0 && chunk.length >= SAMPLE && incompressible(chunk)) lvl = Deflater.NO_COMPRESSION;
        Deflater d = new Deflater(lvl, true);
        try {
            if (dict != null) d.setDictionary(dict);
            d.setInput(chunk);
            if (finish) d.finish();
            byte[] out = new byte[chunk.length + chunk.length / 1000 + 1024];
            int n = 0;
            while (true) {
                if (n == out.length) out = Arrays.copyOf(out, out.length * 2);
                n += finish ? d.deflate(out, n, out.length - n) : d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
                // a flush is complete when it left room in the buffer
                if (finish ? d.finished() : n < out.length) break;
            }
            return Arrays.copyOf(out, n);
        } finally {
            d.end();
        }
    }

    private static boolean incompressible(byte[] chunk) {
        Deflater probe = new Deflater(1, true);
        try {
            probe.setInput(chunk, 0, SAMPLE);
            probe.finish();
            byte[] out = new byte[SAMPLE + 1024];
            int n = 0;
            while (!probe.finished()) n += probe.deflate(out, n, out.length - n);
            return n > SAMPLE * 97 / 100;
        } finally {
            probe.end();
        }
    }

    private byte[] trailer() {
        long c = crc.getValue();
        long s = inputSize & 0xffffffffL;
        return new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) s, (byte) (s >> 8), (byte) (s >> 16), (byte) (s >> 24)};
    }

    @Override public void close() throws IOException {
        pool.shutdownNow();
        in.close();
    }
}
