package dev.berth.cli.commands;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * A build context tar as comparable text, the same as fake_daemon.py's {@code tar_listing}: one
 * {@code name|type|mode|uid:gid|size|link|content} line per entry (directory names without
 * their '/', as Python's tarfile shows them; mtimes left out), random Dockerfile names
 * normalised. Reads USTAR, with PAX {@code path}/{@code linkpath} records.
 */
final class TarListing {
    private TarListing() {}

    static String of(byte[] raw) {
        try {
            InputStream in = new ByteArrayInputStream(raw);
            if (raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) in = new GZIPInputStream(in);
            return normalize(list(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String normalize(String s) { return s.replaceAll("\\.dockerfile\\.[0-9a-f]{20}", ".dockerfile.RANDOM"); }

    private static String list(byte[] t) {
        StringBuilder sb = new StringBuilder();
        int off = 0;
        String paxPath = null, paxLink = null;
        while (off + 512 <= t.length) {
            if (isZero(t, off)) break;
            String name = str(t, off, 100);
            long mode = octal(t, off + 100, 8), uid = octal(t, off + 108, 8), gid = octal(t, off + 116, 8);
            long size = octal(t, off + 124, 12);
            char type = (char) t[off + 156];
            String link = str(t, off + 157, 100);
            String prefix = str(t, off + 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
            int data = off + 512;
            String content = new String(t, data, (int) size, StandardCharsets.ISO_8859_1);
            off = data + (int) ((size + 511) / 512 * 512);
            if (type == 'x') {
                for (String rec : content.split("\n")) {
                    int sp = rec.indexOf(' '), eq = rec.indexOf('=');
                    if (sp < 0 || eq < 0) continue;
                    String k = rec.substring(sp + 1, eq), v = new String(rec.substring(eq + 1).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                    if (k.equals("path")) paxPath = v;
                    if (k.equals("linkpath")) paxLink = v;
                }
                continue;
            }
            if (paxPath != null) name = paxPath;
            if (paxLink != null) link = paxLink;
            paxPath = paxLink = null;
            if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
            sb.append(name).append('|').append(type).append('|').append(Long.toOctalString(mode)).append('|').append(uid).append(':')
                    .append(gid).append('|').append(size).append('|').append(link).append('|').append(type == '0' ? content : "").append('\n');
        }
        return sb.toString();
    }

    private static boolean isZero(byte[] t, int off) {
        for (int i = off; i < off + 512; i++) if (t[i] != 0) return false;
        return true;
    }

    private static String str(byte[] t, int off, int len) {
        int end = off;
        while (end < off + len && t[end] != 0) end++;
        return new String(t, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] t, int off, int len) {
        String s = str(t, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
