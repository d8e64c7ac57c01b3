package dev.berth.daemon.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * HTTP/1.1 request framing: a line of the head, a Content-Length body and a chunked body, each
 * ending at its own end. berthd's server and berth-registry's plain server share it.
 */
public final class BodyStreams {
    private static final int MAX_CHUNK_LINE = 4096;

    private BodyStreams() {}

    /** One CRLF- (or LF-) terminated line; null at a clean end of stream. */
    public static String readLine(InputStream in, int maxBytes) throws IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] b = buf.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            buf.write(c);
            if (buf.size() > maxBytes) throw new IOException("header line too long");
        }
        if (buf.size() == 0) return null;
        throw new EOFException("connection closed mid-line");
    }

    public static InputStream fixed(InputStream in, long length) {
        return new InputStream() {
            long left = length;
            @Override public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }
            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) throw new EOFException("request body truncated: " + left + " bytes missing");
                left -= n;
                return n;
            }
        };
    }

    public static InputStream chunked(InputStream in) {
        return new InputStream() {
            long left;
            boolean done;
            @Override public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }
            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (done) return -1;
                if (left == 0) {
                    String line = readLine(in, MAX_CHUNK_LINE);
                    if (line == null) throw new EOFException("chunked body truncated");
                    int semi = line.indexOf(';');
                    try {
                        left = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad chunk size: " + line);
                    }
                    if (left == 0) {
                        String trailer;
                        while ((trailer = readLine(in, MAX_CHUNK_LINE)) != null && !trailer.isEmpty()) { /* skip trailers */ }
                        done = true;
                        return -1;
                    }
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) throw new EOFException("chunked body truncated");
                left -= n;
                if (left == 0) readLine(in, MAX_CHUNK_LINE);
                return n;
            }
        };
    }

    static InputStream empty() { return InputStream.nullInputStream(); }

    static void drain(InputStream body) {
        try {
            body.skip(Long.MAX_VALUE);
            while (body.read(new byte[8192]) >= 0) { /* drain */ }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // the connection is closed below when the body cannot be drained
        }
    }
}
