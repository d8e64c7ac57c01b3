package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.auth.Auth;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth providers wired into the server (as {@code serve --config} does): Basic and Docker's token flow. */
class AuthServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir Path dir;

    private Path htpasswd() throws Exception {
        String hash = at.favre.lib.crypto.bcrypt.BCrypt.with(at.favre.lib.crypto.bcrypt.BCrypt.Version.VERSION_2Y)
                .hashToString(4, "s3cret".toCharArray());
        return Files.writeString(dir.resolve("htpasswd"), "alice:" + hash + "\n");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private RegistryServer start(String authJson, int port) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"addr\": \"127.0.0.1:" + port + "\", \"storage\": \"data\", \"auth\": " + authJson + "}");
        RegistryConfig c = RegistryConfig.read(dir.resolve("config.json"));
        Auth providers = Auth.fromConfig(c.auth(), dir);
        return RegistryServer.start(c, Main.authorizer(providers), providers.tokenService().orElse(null));
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuth() throws Exception {
        htpasswd();
        int port = freePort();
        try (RegistryServer s = start("{\"htpasswd\": {\"realm\": \"test\", \"path\": \"htpasswd\"}}", port)) {
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> anon = get(base + "/v2/", null);
            assertEquals(401, anon.statusCode());
            assertEquals("Basic realm=\"test\"", anon.headers().firstValue("WWW-Authenticate").orElse(""));
            assertTrue(anon.body().contains("\"UNAUTHORIZED\""), anon.body());
            assertEquals(401, get(base + "/v2/", basic("alice", "wrong")).statusCode());
            assertEquals(200, get(base + "/v2/", basic("alice", "s3cret")).statusCode());
            assertEquals(404, get(base + "/v2/x/manifests/latest", basic("alice", "s3cret")).statusCode());
        }
    }

    @Test
    void tokenFlow() throws Exception {
        htpasswd();
        int port = freePort();
        String realm = "http://127.0.0.1:" + port + "/token";
        String auth = """
                {"token": {"realm": "%s", "service": "berth-test", "issuer": "berth-test-issuer", "key": "token.pem",
                  "accounts": {"htpasswd": "htpasswd"},
                  "access": [{"account": "alice", "name": "alice/*", "actions": ["pull", "push"]},
                             {"account": "*", "name": "public/*", "actions": ["pull"]}]}}
                """.formatted(realm);
        try (RegistryServer s = start(auth, port)) {
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> challenge = get(base + "/v2/alice/app/tags/list", null);
            assertEquals(401, challenge.statusCode());
            String www = challenge.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(www.startsWith("Bearer realm=\"" + realm + "\",service=\"berth-test\",scope=\"repository:alice/app:pull\""), www);

            HttpResponse<String> issued = get(realm + "?service=berth-test&scope=repository:alice/app:pull,push", basic("alice", "s3cret"));
            assertEquals(200, issued.statusCode(), issued.body());
            JsonNode t = JSON.readTree(issued.body());
            String bearer = "Bearer " + t.get("token").asText();
            HttpResponse<String> tags = get(base + "/v2/alice/app/tags/list", bearer);
            assertEquals(404, tags.statusCode(), "authorized; the repository just does not exist: " + tags.body());
            assertTrue(tags.body().contains("NAME_UNKNOWN"), tags.body());

            // a token for alice/app does not open bob/app
            HttpResponse<String> other = get(base + "/v2/bob/app/tags/list", bearer);
            assertTrue(List.of(401, 403).contains(other.statusCode()), other.body());
            assertEquals(401, get(realm + "?service=berth-test&scope=repository:alice/app:pull", basic("alice", "nope")).statusCode());
        }
    }
}
