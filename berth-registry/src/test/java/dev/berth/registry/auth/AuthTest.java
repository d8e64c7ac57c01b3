package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    private Path users() throws Exception {
        Path f = dir.resolve("htpasswd");
        Files.writeString(f, "alice:" + HtpasswdTest.VECTORS[2][1] + "\n");
        return f;
    }

    @Test
    void htpasswdSection() throws Exception {
        Auth auth = Auth.fromConfig(Map.of("htpasswd", Map.of("realm", "Registry Realm", "path", users().toString())));
        assertTrue(auth.tokenService().isEmpty());
        var d = (Decision.Deny) auth.authorizer().check("GET", null, "base", Map.of());
        assertEquals("Basic realm=\"Registry Realm\"", d.headers().get("WWW-Authenticate"));
        assertEquals(new Decision.Allow("alice"), auth.authorizer().check("GET", null, "base",
                Map.of("authorization", new BasicCredentials("alice", "abc").header())));
    }

    @Test
    void tokenSectionGeneratesItsKeyOnceAndServesTokens() throws Exception {
        Path key = dir.resolve("keys/token.pem");
        var config = JSON.createObjectNode();
        var t = config.putObject("token");
        t.put("realm", "http://127.0.0.1:5000/auth/token");
        t.put("service", "berth-registry");
        t.put("key", key.toString());
        t.putObject("accounts").put("htpasswd", users().toString());
        t.set("access", JSON.readTree(AccessListTest.ACCESS));
        Auth auth = Auth.fromConfig(config);
        assertTrue(Files.exists(key));
        String pem = Files.readString(key);
        TokenService service = auth.tokenService().orElseThrow();
        assertEquals("/auth/token", service.path());
        assertEquals("berth-registry token service", service.settings().issuer());

        TokenResponse r = service.handleToken("GET", "scope=repository:alice/app:pull",
                Map.of("authorization", new BasicCredentials("alice", "abc").header()), null);
        String token = JSON.readTree(r.body()).get("token").asText();
        assertEquals(new Decision.Allow("alice"), auth.authorizer().check("GET", "alice/app", "pull", Map.of("authorization", "Bearer " + token)));

        Auth again = Auth.fromConfig(config);
        assertEquals(pem, Files.readString(key), "the key is kept");
        assertInstanceOf(Decision.Allow.class, again.authorizer().check("GET", "alice/app", "pull", Map.of("authorization", "Bearer " + token)),
                "tokens survive a restart");
    }

    @Test
    void relativePathsAreResolvedAgainstTheConfigDirectory() throws Exception {
        users();
        Auth auth = Auth.fromConfig(JSON.readTree("{\"htpasswd\": {\"path\": \"htpasswd\"}}"), dir);
        assertEquals(new Decision.Allow("alice"), auth.authorizer().check("GET", null, "base",
                Map.of("authorization", new BasicCredentials("alice", "abc").header())));
        Auth.fromConfig(JSON.readTree("{\"token\": {\"realm\": \"http://h/t\", \"service\": \"s\", \"key\": \"k/token.pem\"}}"), dir);
        assertTrue(Files.exists(dir.resolve("k/token.pem")));
    }

    @Test
    void tokenSectionWithoutAccountsIsAnonymousOnly() throws Exception {
        Auth auth = Auth.fromConfig(JSON.readTree("""
                {"token": {"realm": "https://auth.example/token", "service": "s", "issuer": "i", "expiration": 60,
                           "key": "%s", "access": [{"account": "*", "name": "*", "actions": ["pull"]}]}}"""
                .formatted(dir.resolve("k.pem"))));
        TokenService s = auth.tokenService().orElseThrow();
        TokenResponse r = s.handleToken("GET", "scope=repository:x:pull", Map.of(), null);
        assertEquals(60, JSON.readTree(r.body()).get("expires_in").asInt());
        assertEquals(401, s.handleToken("GET", "", Map.of("authorization", new BasicCredentials("a", "b").header()), null).status());
    }

    @Test
    void configErrorsNameTheKey() throws Exception {
        String users = users().toString();
        for (var c : List.of(
                List.of("{}", "exactly one of"),
                List.of("{\"htpasswd\": {}, \"token\": {}}", "exactly one of"),
                List.of("{\"ldap\": {}}", "unknown kind \"ldap\""),
                List.of("{\"htpasswd\": {\"realm\": \"r\"}}", "auth.htpasswd.path must be a non-empty string"),
                List.of("{\"htpasswd\": {\"path\": \"" + users + "\", \"relam\": \"r\"}}", "unknown key \"relam\""),
                List.of("{\"token\": {\"realm\": \"/token\", \"service\": \"s\", \"key\": \"k\"}}", "auth.token.realm must be the token endpoint's http(s) URL"),
                List.of("{\"token\": {\"realm\": \"http://h/token\", \"key\": \"k\"}}", "auth.token.service must be a non-empty string"),
                List.of("{\"token\": {\"realm\": \"http://h/token\", \"service\": \"s\", \"key\": \"k\", \"expiration\": -1}}", "auth.token.expiration must be a positive"),
                List.of("{\"token\": {\"realm\": \"http://h/token\", \"service\": \"s\", \"key\": \"k\", \"accounts\": {\"file\": \"x\"}}}", "auth.token.accounts: unknown key \"file\""))) {
            var e = assertThrows(IllegalArgumentException.class, () -> Auth.fromConfig(JSON.readTree(c.get(0))), c.get(0));
            assertTrue(e.getMessage().contains(c.get(1)), c.get(0) + " -> " + e.getMessage());
        }
    }
}
