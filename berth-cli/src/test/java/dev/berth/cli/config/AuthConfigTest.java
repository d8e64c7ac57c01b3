package dev.berth.cli.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.cli.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
    @Test
    void headerIsBase64UrlOfTheJsonDockerSends() {
        AuthConfig a = AuthConfig.of("alice", "s3cret", "127.0.0.1:5000");
        String json = "{\"username\":\"alice\",\"password\":\"s3cret\",\"serveraddress\":\"127.0.0.1:5000\"}";
        assertEquals(json, Json.toJson(a.toJson()));
        assertEquals(Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)), a.header());
    }

    @Test
    void noCredentialsIsAnEmptyObject() {
        assertEquals("e30=", AuthConfig.NONE.header()); // base64url("{}"), what docker sends then
        assertFalse(AuthConfig.NONE.hasCredentials());
    }

    @Test
    void headerIsUrlSafeAndPadded() {
        // "?>?" style bytes make '+' and '/' in standard base64; the header must use '-' and '_'
        AuthConfig a = AuthConfig.of("u", "??>>~~\u00ff", "r:1");
        String h = a.header();
        assertFalse(h.contains("+") || h.contains("/"), h);
        assertEquals(0, h.length() % 4, h);
        Object back = Json.parse(new String(Base64.getUrlDecoder().decode(h), StandardCharsets.UTF_8));
        assertEquals("??>>~~\u00ff", Json.str(back, "password"));
        assertEquals("r:1", Json.str(back, "serveraddress"));
    }

    @Test
    void identityTokenAndEmailTravelAndThePasswordNeverPrints() {
        AuthConfig a = new AuthConfig("u", "", "e@x", "r:1", "tok");
        assertEquals("{\"username\":\"u\",\"email\":\"e@x\",\"serveraddress\":\"r:1\",\"identitytoken\":\"tok\"}", Json.toJson(a.toJson()));
        assertFalse(AuthConfig.of("u", "secret", "r").toString().contains("secret"));
    }
}
