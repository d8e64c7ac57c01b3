package dev.berth.cli.net;

/**
 * IP address text as Go's {@code net} package reads and writes it, which is what the docker CLI
 * validates flags with: {@link #parse} is {@code net.ParseIP} (IPv4 dotted decimal without
 * leading zeros, IPv6 with {@code ::} and an optional trailing dotted IPv4, no zone) and
 * {@link #format} is {@code net.IP.String()}. Never resolves names.
 */
public final class IpAddress {
    private IpAddress() {}

    /** The 16-byte form (IPv4 as {@code ::ffff:a.b.c.d}), or null when {@code s} is not an address. */
    public static byte[] parse(String s) {
        if (s.indexOf(':') >= 0) return parseV6(s);
        byte[] v4 = parseV4(s, 0, s.length());
        if (v4 == null) return null;
        byte[] ip = new byte[16];
        ip[10] = (byte) 0xff;
        ip[11] = (byte) 0xff;
        System.arraycopy(v4, 0, ip, 12, 4);
        return ip;
    }

    /** True for an IPv4 address or an IPv4-mapped IPv6 address ({@code net.IP.To4() != nil}). */
    public static boolean isV4(byte[] ip) {
        for (int i = 0; i < 10; i++) if (ip[i] != 0) return false;
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    public static boolean isLoopback(byte[] ip) {
        if (isV4(ip)) return ip[12] == 127;
        for (int i = 0; i < 15; i++) if (ip[i] != 0) return false;
        return ip[15] == 1;
    }

    /** Go's {@code IP.String()}: dotted IPv4 for IPv4(-mapped) addresses, else RFC 5952 IPv6. */
    public static String format(byte[] ip) {
        if (isV4(ip)) return (ip[12] & 0xff) + "." + (ip[13] & 0xff) + "." + (ip[14] & 0xff) + "." + (ip[15] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && ip[2 * j] == 0 && ip[2 * j + 1] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff)));
        }
        return sb.toString();
    }

    /** {@code net.JoinHostPort}: brackets around hosts that contain a colon. */
    public static String joinHostPort(String host, String port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Four decimal fields of 1–3 digits, each at most 255, no leading zeros; null otherwise. */
    static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[4];
        int pos = from;
        for (int k = 0; k < 4; k++) {
            if (k > 0) {
                if (pos >= to || s.charAt(pos) != '.') return null;
                pos++;
            }
            int start = pos, v = 0;
            while (pos < to && pos - start < 4 && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                v = v * 10 + (s.charAt(pos) - '0');
                pos++;
            }
            int digits = pos - start;
            if (digits == 0 || digits > 3 || v > 255) return null;
            if (digits > 1 && s.charAt(start) == '0') return null;
            out[k] = (byte) v;
        }
        return pos == to ? out : null;
    }

    private static byte[] parseV6(String s) {
        byte[] ip = new byte[16];
        int ellipsis = -1; // index in ip where "::" was
        int i = 0, n = s.length();
        if (n >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
            ellipsis = 0;
            i = 2;
            if (i == n) return ip;
        }
        int j = 0;
        while (j < 16) {
            int start = i, v = 0;
            while (i < n && i - start < 5 && hex(s.charAt(i)) >= 0) {
                v = (v << 4) | hex(s.charAt(i));
                i++;
            }
            if (i == start || i - start > 4) return null;
            if (i < n && s.charAt(i) == '.') {
                // trailing IPv4 in the last 32 bits
                if (ellipsis < 0 && j != 12) return null;
                if (j + 4 > 16) return null;
                byte[] v4 = parseV4(s, start, n);
                if (v4 == null) return null;
                System.arraycopy(v4, 0, ip, j, 4);
                j += 4;
                i = n;
                break;
            }
            ip[j] = (byte) (v >> 8);
            ip[j + 1] = (byte) v;
            j += 2;
            if (i == n) break;
            if (s.charAt(i) != ':' || i + 1 == n) return null;
            i++;
            if (s.charAt(i) == ':') {
                if (ellipsis >= 0) return null;
                ellipsis = j;
                i++;
                if (i == n) break;
            }
        }
        if (i != n) return null;
        if (j < 16) {
            if (ellipsis < 0) return null;
            int tail = j - ellipsis;
            System.arraycopy(ip, ellipsis, ip, 16 - tail, tail);
            for (int k = ellipsis; k < 16 - tail; k++) ip[k] = 0;
        } else if (ellipsis >= 0) {
            return null; // "::" must stand for at least one group
        }
        return ip;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
