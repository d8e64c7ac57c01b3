package dev.berth.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Compact JWS (RFC 7515) with the token service's key: {@code base64url(header).base64url(claims).base64url(signature)}.
 * Verification takes the algorithm from the key, never from the token's header (a header saying
 * {@code none} or {@code HS256} is refused, not obeyed).
 */
public final class Jwt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private Jwt() {}

    /** Thrown for a token that is malformed or not signed by the key; the message says which. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) { super(message); }
    }

    public static String sign(SigningKey key, ObjectNode claims) {
        ObjectNode header = JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", key.algorithm());
        header.put("kid", key.keyId());
        try {
            String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "." + B64.encodeToString(JSON.writeValueAsBytes(claims));
            return signingInput + "." + B64.encodeToString(key.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /** The claims of {@code token} once its signature checks out with {@code key}. */
    public static ObjectNode verify(SigningKey key, String token) throws InvalidTokenException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) throw new InvalidTokenException("malformed token");
        JsonNode header = decode(parts[0], "header");
        if (!key.algorithm().equals(header.path("alg").asText())) {
            throw new InvalidTokenException("token algorithm " + header.path("alg").asText() + " is not " + key.algorithm());
        }
        byte[] signature;
        try {
            signature = B64D.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token signature");
        }
        if (!key.verify((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature)) {
            throw new InvalidTokenException("token signature does not verify");
        }
        if (!(decode(parts[1], "claims") instanceof ObjectNode claims)) throw new InvalidTokenException("token claims are not an object");
        return claims;
    }

    private static JsonNode decode(String part, String what) throws InvalidTokenException {
        try {
            JsonNode n = JSON.readTree(B64D.decode(part));
            if (n == null || !n.isObject()) throw new InvalidTokenException("token " + what + " is not a JSON object");
            return n;
        } catch (IllegalArgumentException | IOException e) {
            throw new InvalidTokenException("malformed token " + what);
        }
    }
}
