package dev.berth.registry;

import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;

/**
 * Digest parsing at the protocol edge: the content store's {@link Digest} (sha256 only), with
 * malformed or unsupported digests reported as the spec's DIGEST_INVALID.
 */
public final class Digests {
    private Digests() {}

    public static Digest parse(String s) {
        if (s == null || s.isEmpty()) throw ErrorCode.DIGEST_INVALID.error("digest parameter missing");
        int colon = s.indexOf(':');
        if (colon <= 0) throw ErrorCode.DIGEST_INVALID.error("invalid digest " + s);
        String algorithm = s.substring(0, colon);
        if (!algorithm.equals("sha256")) {
            throw ErrorCode.DIGEST_INVALID.error("unsupported digest algorithm " + algorithm + " (only sha256 is supported)", s);
        }
        try {
            return Digest.parse(s);
        } catch (BerthException e) {
            throw ErrorCode.DIGEST_INVALID.error("invalid digest " + s);
        }
    }

    /** A manifest reference is a digest when it contains a colon (tags cannot). */
    public static boolean isDigest(String reference) { return reference.indexOf(':') >= 0; }
}
