package dev.berth.daemon.util;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * Counts what is read (and hashes it, when given a digest) and reports the count for progress
 * bars: on the first bytes, then at most every 512 KiB. Skipped bytes are read, so they are
 * counted and hashed too.
 */
public final class CountingInputStream extends FilterInputStream {
    private static final long EVERY = 512 * 1024;
    private final MessageDigest md;
    private final LongConsumer report;
    private long count;
    private long lastReport = -EVERY;

    public CountingInputStream(InputStream in, MessageDigest md, LongConsumer report) {
        super(in);
        this.md = md;
        this.report = report;
    }

    public long count() { return count; }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            if (md != null) md.update(b, off, n);
            count += n;
            if (count - lastReport >= EVERY) {
                lastReport = count;
                report.accept(count);
            }
        }
        return n;
    }

    @Override public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }
}
