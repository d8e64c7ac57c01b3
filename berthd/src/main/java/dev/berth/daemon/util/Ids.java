package dev.berth.daemon.util;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random 64-hex-character object IDs, as Docker uses for containers. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId() {
        while (true) {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            String id = HexFormat.of().formatHex(b);
            // Docker avoids all-numeric short IDs: they would parse as numbers in some tools.
            if (!id.substring(0, 12).matches("\\d+")) return id;
        }
    }

    public static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
