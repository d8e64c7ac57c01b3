package dev.berth.cli.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes a request body with chunked Transfer-Encoding; {@link #finish()} writes the last chunk. */
public final class ChunkedOutputStream extends OutputStream {
    private final OutputStream out;
    private boolean finished;

    public ChunkedOutputStream(OutputStream out) { this.out = out; }

    @Override
    public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return; // a zero-length chunk would end the body
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write(HttpIo.CRLF);
    }

    /** Ends the body without closing the connection. */
    public void finish() throws IOException {
        if (finished) return;
        finished = true;
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void flush() throws IOException { out.flush(); }

    @Override
    public void close() throws IOException { finish(); }
}
