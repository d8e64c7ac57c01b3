package dev.berth.daemon.distribution;

import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * One blob read as a single stream across transport failures. When a read fails (connection
 * lost or reset, body cut short of the descriptor's size, a stall, a 5xx or refused connection
 * on reopening), it waits ({@link DownloadAttempts}) and reopens at the current offset with a
 * Range request; a registry that ignores ranges answers from byte 0 and what was already read
 * is skipped. The reader sees every byte exactly once and in order, so a digest computed over
 * this stream covers the whole blob, whichever connections the bytes came from.
 * Final errors (blob unknown, access denied) are thrown as they are, without retrying.
 */
final class ResumableBlobStream extends InputStream {
    private final RegistryClient registry;
    private final String repo;
    private final Digest digest;
    private final long size;
    private final DownloadAttempts attempts;
    private InputStream in;
    private long position;
    private boolean resumed;

    /** @param size the descriptor's size, or -1 when unknown (then only the digest can tell a short body) */
    ResumableBlobStream(RegistryClient registry, String repo, Digest digest, long size, DownloadAttempts attempts) {
        this.registry = registry;
        this.repo = repo;
        this.digest = digest;
        this.size = size;
        this.attempts = attempts;
    }

    /** Whether any byte came from a reopened connection (so the ranges might not belong together). */
    boolean resumed() { return resumed; }

    long position() { return position; }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            try {
                if (in == null) {
                    if (size >= 0 && position >= size) return -1; // lost only after the last byte: nothing to reopen
                    open();
                }
                int n = in.read(b, off, len);
                if (n < 0 && size >= 0 && position < size) throw new EOFException();
                if (n > 0) position += n;
                return n;
            } catch (IOException | BerthException.Unavailable e) {
                boolean midBody = in != null;
                closeCurrent();
                if (Thread.currentThread().isInterrupted() || e instanceof InterruptedIOException) throw e;
                attempts.failed(e, midBody ? "after " + position + (size >= 0 ? " of " + size : "") + " bytes" : "");
            }
        }
    }

    private void open() throws IOException {
        RegistryClient.BlobBody body;
        try {
            body = registry.blobFrom(repo, digest, position);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pull cancelled");
        }
        in = body.body();
        if (position > 0) resumed = true;
        // A registry without range support starts over: skip what we already have.
        if (body.offset() < position) in.skipNBytes(position - body.offset());
    }

    private void closeCurrent() {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is being dropped anyway
        }
        in = null;
    }

    @Override public void close() { closeCurrent(); }
}
