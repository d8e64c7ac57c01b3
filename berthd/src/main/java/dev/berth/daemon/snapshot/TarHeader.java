package dev.berth.daemon.snapshot;

/** Fields of a raw 512-byte tar header block, for the code that walks tar streams block by block. */
public final class TarHeader {
    private TarHeader() {}

    /**
     * The entry size field: octal (leading spaces or NULs allowed, read up to the first byte that
     * is not an octal digit), or base-256 when the field's first byte has its high bit set.
     */
    public static long size(byte[] header) {
        if ((header[124] & 0x80) != 0) {
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) v = (v << 8) | (header[i] & 0xff);
            return v;
        }
        long v = 0;
        for (int i = 124; i < 136; i++) {
            int c = header[i];
            if (c == 0 || c == ' ') {
                if (v > 0) break;
                continue;
            }
            if (c < '0' || c > '7') break;
            v = v * 8 + (c - '0');
        }
        return v;
    }
}
