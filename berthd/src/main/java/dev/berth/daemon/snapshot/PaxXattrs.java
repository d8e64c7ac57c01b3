package dev.berth.daemon.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Binary xattr values (a file capability: {@code security.capability}) through PAX headers.
 *
 * <p>Go's archive/tar, so Docker, writes an xattr as a {@code SCHILY.xattr.<name>} record with
 * the raw value bytes; libarchive writes {@code LIBARCHIVE.xattr.<url-encoded name>} with the
 * value in base64. commons-compress reads and writes PAX values as UTF-8 strings, so a value
 * that is not UTF-8 cannot pass through it either way. This rewrites the PAX header entries of a
 * tar stream, block by block, leaving every other byte as it is:
 * <ul>
 * <li>{@link #forReading}: each {@code SCHILY.xattr} record whose value is not UTF-8 becomes the
 *     lossless libarchive form, which {@link LayerUnpacker} decodes;
 * <li>{@link #forWriting}: each {@code LIBARCHIVE.xattr} record ({@link LayerTarWriter} writes
 *     binary values so) becomes Docker's raw {@code SCHILY.xattr} form.
 * </ul>
 * The rewritten stream is only ever parsed, never hashed: digests are of the original bytes on
 * the way in, and of the rewritten ones (the layer) on the way out.
 */
final class PaxXattrs {
    static final String SCHILY = "SCHILY.xattr.";
    static final String LIBARCHIVE = "LIBARCHIVE.xattr.";
    private static final int BLOCK = 512;
    /** PAX headers larger than this pass untouched (they hold no xattr worth the memory). */
    private static final long MAX_PAX = 1 << 20;

    private PaxXattrs() {}

    /** {@code in} with binary {@code SCHILY.xattr} values in libarchive's base64 form. */
    static InputStream forReading(InputStream in) {
        return new RewritingInput(in);
    }

    /** Writes to {@code out} with libarchive xattr records in Docker's raw {@code SCHILY.xattr} form. */
    static OutputStream forWriting(OutputStream out) {
        return new Rewriter(out, false);
    }

    /** libarchive's form of an xattr name: bytes outside {@code [A-Za-z0-9._-]} and '%' as %XX. */
    static String percentEncode(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                  .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    static boolean isUtf8(byte[] b, int off, int len) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Rewrites the records of one PAX data area; null when nothing changes (or it is not a
     * well-formed list of records, which the tar reader will judge for itself).
     */
    static byte[] rewriteRecords(byte[] data, boolean reading) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 64);
        boolean changed = false;
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) { // NUL padding after the records
                out.write(data, pos, data.length - pos);
                break;
            }
            int space = pos;
            while (space < data.length && data[space] >= '0' && data[space] <= '9') space++;
            if (space == pos || space >= data.length || data[space] != ' ' || space - pos > 9) return null;
            int len = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            int end = pos + len;
            if (len <= space - pos + 1 || end > data.length || data[end - 1] != '\n') return null;
            int eq = space + 1;
            while (eq < end - 1 && data[eq] != '=') eq++;
            if (eq >= end - 1) return null;
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            byte[] replaced = null;
            if (reading && key.startsWith(SCHILY) && !isUtf8(value, 0, value.length)) {
                replaced = record(LIBARCHIVE + percentEncode(key.substring(SCHILY.length())),
                        Base64.getEncoder().encode(value));
            } else if (!reading && key.startsWith(LIBARCHIVE)) {
                String name = LayerUnpacker.percentDecode(key.substring(LIBARCHIVE.length()));
                // a name with '=' cannot be a SCHILY key (the record splits at the first '='): it stays
                if (name.indexOf('=') < 0) {
                    try {
                        replaced = record(SCHILY + name, Base64.getDecoder().decode(new String(value, StandardCharsets.US_ASCII).strip()));
                    } catch (IllegalArgumentException bad) {
                        replaced = null; // left as it is
                    }
                }
            }
            if (replaced != null) {
                out.writeBytes(replaced);
                changed = true;
            } else {
                out.write(data, pos, len);
            }
            pos = end;
        }
        return changed ? out.toByteArray() : null;
    }

    /** One PAX record: {@code "<length> <key>=<value>\n"}, the length counting its own digits. */
    static byte[] record(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int rest = 1 + k.length + 1 + value.length + 1; // ' ' key '=' value '\n'
        int len = rest + 1;
        while (Integer.toString(len).length() + rest != len) len = Integer.toString(len).length() + rest;
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        out.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.writeBytes(k);
        out.write('=');
        out.writeBytes(value);
        out.write('\n');
        return out.toByteArray();
    }

    /** Sets the size field (octal) and the header checksum. */
    static void setSize(byte[] h, long size) {
        byte[] s = String.format("%011o", size).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, 124, 11);
        h[135] = 0;
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        byte[] c = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(c, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    /** A push parser over 512-byte blocks: headers, data, PAX areas, GNU sparse extension headers. */
    static final class Rewriter extends OutputStream {
        private final OutputStream out;
        private final boolean reading;
        private final byte[] block = new byte[BLOCK];
        private int fill;
        private long dataBlocks;        // data blocks of the current entry still to pass
        private boolean sparseExtensions; // GNU sparse extension headers follow
        private byte[] paxHeader;       // the header of the PAX area being collected
        private long paxSize;           // its size, or the data size of a sparse entry after its extensions
        private ByteArrayOutputStream pax;
        private boolean passThrough;    // after the end-of-archive block, everything as it comes

        Rewriter(OutputStream out, boolean reading) {
            this.out = out;
            this.reading = reading;
        }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (passThrough && fill == 0) {
                    out.write(b, off, len);
                    return;
                }
                if (fill == 0 && dataBlocks > 0 && pax == null && len >= BLOCK) {
                    // whole data blocks pass straight through
                    long n = Math.min(dataBlocks, len / BLOCK) * BLOCK;
                    out.write(b, off, (int) n);
                    dataBlocks -= n / BLOCK;
                    off += (int) n;
                    len -= (int) n;
                    continue;
                }
                int n = Math.min(len, BLOCK - fill);
                System.arraycopy(b, off, block, fill, n);
                fill += n;
                off += n;
                len -= n;
                if (fill == BLOCK) {
                    fill = 0;
                    block();
                }
            }
        }

        private void block() throws IOException {
            if (passThrough) {
                out.write(block);
            } else if (pax != null) {
                pax.write(block);
                if (--dataBlocks == 0) endPax();
            } else if (dataBlocks > 0) {
                out.write(block);
                dataBlocks--;
            } else if (sparseExtensions) {
                out.write(block);
                sparseExtensions = block[504] != 0;
                if (!sparseExtensions) dataBlocks = (paxSize + BLOCK - 1) / BLOCK;
            } else {
                header();
            }
        }

        private void header() throws IOException {
            boolean zero = true;
            for (byte x : block) if (x != 0) { zero = false; break; }
            long size = zero ? -1 : TarHeader.size(block);
            if (zero) { // the end of the archive
                passThrough = true;
                out.write(block);
                return;
            }
            byte type = block[156];
            if ((type == 'x' || type == 'X') && size > 0 && size <= MAX_PAX) {
                paxHeader = block.clone();
                paxSize = size;
                pax = new ByteArrayOutputStream((int) size + BLOCK);
                dataBlocks = (size + BLOCK - 1) / BLOCK;
                return;
            }
            out.write(block);
            if (type == 'S' && block[482] != 0) { // old GNU sparse: extension headers, then the data
                sparseExtensions = true;
                paxSize = size;
                return;
            }
            dataBlocks = (size + BLOCK - 1) / BLOCK;
        }

        private void endPax() throws IOException {
            byte[] area = pax.toByteArray();
            pax = null;
            byte[] data = java.util.Arrays.copyOf(area, (int) paxSize);
            byte[] rewritten = rewriteRecords(data, reading);
            if (rewritten == null) {
                out.write(paxHeader);
                out.write(area);
                return;
            }
            setSize(paxHeader, rewritten.length);
            out.write(paxHeader);
            out.write(rewritten);
            int pad = (int) ((BLOCK - rewritten.length % BLOCK) % BLOCK);
            out.write(new byte[pad]);
        }

        @Override public void flush() throws IOException { out.flush(); }

        @Override public void close() throws IOException {
            finish();
            out.close();
        }

        /** Emits whatever is held back (a cut-short stream passes as it came). */
        void finish() throws IOException {
            if (pax != null) {
                out.write(paxHeader);
                out.write(pax.toByteArray());
                pax = null;
            }
            if (fill > 0) out.write(block, 0, fill);
            fill = 0;
            passThrough = true;
        }
    }

    /** The reading side: pulls from {@code in}, pushes through a {@link Rewriter}, serves its output. */
    private static final class RewritingInput extends InputStream {
        private final InputStream in;
        private final Buffer buffer = new Buffer();
        private final Rewriter rewriter = new Rewriter(buffer, true);
        private final byte[] chunk = new byte[64 * 1024];
        private boolean eof;

        RewritingInput(InputStream in) { this.in = in; }

        @Override public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (buffer.available() == 0) {
                if (eof) return -1;
                int n = in.read(chunk);
                if (n < 0) {
                    eof = true;
                    rewriter.finish();
                } else {
                    rewriter.write(chunk, 0, n);
                }
            }
            return buffer.take(b, off, len);
        }
    }

    /** A byte queue: what the rewriter emitted and the reader has not taken yet. */
    private static final class Buffer extends OutputStream {
        private byte[] buf = new byte[128 * 1024];
        private int start;
        private int end;

        int available() { return end - start; }

        int take(byte[] b, int off, int len) {
            int n = Math.min(len, end - start);
            System.arraycopy(buf, start, b, off, n);
            start += n;
            if (start == end) start = end = 0;
            return n;
        }

        @Override public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) {
            if (end + len > buf.length) {
                if (end - start + len <= buf.length) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                } else {
                    byte[] bigger = new byte[Math.max(buf.length * 2, end - start + len)];
                    System.arraycopy(buf, start, bigger, 0, end - start);
                    buf = bigger;
                }
                end -= start;
                start = 0;
            }
            System.arraycopy(b, off, buf, end, len);
            end += len;
        }
    }
}
