package dev.berth.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An answer of the token endpoint, for whatever HTTP server carries it. */
public record TokenResponse(int status, Map<String, String> headers, byte[] body) {
    public TokenResponse {
        headers = Map.copyOf(headers);
    }

    public String bodyText() { return new String(body, StandardCharsets.UTF_8); }
}
