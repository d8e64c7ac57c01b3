package dev.berth.cli.net;

/**
 * Go's {@code net.ParseMAC} acceptance, which the docker CLI checks {@code --mac-address} with:
 * 6, 8 or 20 octets as {@code 00:00:5e:00:53:01}, {@code 00-00-5e-00-53-01} or
 * {@code 0000.5e00.5301}.
 */
public final class MacAddress {
    private MacAddress() {}

    public static boolean valid(String s) {
        int n = s.length();
        if (n < 14) return false;
        if (s.charAt(2) == ':' || s.charAt(2) == '-') {
            if ((n + 1) % 3 != 0 || !octets((n + 1) / 3)) return false;
            char sep = s.charAt(2);
            for (int i = 0; i < n; i += 3) {
                if (!hex(s.charAt(i)) || !hex(s.charAt(i + 1))) return false;
                if (i + 2 < n && s.charAt(i + 2) != sep) return false;
            }
            return true;
        }
        if (s.charAt(4) == '.') {
            if ((n + 1) % 5 != 0 || !octets(2 * (n + 1) / 5)) return false;
            for (int i = 0; i < n; i += 5) {
                for (int k = 0; k < 4; k++) if (!hex(s.charAt(i + k))) return false;
                if (i + 4 < n && s.charAt(i + 4) != '.') return false;
            }
            return true;
        }
        return false;
    }

    private static boolean octets(int n) { return n == 6 || n == 8 || n == 20; }

    private static boolean hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
}
