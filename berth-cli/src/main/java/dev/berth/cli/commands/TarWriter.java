package dev.berth.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tar stream as Go's {@code archive/tar} does for docker's build context: USTAR headers
 * (octal fields, {@code ustar\0} magic, version "00", empty user and group names), a name longer
 * than 100 bytes split into prefix and name where a '/' allows it, otherwise, and for non-ASCII
 * names, long link names and sizes of 8 GiB and more, a PAX extended header ('x') before the
 * entry. The archive ends with two zero blocks (no padding to a record size, as Go writes it).
 */
final class TarWriter {
    static final char REGULAR = '0', HARDLINK = '1', SYMLINK = '2', CHAR = '3', BLOCK = '4', DIRECTORY = '5', FIFO = '6';
    private static final int BLOCK_SIZE = 512;
    private static final long MAX_OCTAL_SIZE = 077777777777L;

    /** One entry; {@code name} of a directory ends with '/'. */
    record Header(String name, char type, int mode, int uid, int gid, long size, long mtimeSeconds, String linkName,
                  int devMajor, int devMinor) {
        static Header file(String name, int mode, long size, long mtimeSeconds) {
            return new Header(name, REGULAR, mode, 0, 0, size, mtimeSeconds, "", 0, 0);
        }
    }

    private final OutputStream out;
    private final byte[] zeros = new byte[BLOCK_SIZE];

    TarWriter(OutputStream out) { this.out = out; }

    /** Writes a header and then exactly {@code h.size()} bytes of {@code content} (zero-padded if it ends early). */
    void write(Header h, InputStream content) throws IOException {
        writeHeader(h);
        long left = h.size();
        if (content != null) {
            byte[] buf = new byte[65536];
            while (left > 0) {
                int n = content.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) break;
                out.write(buf, 0, n);
                left -= n;
            }
        }
        while (left > 0) {
            int n = (int) Math.min(zeros.length, left);
            out.write(zeros, 0, n);
            left -= n;
        }
        pad(h.size());
    }

    void write(Header h, byte[] content) throws IOException {
        writeHeader(h);
        out.write(content);
        pad(content.length);
    }

    /** The end-of-archive marker: two zero blocks. */
    void finish() throws IOException {
        out.write(zeros);
        out.write(zeros);
        out.flush();
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK_SIZE);
        if (rest != 0) out.write(zeros, 0, BLOCK_SIZE - rest);
    }

    private void writeHeader(Header h) throws IOException {
        byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
        byte[] link = h.linkName().getBytes(StandardCharsets.UTF_8);
        Map<String, String> pax = new LinkedHashMap<>();
        String prefix = "";
        String shortName = h.name();
        if (!isAscii(h.name())) {
            pax.put("path", h.name());
            shortName = asciiPart(h.name(), 100);
        } else if (name.length > 100) {
            int cut = splitPoint(h.name());
            if (cut < 0) {
                pax.put("path", h.name());
                shortName = h.name().substring(0, 100);
            } else {
                prefix = h.name().substring(0, cut);
                shortName = h.name().substring(cut + 1);
            }
        }
        String shortLink = h.linkName();
        if (!isAscii(h.linkName()) || link.length > 100) {
            pax.put("linkpath", h.linkName());
            shortLink = asciiPart(h.linkName(), 100);
        }
        long size = h.size();
        if (size > MAX_OCTAL_SIZE) {
            pax.put("size", Long.toString(size));
            size = 0;
        }
        if (!pax.isEmpty()) writePax(h, pax);
        out.write(block(shortName, prefix, h.type(), h.mode(), h.uid(), h.gid(), size, h.mtimeSeconds(), shortLink,
                h.devMajor(), h.devMinor()));
    }

    /** A PAX extended header ("x", named {@code dir/PaxHeaders.0/base} like Go's) carrying {@code records}. */
    private void writePax(Header h, Map<String, String> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> r : records.entrySet()) sb.append(paxRecord(r.getKey(), r.getValue()));
        byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
        String n = h.name().endsWith("/") ? h.name().substring(0, h.name().length() - 1) : h.name();
        int slash = n.lastIndexOf('/');
        String paxName = (slash < 0 ? "" : n.substring(0, slash + 1)) + "PaxHeaders.0/" + n.substring(slash + 1);
        out.write(block(asciiPart(paxName, 100), "", 'x', 0, 0, 0, data.length, 0, "", 0, 0));
        out.write(data);
        pad(data.length);
    }

    /** {@code "%d %s=%s\n"} where the length counts the whole record, itself included. */
    static String paxRecord(String key, String value) {
        int body = key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length + 3;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) len++;
        return len + " " + key + "=" + value + "\n";
    }

    /**
     * Where a long ASCII name splits into a prefix (at most 155 bytes) and a name (at most 100):
     * Go's splitUSTARPath, the last '/' in the first 156 bytes (a trailing '/' not counted); -1 if none fits.
     */
    static int splitPoint(String name) {
        int length = name.length();
        if (length <= 100) return -1;
        if (length > 156) length = 156;
        else if (name.charAt(length - 1) == '/') length--;
        int i = name.lastIndexOf('/', length - 1);
        int suffix = name.length() - i - 1;
        if (i <= 0 || suffix > 100 || suffix == 0 || i > 155) return -1;
        return i;
    }

    private static byte[] block(String name, String prefix, char type, int mode, int uid, int gid, long size, long mtime,
                                String link, int devMajor, int devMinor) {
        byte[] b = new byte[BLOCK_SIZE];
        string(b, 0, 100, name);
        octal(b, 100, 8, mode);
        octal(b, 108, 8, uid);
        octal(b, 116, 8, gid);
        octal(b, 124, 12, size);
        octal(b, 136, 12, Math.max(0, mtime));
        b[156] = (byte) type;
        string(b, 157, 100, link);
        string(b, 257, 6, "ustar");
        b[263] = '0';
        b[264] = '0';
        if (type != 'x') { // Go leaves the device fields of its PAX header blocks empty
            octal(b, 329, 8, devMajor);
            octal(b, 337, 8, devMinor);
        }
        string(b, 345, 155, prefix);
        for (int i = 148; i < 156; i++) b[i] = ' ';
        long sum = 0;
        for (byte x : b) sum += x & 0xff;
        octal(b, 148, 7, sum);
        b[154] = 0;
        b[155] = ' ';
        return b;
    }

    /** Go's formatOctal: zero-padded digits filling the field but for a trailing NUL. */
    private static void octal(byte[] b, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() < len) s = "0".repeat(len - s.length() - 1) + s;
        string(b, off, len, s);
    }

    private static void string(byte[] b, int off, int len, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, off, Math.min(len, v.length));
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) return false;
        return true;
    }

    /** The ASCII characters of {@code s}, at most {@code max} of them (the USTAR field of a PAX entry). */
    private static String asciiPart(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < max; i++) if (s.charAt(i) < 0x80 && s.charAt(i) != 0) sb.append(s.charAt(i));
        return sb.toString();
    }
}
