package dev.berth.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A Docker registry token server (the realm of a registry's Bearer challenge) on a free
 * 127.0.0.1 port. {@code GET /token?service=&scope=&account=}, with Basic credentials or
 * anonymous, answers {@code {"token", "access_token", "expires_in", "issued_at"}}: a JWT signed
 * RS256 whose header carries the signing certificate in {@code x5c}. The certificate is
 * self-signed (made by the JDK's keytool) and is the registry's {@code auth.token.rootcertbundle},
 * so distribution verifies the chain, then iss, aud (= service), exp/nbf and the signature.
 *
 * <p>Access: a user gets the requested actions it was granted on a repository; anonymous gets
 * pull on public repositories; anything else is granted no actions (the registry then answers
 * 401, as Docker Hub's registry does for a private repository). Wrong credentials get 401 with
 * Docker Hub's {@code {"details": "incorrect username or password"}}. Every request is recorded.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "berth-test-registry";
    public static final String ISSUER = "berth-test-token-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One token request: who asked (authenticated user, or null), for which account, scopes and service, and the answer. */
    public record Request(String user, String account, List<String> scopes, String service, int status) {}

    public final Path dir;
    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Path certBundle;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> grants = new ConcurrentHashMap<>(); // "user repo" -> actions
    private final Set<String> publicRepos = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Duration expiresIn = Duration.ofMinutes(5);

    public TokenServer() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "berth-token-");
        Path keystore = dir.resolve("token.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Cmd.Result r = Cmd.run(Map.of(), null, keytool, "-genkeypair", "-alias", "token", "-keyalg", "RSA", "-keysize", "2048",
                "-sigalg", "SHA256withRSA", "-dname", "CN=" + ISSUER, "-startdate", "-1d", "-validity", "3",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "berth-test", "-keypass", "berth-test");
        if (r.code() != 0) throw new IllegalStateException("keytool failed: " + r);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "berth-test".toCharArray());
        }
        key = (PrivateKey) ks.getKey("token", "berth-test".toCharArray());
        cert = (X509Certificate) ks.getCertificate("token");
        certBundle = dir.resolve("root.pem");
        Files.writeString(certBundle, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", this::token);
        server.start();
    }

    public TokenServer user(String name, String password) {
        passwords.put(name, password);
        return this;
    }

    /** Lets {@code user} have {@code actions} (pull, push) on {@code repo}. */
    public TokenServer grant(String user, String repo, String... actions) {
        grants.computeIfAbsent(user + " " + repo, k -> ConcurrentHashMap.newKeySet()).addAll(List.of(actions));
        return this;
    }

    /** Anonymous (and everyone) may pull {@code repo}. */
    public TokenServer publicRepo(String repo) {
        publicRepos.add(repo);
        return this;
    }

    public void expiresIn(Duration d) { expiresIn = d; }

    public String realm() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/token"; }

    /** The PEM certificate the registry trusts ({@code auth.token.rootcertbundle}). */
    public Path certBundle() { return certBundle; }

    public List<Request> requests() { return List.copyOf(requests); }

    public void clearRequests() { requests.clear(); }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                answer(ex);
            } catch (Exception e) {
                send(ex, 500, JSON.createObjectNode().put("details", String.valueOf(e)));
            }
        }
    }

    private void answer(HttpExchange ex) throws Exception {
        Map<String, List<String>> q = query(ex.getRequestURI().getRawQuery());
        List<String> scopes = new ArrayList<>();
        for (String s : q.getOrDefault("scope", List.of())) for (String one : s.split(" ")) if (!one.isBlank()) scopes.add(one);
        String service = first(q, "service", SERVICE);
        String account = first(q, "account", null);
        String user = null;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            String[] up = basic(auth);
            if (up == null || !up[1].equals(passwords.get(up[0]))) {
                requests.add(new Request(null, account, scopes, service, 401));
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"" + realm() + "\"");
                send(ex, 401, JSON.createObjectNode().put("details", "incorrect username or password"));
                return;
            }
            user = up[0];
        }
        ArrayNode access = JSON.createArrayNode();
        for (String scope : scopes) {
            int a = scope.indexOf(':');
            int b = scope.lastIndexOf(':');
            if (a < 0 || b <= a) continue;
            String type = scope.substring(0, a);
            String name = scope.substring(a + 1, b);
            Set<String> allowed = new LinkedHashSet<>();
            if (type.equals("repository")) {
                for (String action : scope.substring(b + 1).split(",")) {
                    boolean ok = (user != null && grants.getOrDefault(user + " " + name, Set.of()).contains(action))
                            || (action.equals("pull") && publicRepos.contains(name));
                    if (ok) allowed.add(action);
                }
            }
            ObjectNode entry = access.addObject().put("type", type).put("name", name);
            allowed.forEach(entry.putArray("actions")::add);
        }
        requests.add(new Request(user, account, scopes, service, 200));
        Instant now = Instant.now();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("sub", user == null ? "" : user)
                .put("aud", service)
                .put("exp", now.plus(expiresIn).getEpochSecond())
                .put("nbf", now.minusSeconds(1).getEpochSecond())
                .put("iat", now.getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        claims.set("access", access);
        String token = jwt(claims);
        send(ex, 200, JSON.createObjectNode().put("token", token).put("access_token", token)
                .put("expires_in", expiresIn.toSeconds()).put("issued_at", now.toString()));
    }

    /** A compact JWS: base64url(header).base64url(claims).base64url(RS256 signature). */
    private String jwt(ObjectNode claims) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(sig.sign());
    }

    private static String[] basic(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) return null;
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new HashMap<>();
        if (raw == null) return out;
        for (String kv : raw.split("&")) {
            if (kv.isEmpty()) continue;
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> q, String key, String dflt) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? dflt : v.getFirst();
    }

    private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        Cmd.run(Map.of(), null, "rm", "-rf", dir.toString());
    }
}
