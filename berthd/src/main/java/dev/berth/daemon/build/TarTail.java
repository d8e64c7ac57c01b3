package dev.berth.daemon.build;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A build context tar as the docker CLI sends it for {@code -f <file outside the context>} and
 * {@code -f -}: its last entry's padding and the two zero end blocks may be missing (dockerd
 * accepts that). This stream follows the tar's entry boundaries (header sizes) and, when the
 * input ends where only padding or the end of the archive was still due, supplies the missing
 * zeros. An input that ends inside an entry's data is still truncated: nothing is made up.
 */
final class TarTail extends FilterInputStream {
    private static final int BLOCK = 512;
    private final byte[] header = new byte[BLOCK];
    private long pos;           // bytes passed to the reader
    private long nextHeader;    // where the next header starts
    private long dataEnd;       // where the current entry's data ends (padding follows)
    private int headerFill = -1; // bytes of the current header block seen so far, -1 when not in one
    private long synthetic = -1; // zero bytes still to supply once the input ended, -1 before that

    TarTail(InputStream in) {
        super(in);
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
        if (synthetic >= 0) {
            if (synthetic == 0) return -1;
            int n = (int) Math.min(len, synthetic);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            synthetic -= n;
            pos += n;
            return n;
        }
        // never read past a header block in one go, so each header can be parsed when complete
        int want = len;
        if (pos < nextHeader) want = (int) Math.min(len, nextHeader - pos);
        else want = Math.min(len, BLOCK - Math.max(headerFill, 0));
        int n = super.read(b, off, want);
        if (n < 0) {
            boolean dataComplete = pos >= dataEnd && (headerFill <= 0);
            if (!dataComplete) return -1; // truncated inside an entry: let the tar reader say so
            long pad = pos < nextHeader ? nextHeader - pos : 0;
            synthetic = pad + 2L * BLOCK;
            return read(b, off, len);
        }
        for (int i = 0; i < n; i++) {
            if (pos + i >= nextHeader) {
                if (headerFill < 0) headerFill = 0;
                header[headerFill++] = b[off + i];
                if (headerFill == BLOCK) {
                    headerComplete(pos + i + 1);
                    headerFill = -1;
                }
            }
        }
        pos += n;
        return n;
    }

    private void headerComplete(long end) {
        boolean zero = true;
        for (byte x : header) if (x != 0) { zero = false; break; }
        if (zero) {
            // an end block: what follows is the end of the archive
            nextHeader = end;
            dataEnd = end;
            return;
        }
        long size = dev.berth.daemon.snapshot.TarHeader.size(header);
        dataEnd = end + size;
        nextHeader = end + (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    @Override public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) break;
            done += r;
        }
        return done;
    }

    @Override public boolean markSupported() { return false; }
}
