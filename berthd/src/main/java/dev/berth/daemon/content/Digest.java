package dev.berth.daemon.content;

import dev.berth.daemon.errors.BerthException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A validated content digest: {@code sha256:} followed by 64 lowercase hex digits. */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) throw BerthException.invalid("invalid digest: " + hex);
    }

    public static Digest parse(String s) {
        if (s == null || !s.startsWith("sha256:")) throw BerthException.invalid("invalid digest: " + s + " (only sha256 is supported)");
        return new Digest(s.substring(7));
    }

    public static Digest of(byte[] data) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(data)));
    }

    public static Digest of(MessageDigest md) {
        return new Digest(HexFormat.of().formatHex(md.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public String toString() { return "sha256:" + hex; }
}
