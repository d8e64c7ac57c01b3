package dev.berth.daemon.net.nft;

import dev.berth.daemon.errors.BerthException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IPv4 prefix such as {@code 172.18.0.0/16}: the address has no host bits set, so the text
 * form is canonical and two subnets are equal exactly when they cover the same addresses.
 */
public record Ipv4Subnet(Inet4Address network, int prefix) {
    public Ipv4Subnet {
        if (network == null) throw BerthException.invalid("invalid subnet: no address");
        if (prefix < 0 || prefix > 32) throw BerthException.invalid("invalid subnet prefix length: " + prefix);
        if ((bits(network) & ~mask(prefix)) != 0) {
            throw BerthException.invalid("invalid subnet " + network.getHostAddress() + "/" + prefix + ": host bits set");
        }
    }

    /** Parses {@code a.b.c.d/n}; a literal only, never a name lookup. */
    public static Ipv4Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) throw BerthException.invalid("invalid subnet " + cidr + ": expected address/prefix");
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid subnet " + cidr + ": bad prefix length");
        }
        return new Ipv4Subnet(address(cidr.substring(0, slash)), prefix);
    }

    /** Parses a dotted-quad IPv4 literal (never a name lookup). */
    public static Inet4Address address(String literal) {
        try {
            if (InetAddress.ofLiteral(literal) instanceof Inet4Address a) return a;
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw BerthException.invalid("invalid IPv4 address: " + literal);
    }

    public boolean contains(Inet4Address a) {
        return (bits(a) & mask(prefix)) == bits(network);
    }

    public boolean overlaps(Ipv4Subnet o) {
        int m = mask(Math.min(prefix, o.prefix));
        return (bits(network) & m) == (bits(o.network) & m);
    }

    static int bits(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
