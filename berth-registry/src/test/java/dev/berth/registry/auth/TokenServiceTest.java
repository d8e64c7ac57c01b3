package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenServiceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REALM = "http://127.0.0.1:5000/token";

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @TempDir Path dir;
    TestClock clock = new TestClock();
    TokenSettings settings;
    TokenService service;
    TokenAuthorizer registry;

    @BeforeEach
    void setUp() throws Exception {
        Path users = dir.resolve("htpasswd");
        // alice: "abc", admin: "a", bob: "" (the published vectors)
        Files.writeString(users, "alice:" + HtpasswdTest.VECTORS[2][1] + "\nadmin:" + HtpasswdTest.VECTORS[1][1]
                + "\nbob:" + HtpasswdTest.VECTORS[3][1] + "\n");
        settings = new TokenSettings(REALM, "berth-registry", "berth-test", Duration.ofSeconds(300), SigningKey.generate());
        service = new TokenService(settings, Htpasswd.load(users), AccessListTest.list(), clock);
        registry = new TokenAuthorizer(settings, clock);
    }

    private static Map<String, String> basic(String user, String password) {
        return Map.of("authorization", new BasicCredentials(user, password).header());
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("authorization", "Bearer " + token);
    }

    private String token(Map<String, String> headers, String query) throws Exception {
        TokenResponse r = service.handleToken("GET", query, headers, null);
        assertEquals(200, r.status(), r.bodyText());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(body.get("token"), body.get("access_token"));
        assertEquals(300, body.get("expires_in").asInt());
        assertEquals("2026-11-28T12:00:00Z", body.get("issued_at").asText());
        return body.get("token").asText();
    }

    private static ObjectNode claims(String token) throws Exception {
        return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    @Test
    void dockerFlowRoundTrip() throws Exception {
        var first = (Decision.Deny) registry.check("PUT", "alice/app", "push", Map.of());
        assertEquals(401, first.status());
        assertEquals("Bearer realm=\"http://127.0.0.1:5000/token\",service=\"berth-registry\",scope=\"repository:alice/app:pull,push\"",
                first.headers().get("WWW-Authenticate"));

        String t = token(basic("alice", "abc"), "account=alice&client_id=docker&offline_token=true&service=berth-registry&scope=repository%3Aalice%2Fapp%3Apush%2Cpull");
        ObjectNode c = claims(t);
        assertEquals("berth-test", c.get("iss").asText());
        assertEquals("alice", c.get("sub").asText());
        assertEquals("berth-registry", c.get("aud").asText());
        long now = clock.now.getEpochSecond();
        assertEquals(now + 300, c.get("exp").asLong());
        assertEquals(now, c.get("nbf").asLong());
        assertEquals(now, c.get("iat").asLong());
        assertEquals(32, c.get("jti").asText().length());
        assertEquals(JSON.readTree("[{\"type\":\"repository\",\"name\":\"alice/app\",\"actions\":[\"pull\",\"push\"]}]"), c.get("access"));
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(t.split("\\.")[0]));
        assertEquals("ES256", header.get("alg").asText());
        assertEquals(settings.key().keyId(), header.get("kid").asText());

        assertEquals(new Decision.Allow("alice"), registry.check("PUT", "alice/app", "push", bearer(t)));
        assertEquals(new Decision.Allow("alice"), registry.check("GET", "alice/app", "pull", bearer(t)));
        assertEquals(new Decision.Allow("alice"), registry.check("GET", null, "base", bearer(t)));
        var other = (Decision.Deny) registry.check("GET", "alice/other", "pull", bearer(t));
        assertEquals(403, other.status(), "valid token, not for this repository");
        assertEquals("DENIED", other.code());
        assertEquals(Map.of(), other.headers());
        assertEquals(403, ((Decision.Deny) registry.check("DELETE", "alice/app", "delete", bearer(t))).status());
    }

    @Test
    void loginTokenWithoutScopeOpensOnlyTheBase() throws Exception {
        var d = (Decision.Deny) registry.check("GET", null, "base", Map.of());
        assertEquals("Bearer realm=\"http://127.0.0.1:5000/token\",service=\"berth-registry\"", d.headers().get("WWW-Authenticate"));
        String t = token(basic("alice", "abc"), "account=alice&service=berth-registry");
        assertEquals(0, claims(t).get("access").size());
        assertEquals(new Decision.Allow("alice"), registry.check("GET", null, "base", bearer(t)));
        assertEquals(403, ((Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(t))).status());
    }

    @Test
    void accessIsFilteredByTheList() throws Exception {
        String t = token(basic("alice", "abc"), "service=berth-registry&scope=repository:public/x:pull,push&scope=repository:bob/y:pull"
                + "&scope=registry:catalog:*&scope=repository:alice/a:delete%20repository:alice/a:pull");
        assertEquals(JSON.readTree("[{\"type\":\"repository\",\"name\":\"public/x\",\"actions\":[\"pull\"]},"
                + "{\"type\":\"repository\",\"name\":\"alice/a\",\"actions\":[\"pull\"]}]"), claims(t).get("access"));
        assertEquals(new Decision.Allow("alice"), registry.check("GET", "public/x", "pull", bearer(t)));
        assertEquals(403, ((Decision.Deny) registry.check("PUT", "public/x", "push", bearer(t))).status());
        assertEquals(403, ((Decision.Deny) registry.check("GET", "bob/y", "pull", bearer(t))).status());
        assertEquals(403, ((Decision.Deny) registry.check("GET", null, "catalog", bearer(t))).status());

        String admin = token(basic("admin", "a"), "scope=registry:catalog:*&scope=repository:x/y:pull,push,delete");
        assertEquals(new Decision.Allow("admin"), registry.check("GET", null, "catalog", bearer(admin)));
        assertEquals(new Decision.Allow("admin"), registry.check("DELETE", "x/y", "delete", bearer(admin)));
    }

    @Test
    void anonymousPullsPublicRepositoriesOnly() throws Exception {
        String t = token(Map.of(), "service=berth-registry&scope=repository:public/tool:pull");
        assertEquals("", claims(t).get("sub").asText());
        assertEquals(new Decision.Allow(""), registry.check("GET", "public/tool", "pull", bearer(t)));
        var push = (Decision.Deny) registry.check("PUT", "public/tool", "push", bearer(t));
        assertEquals(401, push.status(), "anonymous and not enough: log in");
        assertEquals("Bearer realm=\"http://127.0.0.1:5000/token\",service=\"berth-registry\",scope=\"repository:public/tool:pull,push\",error=\"insufficient_scope\"",
                push.headers().get("WWW-Authenticate"));
        String priv = token(Map.of(), "scope=repository:alice/app:pull");
        assertEquals(0, claims(priv).get("access").size());
        assertEquals(401, ((Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(priv))).status());
    }

    @Test
    void badCredentialsAtTheTokenEndpoint() throws Exception {
        TokenResponse r = service.handleToken("GET", "service=berth-registry&scope=repository:alice/app:pull", basic("alice", "nope"), null);
        assertEquals(401, r.status());
        assertEquals("UNAUTHORIZED", JSON.readTree(r.body()).at("/errors/0/code").asText());
        assertTrue(r.headers().get("WWW-Authenticate").startsWith("Basic realm="));
        assertEquals(401, service.handleToken("GET", "", basic("nobody", "abc"), null).status());
        assertEquals(400, service.handleToken("GET", "service=elsewhere", basic("alice", "abc"), null).status());
        assertEquals(400, service.handleToken("GET", "account=admin", basic("alice", "abc"), null).status());
        assertEquals(400, service.handleToken("GET", "scope=nonsense", Map.of(), null).status());
        assertEquals(405, service.handleToken("DELETE", "", Map.of(), null).status());
        assertEquals("/token", service.path());
    }

    @Test
    void expiredAndNotYetValidTokensAre401InvalidToken() throws Exception {
        String t = token(basic("alice", "abc"), "scope=repository:alice/app:pull");
        clock.now = clock.now.plusSeconds(300 + 60); // the minute of leeway still holds
        assertInstanceOf(Decision.Allow.class, registry.check("GET", "alice/app", "pull", bearer(t)));
        clock.now = clock.now.plusSeconds(1);
        var d = (Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(t));
        assertEquals(401, d.status());
        assertTrue(d.message().contains("expired"), d.message());
        assertTrue(d.headers().get("WWW-Authenticate").endsWith(",error=\"invalid_token\""));

        clock.now = Instant.parse("2026-11-28T12:00:00Z").minusSeconds(61);
        d = (Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(t));
        assertTrue(d.message().contains("not valid yet"), d.message());
    }

    @Test
    void tokensForAnotherAudienceOrIssuerOrKeyAreRefused() throws Exception {
        var otherAudience = new TokenService(new TokenSettings(REALM, "other-registry", "berth-test", Duration.ofMinutes(5), settings.key()),
                null, AccessListTest.list(), clock);
        String wrongAud = otherAudience.issue("", java.util.List.of(Scope.parse("repository:public/x:pull"))).token();
        var d = (Decision.Deny) registry.check("GET", "public/x", "pull", bearer(wrongAud));
        assertEquals(401, d.status());
        assertTrue(d.message().contains("audience"), d.message());

        var otherIssuer = new TokenService(new TokenSettings(REALM, "berth-registry", "mallory", Duration.ofMinutes(5), settings.key()),
                null, AccessListTest.list(), clock);
        d = (Decision.Deny) registry.check("GET", "public/x", "pull", bearer(otherIssuer.issue("", java.util.List.of(Scope.parse("repository:public/x:pull"))).token()));
        assertTrue(d.message().contains("issuer"), d.message());

        var otherKey = new TokenService(new TokenSettings(REALM, "berth-registry", "berth-test", Duration.ofMinutes(5), SigningKey.generate()),
                null, AccessListTest.list(), clock);
        d = (Decision.Deny) registry.check("GET", "public/x", "pull", bearer(otherKey.issue("", java.util.List.of(Scope.parse("repository:public/x:pull"))).token()));
        assertTrue(d.message().contains("signature"), d.message());
    }

    @Test
    void tamperedTokensAreRefused() throws Exception {
        String t = token(basic("alice", "abc"), "scope=repository:alice/app:pull");
        String[] parts = t.split("\\.");
        ObjectNode c = claims(t);
        c.putArray("access").addObject().put("type", "repository").put("name", "bob/secret").putArray("actions").add("pull");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(c)) + "." + parts[2];
        var d = (Decision.Deny) registry.check("GET", "bob/secret", "pull", bearer(forged));
        assertEquals(401, d.status());
        assertTrue(d.message().contains("signature"), d.message());

        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        d = (Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(none));
        assertTrue(d.message().contains("algorithm none"), d.message());

        for (String junk : new String[] {"x", "a.b.c", t + "x", parts[0] + "." + parts[1]}) {
            assertEquals(401, ((Decision.Deny) registry.check("GET", "alice/app", "pull", bearer(junk))).status(), junk);
        }
        assertEquals(401, ((Decision.Deny) registry.check("GET", "alice/app", "pull", basic("alice", "abc"))).status(),
                "Basic credentials are for the token endpoint, not the registry");
    }

    @Test
    void oauthPasswordGrant() throws Exception {
        byte[] form = "grant_type=password&service=berth-registry&client_id=docker&username=alice&password=abc&scope=repository%3Aalice%2Fapp%3Apull+repository%3Abob%2Fx%3Apull"
                .getBytes(StandardCharsets.UTF_8);
        TokenResponse r = service.handleToken("POST", null, Map.of(), form);
        assertEquals(200, r.status(), r.bodyText());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals("repository:alice/app:pull", body.get("scope").asText());
        assertEquals(new Decision.Allow("alice"), registry.check("GET", "alice/app", "pull", bearer(body.get("access_token").asText())));

        r = service.handleToken("POST", null, Map.of(), "grant_type=password&username=alice&password=x".getBytes());
        assertEquals(401, r.status());
        assertEquals("invalid_grant", JSON.readTree(r.body()).get("error").asText());
        r = service.handleToken("POST", null, Map.of(), "grant_type=refresh_token&refresh_token=x".getBytes());
        assertEquals(401, r.status());
        assertEquals("invalid_grant", JSON.readTree(r.body()).get("error").asText());
        r = service.handleToken("POST", null, Map.of(), "grant_type=client_credentials".getBytes());
        assertEquals(400, r.status());
        assertEquals("unsupported_grant_type", JSON.readTree(r.body()).get("error").asText());
    }

    /** docker login's identity token: offline_token=true gives a refresh token, traded later for access tokens. */
    @Test
    void refreshTokensForDockerLogin() throws Exception {
        TokenResponse login = service.handleToken("GET", "account=alice&client_id=docker&offline_token=true&service=berth-registry",
                basic("alice", "abc"), null);
        assertEquals(200, login.status(), login.bodyText());
        String refresh = JSON.readTree(login.body()).path("refresh_token").asText();
        assertFalse(refresh.isEmpty(), login.bodyText());
        // not an access token
        assertEquals(401, ((Decision.Deny) registry.check("GET", null, "base", bearer(refresh))).status());
        // no refresh token without offline_token, nor for anonymous clients
        assertFalse(JSON.readTree(service.handleToken("GET", "service=berth-registry", basic("alice", "abc"), null).body()).has("refresh_token"));
        assertFalse(JSON.readTree(service.handleToken("GET", "offline_token=true", Map.of(), null).body()).has("refresh_token"));

        // what dockerd sends with the stored identity token
        byte[] form = ("grant_type=refresh_token&service=berth-registry&client_id=docker&refresh_token=" + refresh
                + "&scope=repository%3Aalice%2Fapp%3Apull%2Cpush").getBytes(StandardCharsets.UTF_8);
        TokenResponse r = service.handleToken("POST", null, Map.of(), form);
        assertEquals(200, r.status(), r.bodyText());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(new Decision.Allow("alice"), registry.check("PUT", "alice/app", "push", bearer(body.get("access_token").asText())));
        assertEquals(refresh, body.get("refresh_token").asText());
        // the password grant gives one with access_type=offline
        r = service.handleToken("POST", null, Map.of(), "grant_type=password&username=alice&password=abc&access_type=offline".getBytes());
        assertTrue(JSON.readTree(r.body()).has("refresh_token"), r.bodyText());

        // another service's key, an expired token, a changed password: refused
        var other = new TokenService(new TokenSettings(REALM, "berth-registry", "berth-test", Duration.ofMinutes(5), SigningKey.generate()),
                Htpasswd.load(dir.resolve("htpasswd")), AccessListTest.list(), clock);
        assertTrue(other.refreshAccount(refresh).isEmpty());
        Instant start = clock.now;
        clock.now = start.plus(TokenService.REFRESH_LIFETIME).plusSeconds(1);
        assertTrue(service.refreshAccount(refresh).isEmpty(), "expired");
        clock.now = start;
        assertEquals(java.util.Optional.of("alice"), service.refreshAccount(refresh));
        Files.writeString(dir.resolve("htpasswd"), "alice:" + HtpasswdTest.VECTORS[3][1] + "\n"); // a new password
        Files.setLastModifiedTime(dir.resolve("htpasswd"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(service.refreshAccount(refresh).isEmpty(), "the password changed");
        assertEquals(401, service.handleToken("POST", null, Map.of(), form).status());
    }

    @Test
    void eachTokenIsUnique() throws Exception {
        String a = token(Map.of(), "scope=repository:public/x:pull");
        String b = token(Map.of(), "scope=repository:public/x:pull");
        assertNotEquals(claims(a).get("jti"), claims(b).get("jti"));
        assertFalse(a.equals(b));
    }
}
