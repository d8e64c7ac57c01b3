package dev.berth.cli.net;

/**
 * A network in CIDR notation as Go's {@code net.ParseCIDR} reads it ("10.5.0.0/16",
 * "2001:db8::/64"; the address part need not be the network address), with
 * {@code IPNet.Contains}. IPv4 networks are kept in 4 bytes, IPv6 in 16, as Go does.
 */
public record Cidr(byte[] network, int bits) {
    public Cidr {
        network = network.clone();
        if (network.length != 4 && network.length != 16) throw new IllegalArgumentException("address length " + network.length);
        if (bits < 0 || bits > network.length * 8) throw new IllegalArgumentException("prefix length " + bits);
    }

    /** Go's error text on failure: {@code invalid CIDR address: <s>}. */
    public static Cidr parse(String s) {
        int slash = s.indexOf('/');
        byte[] ip = slash < 0 ? null : IpAddress.parse(s.substring(0, slash));
        boolean v4 = ip != null && s.substring(0, slash).indexOf(':') < 0;
        String len = slash < 0 ? "" : s.substring(slash + 1);
        int bits = 0;
        boolean ok = !len.isEmpty() && len.length() <= 9;
        for (int i = 0; ok && i < len.length(); i++) {
            char c = len.charAt(i);
            if (c < '0' || c > '9') ok = false;
            else bits = bits * 10 + (c - '0');
        }
        if (ip == null || !ok || bits > (v4 ? 32 : 128)) throw new IllegalArgumentException("invalid CIDR address: " + s);
        byte[] net = v4 ? new byte[] {ip[12], ip[13], ip[14], ip[15]} : ip;
        return new Cidr(mask(net, bits), bits);
    }

    /** {@code IPNet.Contains}: an IPv4 network contains IPv4 (and IPv4-mapped) addresses only. */
    public boolean contains(byte[] ip16) {
        byte[] net = network;
        int b = bits;
        if (net.length == 16 && IpAddress.isV4(net)) { // an IPv4-mapped IPv6 network: Go compares it as IPv4
            net = new byte[] {net[12], net[13], net[14], net[15]};
            b = Math.max(0, b - 96);
        }
        byte[] ip = IpAddress.isV4(ip16) ? new byte[] {ip16[12], ip16[13], ip16[14], ip16[15]} : ip16;
        if (ip.length != net.length) return false;
        return java.util.Arrays.equals(mask(ip, b), net);
    }

    private static byte[] mask(byte[] ip, int bits) {
        byte[] out = ip.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    @Override
    public byte[] network() { return network.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() { return java.util.Arrays.hashCode(network) * 31 + bits; }
}
