package dev.berth.cli.commands;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little tar the CLI needs for {@code cp} (the CLI carries no archive library): a reader of
 * ustar, PAX ({@code path}, {@code linkpath}, {@code size}, {@code uid}, {@code gid},
 * {@code mtime}) and GNU long names, and a writer of ustar headers with a PAX header before any
 * entry whose name, link target or numbers do not fit, as Go's archive/tar writes them.
 */
final class Tar {
    private Tar() {}

    static final char FILE = '0', HARDLINK = '1', SYMLINK = '2', CHAR = '3', BLOCK = '4', DIR = '5', FIFO = '6';

    /** One entry's header. */
    static final class Header {
        String name;
        char type = FILE;
        int mode;
        long uid, gid, size, mtime;
        String linkName = "";
        int devMajor, devMinor;
    }

    // ---------------------------------------------------------------- reading

    static final class Reader {
        private final InputStream in;
        private long left; // data bytes of the current entry not yet read
        private long pad;

        Reader(InputStream in) { this.in = in; }

        /** The next entry (its data is {@link #data()} until the next call), or null at the end. */
        Header next() throws IOException {
            skip(left + pad);
            left = pad = 0;
            Map<String, String> pax = new LinkedHashMap<>();
            String longName = null, longLink = null;
            for (;;) {
                byte[] h = new byte[512];
                if (!readBlock(h)) return null;
                if (allZero(h)) return null;
                char type = (char) (h[156] == 0 ? '0' : h[156]);
                long size = number(h, 124, 12);
                if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                    byte[] data = readData(size);
                    if (type == 'x') parsePax(data, pax);
                    else if (type == 'L') longName = cString(data);
                    else if (type == 'K') longLink = cString(data);
                    continue;
                }
                Header e = new Header();
                String name = cString(h, 0, 100);
                String prefix = new String(h, 257, 6, StandardCharsets.US_ASCII).startsWith("ustar") ? cString(h, 345, 155) : "";
                e.name = prefix.isEmpty() ? name : prefix + "/" + name;
                e.type = type == '7' ? FILE : type;
                e.mode = (int) number(h, 100, 8);
                e.uid = number(h, 108, 8);
                e.gid = number(h, 116, 8);
                e.size = size;
                e.mtime = number(h, 136, 12);
                e.linkName = cString(h, 157, 100);
                e.devMajor = (int) number(h, 329, 8);
                e.devMinor = (int) number(h, 337, 8);
                if (longName != null) e.name = longName;
                if (longLink != null) e.linkName = longLink;
                if (pax.containsKey("path")) e.name = pax.get("path");
                if (pax.containsKey("linkpath")) e.linkName = pax.get("linkpath");
                if (pax.containsKey("size")) e.size = Long.parseLong(pax.get("size"));
                if (pax.containsKey("uid")) e.uid = Long.parseLong(pax.get("uid"));
                if (pax.containsKey("gid")) e.gid = Long.parseLong(pax.get("gid"));
                if (pax.containsKey("mtime")) e.mtime = (long) Double.parseDouble(pax.get("mtime"));
                if (e.type == FILE && e.name.endsWith("/") && h[156] == 0) e.type = DIR; // pre-POSIX directory
                long padding = (512 - (e.size % 512)) % 512;
                if (e.type == FILE) {
                    left = e.size;
                    pad = padding;
                } else {
                    left = 0;
                    pad = e.size + padding; // no data for these: skip whatever the header announced
                    e.size = 0;
                }
                return e;
            }
        }

        /** The current entry's data. */
        InputStream data() {
            return new InputStream() {
                @Override public int read() throws IOException {
                    byte[] b = new byte[1];
                    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
                }

                @Override public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) return -1;
                    int n = in.read(b, off, (int) Math.min(len, left));
                    if (n < 0) throw new EOFException("unexpected EOF in tar entry");
                    left -= n;
                    return n;
                }
            };
        }

        /** Reads what follows the end of the archive, so a sender is never cut off. */
        void drain() throws IOException {
            in.transferTo(OutputStream.nullOutputStream());
        }

        private boolean readBlock(byte[] b) throws IOException {
            int n = in.readNBytes(b, 0, 512);
            if (n == 0) return false;
            if (n < 512) throw new EOFException("unexpected EOF in tar header");
            return true;
        }

        private byte[] readData(long size) throws IOException {
            if (size > 1 << 20) throw new IOException("tar extended header too large");
            byte[] d = in.readNBytes((int) size);
            if (d.length < size) throw new EOFException("unexpected EOF in tar header");
            skip((512 - (size % 512)) % 512);
            return d;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) throw new EOFException("unexpected EOF in tar archive");
                    s = 1;
                }
                n -= s;
            }
        }
    }

    private static void parsePax(byte[] data, Map<String, String> out) {
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp >= data.length) return;
            int len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            if (len <= 0 || i + len > data.length) return;
            String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq > 0) out.put(rec.substring(0, eq), rec.substring(eq + 1));
            i += len;
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** An octal field, or GNU base-256 when the top bit is set. */
    private static long number(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) {
            long v = b[off] & 0x7f;
            for (int i = 1; i < len; i++) v = v << 8 | (b[off + i] & 0xff);
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                if (v != 0 || i > off) { if (c == 0) break; else continue; }
                continue;
            }
            if (c < '0' || c > '7') break;
            v = v * 8 + (c - '0');
        }
        return v;
    }

    // ---------------------------------------------------------------- writing

    static final class Writer {
        private final OutputStream out;

        Writer(OutputStream out) { this.out = out; }

        /** Writes a header; then exactly {@code h.size} data bytes must follow through {@link #data}. */
        void header(Header h) throws IOException {
            Map<String, String> pax = new LinkedHashMap<>();
            byte[] name = h.name.getBytes(StandardCharsets.UTF_8);
            byte[] link = h.linkName.getBytes(StandardCharsets.UTF_8);
            String ustarName = h.name, ustarPrefix = "";
            if (name.length > 100 || !ascii(h.name)) {
                int split = splitUstar(h.name);
                if (split > 0 && ascii(h.name)) {
                    ustarPrefix = h.name.substring(0, split);
                    ustarName = h.name.substring(split + 1);
                } else {
                    pax.put("path", h.name);
                    ustarName = truncate(h.name, 100);
                }
            }
            if (link.length > 100 || !ascii(h.linkName)) pax.put("linkpath", h.linkName);
            if (h.size > 077777777777L) pax.put("size", Long.toString(h.size));
            if (h.uid > 07777777) pax.put("uid", Long.toString(h.uid));
            if (h.gid > 07777777) pax.put("gid", Long.toString(h.gid));
            if (!pax.isEmpty()) {
                StringBuilder records = new StringBuilder();
                for (Map.Entry<String, String> e : pax.entrySet()) records.append(paxRecord(e.getKey(), e.getValue()));
                byte[] data = records.toString().getBytes(StandardCharsets.UTF_8);
                Header x = new Header();
                x.name = truncate("PaxHeaders.0/" + lastComponent(h.name), 100);
                x.type = 'x';
                x.size = data.length;
                x.mtime = h.mtime;
                raw(x, x.name, "", "");
                out.write(data);
                pad(data.length);
            }
            raw(h, ustarName, ustarPrefix, truncate(h.linkName, 100));
        }

        OutputStream data() { return out; }

        /** Pads the entry written after {@link #header} to a whole block. */
        void pad(long size) throws IOException {
            int p = (int) ((512 - (size % 512)) % 512);
            if (p > 0) out.write(new byte[p]);
        }

        void finish() throws IOException {
            out.write(new byte[1024]);
            out.flush();
        }

        private void raw(Header h, String name, String prefix, String link) throws IOException {
            byte[] b = new byte[512];
            put(b, 0, 100, name);
            octal(b, 100, 8, h.mode & 07777);
            octal(b, 108, 8, Math.min(h.uid, 07777777));
            octal(b, 116, 8, Math.min(h.gid, 07777777));
            octal(b, 124, 12, h.size > 077777777777L ? 0 : h.size);
            octal(b, 136, 12, Math.max(0, Math.min(h.mtime, 077777777777L)));
            Arrays.fill(b, 148, 156, (byte) ' ');
            b[156] = (byte) h.type;
            put(b, 157, 100, link);
            put(b, 257, 6, "ustar");
            b[262] = 0;
            put(b, 263, 2, "00");
            octal(b, 329, 8, h.devMajor);
            octal(b, 337, 8, h.devMinor);
            put(b, 345, 155, prefix);
            long sum = 0;
            for (byte x : b) sum += x & 0xff;
            String cs = String.format("%06o", sum);
            put(b, 148, 6, cs);
            b[154] = 0;
            b[155] = ' ';
            out.write(b);
        }
    }

    private static int splitUstar(String name) {
        if (name.length() > 256) return -1;
        for (int i = name.length() - 1; i > 0; i--) {
            if (name.charAt(i) != '/') continue;
            if (i <= 155 && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) return i;
        }
        return -1;
    }

    private static String paxRecord(String key, String value) {
        String rec = " " + key + "=" + value + "\n";
        int len = rec.getBytes(StandardCharsets.UTF_8).length;
        int total = len + Integer.toString(len).length();
        if (Integer.toString(total).length() != Integer.toString(len).length()) total++;
        return total + rec;
    }

    private static String lastComponent(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) return false;
        return true;
    }

    /** The ustar field value of a name too long for it (the PAX record carries the whole name). */
    private static String truncate(String s, int bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < bytes; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x80 && c != 0 ? c : '_');
        }
        return sb.toString();
    }

    private static void put(byte[] b, int off, int len, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, off, Math.min(len, v.length));
    }

    private static void octal(byte[] b, int off, int len, long v) {
        String s = Long.toOctalString(v);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(b, off, len - 1, padded);
        b[off + len - 1] = 0;
    }
}
