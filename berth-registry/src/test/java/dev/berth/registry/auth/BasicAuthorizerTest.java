package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicAuthorizerTest {
    @TempDir Path dir;

    private BasicAuthorizer authorizer() throws Exception {
        Path f = dir.resolve("htpasswd");
        Files.writeString(f, "alice:" + HtpasswdTest.VECTORS[2][1] + "\n"); // password "abc"
        return new BasicAuthorizer("My \"Registry\"", Htpasswd.load(f));
    }

    private static Map<String, String> basic(String user, String password) {
        return Map.of("authorization", new BasicCredentials(user, password).header());
    }

    @Test
    void aUserOfTheFileMayDoAnything() throws Exception {
        BasicAuthorizer a = authorizer();
        for (String action : new String[] {"base", "pull", "push", "delete", "catalog"}) {
            assertEquals(new Decision.Allow("alice"), a.check("GET", action.equals("base") ? null : "any/repo", action, basic("alice", "abc")));
        }
    }

    @Test
    void withoutGoodCredentials401AndABasicChallenge() throws Exception {
        BasicAuthorizer a = authorizer();
        for (Map<String, String> headers : new Map[] {Map.of(), basic("alice", "wrong"), basic("bob", "abc"),
                Map.of("authorization", "Basic !!!notbase64"), Map.of("authorization", "Bearer abc"),
                Map.of("authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes()))}) {
            var d = (Decision.Deny) a.check("GET", "r", "pull", headers);
            assertEquals("UNAUTHORIZED", d.code());
            assertEquals(401, d.status());
            assertEquals(Map.of("WWW-Authenticate", "Basic realm=\"My \\\"Registry\\\"\""), d.headers(), headers.toString());
        }
    }

    @Test
    void credentialsParse() {
        assertEquals(Optional.of(new BasicCredentials("u", "p:w")), BasicCredentials.from(Map.of("authorization", "basic dTpwOnc=")));
        assertEquals(Optional.empty(), BasicCredentials.from(Map.of("authorization", "Digest x")));
        assertTrue(new BasicCredentials("u", "secret").toString().indexOf("secret") < 0, "no password in toString");
    }
}
