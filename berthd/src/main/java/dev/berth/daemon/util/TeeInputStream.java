package dev.berth.daemon.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies everything read to an output (e.g. a content-store writer while a layer is unpacked
 * from the same bytes), and notes whether any non-zero byte went by (an all-zero stream is an
 * empty tar; anything else without a tar entry is not a tar).
 */
public final class TeeInputStream extends ObservedInputStream {
    private final OutputStream out;
    private boolean sawNonZero;

    public TeeInputStream(InputStream in, OutputStream out) {
        super(in);
        this.out = out;
    }

    public boolean sawNonZero() { return sawNonZero; }

    @Override protected void observe(byte[] b, int off, int n) throws IOException {
        out.write(b, off, n);
        if (!sawNonZero) for (int i = off; i < off + n; i++) if (b[i] != 0) { sawNonZero = true; break; }
    }
}
