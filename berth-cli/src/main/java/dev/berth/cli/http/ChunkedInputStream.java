package dev.berth.cli.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Decodes an HTTP/1.1 chunked body (chunk extensions and trailers are skipped). */
public final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long remaining; // bytes left in the current chunk
    private boolean eof;

    public ChunkedInputStream(InputStream in) { this.in = in; }

    private boolean ensureChunk() throws IOException {
        if (eof) return false;
        if (remaining > 0) return true;
        String line = HttpIo.readLine(in);
        if (line == null) throw new EOFException("unexpected end of chunked body");
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
        try {
            remaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size: " + line);
        }
        if (remaining == 0) {
            String t;
            do { t = HttpIo.readLine(in); } while (t != null && !t.isEmpty());
            eof = true;
            return false;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!ensureChunk()) return -1;
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw new EOFException("unexpected end of chunk");
        remaining -= n;
        if (remaining == 0) {
            String crlf = HttpIo.readLine(in);
            if (crlf == null || !crlf.isEmpty()) throw new IOException("missing CRLF after chunk");
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return eof ? 0 : (int) Math.min(remaining, in.available());
    }

    @Override
    public void close() throws IOException { in.close(); }
}
