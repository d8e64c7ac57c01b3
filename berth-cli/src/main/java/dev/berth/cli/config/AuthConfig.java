package dev.berth.cli.config;

import dev.berth.cli.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials for one registry, as the Engine API carries them: the JSON body of
 * {@code POST /auth} and, base64url-encoded, the {@code X-Registry-Auth} header of pull and
 * push. Empty fields are left out, in the order of Go's {@code registry.AuthConfig}.
 */
public record AuthConfig(String username, String password, String email, String serverAddress, String identityToken) {
    /** No credentials: the header docker sends then ({@code {}}). */
    public static final AuthConfig NONE = new AuthConfig("", "", "", "", "");

    public AuthConfig {
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        email = email == null ? "" : email;
        serverAddress = serverAddress == null ? "" : serverAddress;
        identityToken = identityToken == null ? "" : identityToken;
    }

    public static AuthConfig of(String username, String password, String serverAddress) {
        return new AuthConfig(username, password, "", serverAddress, "");
    }

    public boolean hasCredentials() { return !username.isEmpty() || !password.isEmpty() || !identityToken.isEmpty(); }

    /** The JSON object (omitempty fields), e.g. the body of {@code POST /auth}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!username.isEmpty()) m.put("username", username);
        if (!password.isEmpty()) m.put("password", password);
        if (!email.isEmpty()) m.put("email", email);
        if (!serverAddress.isEmpty()) m.put("serveraddress", serverAddress);
        if (!identityToken.isEmpty()) m.put("identitytoken", identityToken);
        return m;
    }

    /** The {@code X-Registry-Auth} value: base64url (RFC 4648 §5, padded, like Go's URLEncoding) of the JSON. */
    public String header() {
        return Base64.getUrlEncoder().encodeToString(Json.toJson(toJson()).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        // never print a password by accident
        return "AuthConfig[username=" + username + ", serverAddress=" + serverAddress + "]";
    }
}
