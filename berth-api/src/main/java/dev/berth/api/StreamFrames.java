package dev.berth.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's multiplexed stdio framing ("stdcopy"), used by attach, logs and exec when the
 * container has no TTY: each frame is an 8-byte header {@code [stream, 0, 0, 0, size(4, big endian)]}
 * followed by {@code size} payload bytes. Stream 0 is stdin, 1 stdout, 2 stderr, 3 a system error.
 */
public final class StreamFrames {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int SYSTEMERR = 3;

    private StreamFrames() {}

    /** Writes one frame; callers synchronize on {@code out} when several streams share it. */
    public static void write(OutputStream out, int stream, byte[] buf, int off, int len) throws IOException {
        byte[] header = {(byte) stream, 0, 0, 0,
                (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        out.write(header);
        out.write(buf, off, len);
    }

    /** A decoded frame. */
    public record Frame(int stream, byte[] payload) {}

    /** Reads the next frame, or returns null at a clean end of stream (EOF on a frame boundary). */
    public static Frame read(InputStream in) throws IOException {
        byte[] header = new byte[8];
        int n = in.readNBytes(header, 0, 8);
        if (n == 0) return null;
        if (n < 8) throw new EOFException("truncated stream frame header");
        int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
        byte[] payload = in.readNBytes(size);
        if (payload.length < size) throw new EOFException("truncated stream frame");
        return new Frame(header[0], payload);
    }
}
