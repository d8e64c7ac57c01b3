package dev.berth.daemon.net;

import dev.berth.daemon.errors.BerthException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 network in CIDR form, validated: {@code 172.18.0.0/16}. Addresses are unsigned 32-bit
 * values in a long; host bits are always clear, so the text form is canonical and two subnets
 * are equal exactly when they cover the same addresses. Code that speaks {@link Inet4Address}
 * (the nft rules) converts at its edge with {@link #parseInet4} and {@link #ip(Inet4Address)}.
 */
public record Subnet(long base, int prefix) {
    public Subnet {
        if (prefix < 0 || prefix > 32) throw BerthException.invalid("invalid prefix length " + prefix);
        base &= mask(prefix);
    }

    /** Parses {@code a.b.c.d/n}; host bits are cleared, as dockerd does. */
    public static Subnet parse(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) throw BerthException.invalid("invalid CIDR address: " + cidr);
        if (cidr.contains(":")) throw BerthException.invalid("IPv6 subnets are not supported yet: " + cidr);
        long ip = parseIp(cidr.substring(0, slash));
        int p;
        try {
            p = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid CIDR address: " + cidr);
        }
        if (p < 0 || p > 32) throw BerthException.invalid("invalid CIDR address: " + cidr);
        return new Subnet(ip, p);
    }

    public static long parseIp(String s) {
        String[] o = s.split("\\.", -1);
        if (o.length != 4) throw BerthException.invalid("invalid IP address: " + s);
        long v = 0;
        for (String x : o) {
            if (!x.matches("\\d{1,3}") || Integer.parseInt(x) > 255) throw BerthException.invalid("invalid IP address: " + s);
            v = (v << 8) | Integer.parseInt(x);
        }
        return v;
    }

    public static String formatIp(long ip) {
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    }

    /** Parses a dotted-quad IPv4 literal (never a name lookup). */
    public static Inet4Address parseInet4(String literal) {
        try {
            if (InetAddress.ofLiteral(literal) instanceof Inet4Address a) return a;
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw BerthException.invalid("invalid IPv4 address: " + literal);
    }

    /** The address as an unsigned 32-bit value, the form {@link #parseIp} returns. */
    public static long ip(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xffL) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    public long size() { return 1L << (32 - prefix); }

    public long last() { return base + size() - 1; }

    public boolean contains(long ip) { return (ip & mask(prefix)) == base; }

    public boolean contains(Inet4Address a) { return contains(ip(a)); }

    public boolean contains(Subnet other) { return other.prefix >= prefix && contains(other.base); }

    public boolean overlaps(Subnet other) { return contains(other.base) || other.contains(base); }

    /** The first usable address: the default gateway, as dockerd picks it. */
    public long firstHost() { return prefix >= 31 ? base : base + 1; }

    @Override public String toString() { return formatIp(base) + "/" + prefix; }
}
