package dev.berth.daemon.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few chunks ahead of the reader: two stages of a
 * pipeline (download, hash and gunzip on one side; hash, store and unpack on the other) then
 * run on two cores at once. The reader sees the same bytes, and a failure of the source at the
 * point where it happened. {@link #close} stops the reading thread and waits for it, so the
 * source is free for the caller afterwards; it does not close the source.
 */
public final class ReadAhead extends ChunkInputStream {
    private static final Object EOF = new Object();
    private final BlockingQueue<Object> chunks;
    private final Thread reader;
    private volatile boolean stop;
    private boolean eof;

    public ReadAhead(InputStream source, int chunkSize, int chunksAhead) {
        this.chunks = new ArrayBlockingQueue<>(chunksAhead);
        this.reader = Thread.ofVirtual().name("read-ahead").start(() -> {
            try {
                while (!stop) {
                    byte[] b = source.readNBytes(chunkSize);
                    if (b.length == 0) {
                        chunks.put(EOF);
                        return;
                    }
                    chunks.put(b);
                }
            } catch (InterruptedException e) {
                // stopped by close()
            } catch (Throwable t) {
                try {
                    chunks.put(t);
                } catch (InterruptedException ignored) {
                    // stopped by close()
                }
            }
        });
    }

    @Override protected byte[] nextChunk() throws IOException {
        if (eof) return null;
        Object o;
        try {
            o = chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
        }
        switch (o) {
            case byte[] bytes -> {
                return bytes;
            }
            case IOException io -> {
                eof = true;
                throw io;
            }
            case RuntimeException re -> {
                eof = true;
                throw re;
            }
            case Error err -> throw err;
            case Throwable t -> throw new UncheckedIOException(new IOException(t));
            default -> {
                eof = true; // EOF
                return null;
            }
        }
    }

    /** Stops the reading thread (it may be blocked on the source or on a full queue) and waits for it. */
    @Override public void close() throws IOException {
        stop = true;
        reader.interrupt();
        chunks.clear();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping read-ahead");
        }
    }
}
