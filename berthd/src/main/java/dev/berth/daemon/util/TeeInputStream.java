package dev.berth.daemon.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies everything read to an output (e.g. a content-store writer while a layer is unpacked
 * from the same bytes), and notes whether any non-zero byte went by (an all-zero stream is an
 * empty tar; anything else without a tar entry is not a tar).
 */
public final class TeeInputStream extends FilterInputStream {
    private final OutputStream out;
    private boolean sawNonZero;

    public TeeInputStream(InputStream in, OutputStream out) {
        super(in);
        this.out = out;
    }

    public boolean sawNonZero() { return sawNonZero; }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            out.write(b, off, n);
            if (!sawNonZero) for (int i = off; i < off + n; i++) if (b[i] != 0) { sawNonZero = true; break; }
        }
        return n;
    }

    /** Reads (and so copies) what is skipped, instead of seeking past it. */
    @Override public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }
}
