package dev.berth.daemon.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** X-Registry-Auth as the docker CLI sends it: a password, or the identity token a login returned. */
class CredentialsTest {
    private static String header(String json) {
        return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void passwordsAndIdentityTokens() {
        RegistryClient.Credentials c = RegistryClient.Credentials.fromHeader(header("{\"username\":\"alice\",\"password\":\"pw\",\"serveraddress\":\"r\"}"));
        assertEquals(new RegistryClient.Credentials("alice", "pw", ""), c);
        c = RegistryClient.Credentials.fromHeader(header("{\"username\":\"alice\",\"password\":\"\",\"identitytoken\":\"rt\"}"));
        assertEquals("rt", c.identityToken());
        assertTrue(c.hasIdentityToken());
        assertNull(RegistryClient.Credentials.fromHeader(header("{}")));
        assertNull(RegistryClient.Credentials.fromHeader(""));
        assertEquals("", new RegistryClient.Credentials("a", "b", null).identityToken());
    }
}
