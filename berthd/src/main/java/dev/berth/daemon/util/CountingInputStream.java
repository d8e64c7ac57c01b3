package dev.berth.daemon.util;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * Counts what is read (and hashes it, when given a digest) and reports the count for progress
 * bars: on the first bytes, then at most every 512 KiB.
 */
public final class CountingInputStream extends ObservedInputStream {
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

    @Override protected void observe(byte[] b, int off, int n) {
        if (md != null) md.update(b, off, n);
        count += n;
        if (count - lastReport >= EVERY) {
            lastReport = count;
            report.accept(count);
        }
    }
}
