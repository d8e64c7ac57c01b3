package dev.berth.daemon.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that shows every byte read to {@link #observe} (to hash, count or copy it). Skipped
 * bytes are read, so they are observed too.
 */
public abstract class ObservedInputStream extends FilterInputStream {
    protected ObservedInputStream(InputStream in) { super(in); }

    /** Called with each run of bytes read, in order. */
    protected abstract void observe(byte[] b, int off, int n) throws IOException;

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) observe(b, off, n);
        return n;
    }

    @Override public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }
}
