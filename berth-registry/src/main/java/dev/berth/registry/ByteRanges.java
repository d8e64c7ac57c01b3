package dev.berth.registry;

/**
 * The two byte-range headers of the protocol: a blob GET's {@code Range: bytes=a-b} (one range;
 * {@code a-}, {@code -n} and {@code a-b} forms) and an upload chunk's {@code Content-Range: a-b}
 * (inclusive; the {@code bytes } prefix some clients send is accepted).
 */
public final class ByteRanges {
    private ByteRanges() {}

    /** {@code [start, end]} inclusive. */
    public record Span(long start, long end) {
        public long length() { return end - start + 1; }
    }

    /**
     * A GET {@code Range} against a blob of {@code size} bytes: null for a whole-blob answer (no
     * header, or one this server does not interpret, which RFC 9110 lets it ignore).
     *
     * @throws Unsatisfiable when the range lies outside the blob
     */
    public static Span range(String header, long size) throws Unsatisfiable {
        if (header == null) return null;
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) return null;
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) return null;
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) { // suffix: the last n bytes
                long n = Long.parseLong(b);
                if (n <= 0 || size == 0) throw new Unsatisfiable();
                return new Span(Math.max(0, size - n), size - 1);
            }
            long start = Long.parseLong(a);
            long end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (start < 0 || start >= size || (!b.isEmpty() && Long.parseLong(b) < start)) throw new Unsatisfiable();
            return new Span(start, end);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A chunk's {@code Content-Range}; null when absent. */
    public static Span contentRange(String header) {
        if (header == null) return null;
        String h = header.trim();
        if (h.startsWith("bytes ")) h = h.substring(6).trim();
        int slash = h.indexOf('/');
        if (slash >= 0) h = h.substring(0, slash);
        int dash = h.indexOf('-');
        if (dash <= 0) throw ErrorCode.RANGE_INVALID.error("invalid Content-Range " + header);
        try {
            long start = Long.parseLong(h.substring(0, dash).trim());
            long end = Long.parseLong(h.substring(dash + 1).trim());
            if (start < 0 || end < start) throw ErrorCode.RANGE_INVALID.error("invalid Content-Range " + header);
            return new Span(start, end);
        } catch (NumberFormatException e) {
            throw ErrorCode.RANGE_INVALID.error("invalid Content-Range " + header);
        }
    }

    /** The {@code Range} an upload reports: {@code 0-<last byte>}, {@code 0-0} while empty (as distribution). */
    public static String uploaded(long size) { return "0-" + Math.max(0, size - 1); }

    public static final class Unsatisfiable extends Exception {
        public Unsatisfiable() { super(null, null, false, false); }
    }
}
