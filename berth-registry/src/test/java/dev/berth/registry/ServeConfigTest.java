package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON config file, the command line, and serving HTTPS from PEM files. */
class ServeConfigTest {
    @TempDir Path dir;

    @Test void configFile() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, """
                {"addr": "127.0.0.1:5001", "storage": "data", "readOnly": true, "delete": false, "uploadExpiry": "30m",
                 "tls": {"certificate": "/etc/c.pem", "key": "k.pem"}, "auth": {"htpasswd": {"path": "h"}}}
                """);
        RegistryConfig c = RegistryConfig.read(f);
        assertEquals(5001, c.addr().getPort());
        assertEquals(dir.resolve("data"), c.storage()); // relative to the config file
        assertTrue(c.readOnly());
        assertEquals(false, c.deleteEnabled());
        assertEquals(Duration.ofMinutes(30), c.uploadExpiry());
        assertEquals(Path.of("/etc/c.pem"), c.tlsCertificate());
        assertEquals(dir.resolve("k.pem"), c.tlsKey());
        assertEquals("h", c.auth().get("htpasswd").get("path").asText());
        // an auth section naming a missing htpasswd file refuses to start
        assertThrows(RuntimeException.class, () -> Main.authorizer(dev.berth.registry.auth.Auth.fromConfig(c.auth(), dir)));

        Files.writeString(f, "{\"addr\": \"127.0.0.1:5001\", \"storage\": \"d\", \"bogus\": 1}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f)).getMessage().contains("bogus"));
        Files.writeString(f, "{\"addr\": \"127.0.0.1:5001\"}");
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f));
        Files.writeString(f, "{nope");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f)).getMessage().contains("not valid JSON"));
        Files.writeString(f, "{\"addr\": \"127.0.0.1:5001\", \"storage\": \"d\", \"tls\": {\"certificate\": \"c\"}}");
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f));
    }

    @Test void distributionsConfigYml() throws Exception {
        Path f = dir.resolve("config.yml");
        // Debian's /etc/docker/registry/config.yml, with more of distribution's keys
        Files.writeString(f, """
                version: 0.1
                log:
                  fields:
                    service: registry
                storage:
                  cache:
                    blobdescriptor: inmemory
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: true
                      age: 2h
                      interval: 1h
                    readonly:
                      enabled: true
                http:
                  addr: 127.0.0.1:5003
                  secret: asecretforlocaldevelopment
                  headers:
                    X-Content-Type-Options: [nosniff]
                  tls:
                    certificate: /etc/c.pem
                    key: /etc/k.pem
                auth:
                  htpasswd:
                    realm: basic-realm
                    path: /etc/registry/htpasswd
                health:
                  storagedriver:
                    enabled: true
                    interval: 10s
                    threshold: 3
                """.formatted(dir.resolve("data")));
        RegistryConfig c = RegistryConfig.read(f);
        assertEquals(5003, c.addr().getPort());
        assertEquals(dir.resolve("data"), c.storage());
        assertTrue(c.deleteEnabled());
        assertTrue(c.readOnly());
        assertEquals(Duration.ofHours(2), c.uploadExpiry());
        assertEquals(Path.of("/etc/c.pem"), c.tlsCertificate());
        assertEquals("basic-realm", c.auth().get("htpasswd").get("realm").asText());
        assertEquals("/etc/registry/htpasswd", c.auth().get("htpasswd").get("path").asText());

        // distribution's defaults: :5000, /var/lib/registry, deletes off, uploads purged after a week
        Files.writeString(f, "version: 0.1\nstorage:\n  filesystem: {}\n");
        c = RegistryConfig.read(f);
        assertEquals(5000, c.addr().getPort());
        assertEquals(Path.of("/var/lib/registry"), c.storage());
        assertEquals(false, c.deleteEnabled());
        assertEquals(false, c.readOnly());
        assertEquals(Duration.ofHours(168), c.uploadExpiry());
        assertNull(c.auth());

        // what would change the registry's nature is refused by name
        for (String[] bad : new String[][] {
                {"storage:\n  s3:\n    bucket: b\n", "storage driver s3 is not supported"},
                {"storage:\n  filesystem: {}\nproxy:\n  remoteurl: https://registry-1.docker.io\n", "no pull-through cache"},
                {"auth:\n  token:\n    realm: https://auth/token\n", "external token server"},
                {"http:\n  addr: :5000\n  prefix: /reg/\n", "http.prefix"},
                {"http:\n  tls:\n    clientcas: [/ca.pem]\n", "clientcas"},
                {"bogus: 1\n", "unknown section bogus"}}) {
            Files.writeString(f, "version: 0.1\n" + bad[0]);
            String msg = assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f)).getMessage();
            assertTrue(msg.contains(bad[1]), msg);
        }
        Files.writeString(f, "version: 0.1\nstorage: [unclosed\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RegistryConfig.read(f)).getMessage().contains("not valid YAML"));
        // berth's own keys in YAML are berth's format
        Files.writeString(f, "addr: 127.0.0.1:5004\nstorage: d\n");
        assertEquals(dir.resolve("d"), RegistryConfig.read(f).storage());
        // distribution's command line: serve config.yml
        assertEquals(List.of("--config", "config.yml"), Main.positionalConfig(List.of("config.yml")));
        assertEquals(List.of("--dry-run", "--config", "c.yml"), Main.positionalConfig(List.of("--dry-run", "c.yml")));
        assertEquals(List.of("--storage", "d"), Main.positionalConfig(List.of("--storage", "d")));
    }

    @Test void commandLine() throws Exception {
        RegistryConfig c = Main.config(List.of("--addr", "127.0.0.1:5002", "--storage=/tmp/x", "--read-only", "--upload-expiry", "2h"));
        assertEquals(5002, c.addr().getPort());
        assertEquals(Path.of("/tmp/x"), c.storage());
        assertTrue(c.readOnly());
        assertEquals(Duration.ofHours(2), c.uploadExpiry());
        assertNull(c.auth());
        assertEquals(Authorizer.ALLOW_ALL, Main.authorizer(null));
        assertEquals(RegistryConfig.DEFAULT_UPLOAD_EXPIRY, Main.config(List.of("--storage", "/tmp/x")).uploadExpiry());
        assertThrows(IllegalArgumentException.class, () -> Main.config(List.of("--addr", "127.0.0.1:1")));
        assertThrows(IllegalArgumentException.class, () -> Main.config(List.of("--storage")));
        assertThrows(IllegalArgumentException.class, () -> Main.config(List.of("--frobnicate")));
        assertThrows(IllegalArgumentException.class, () -> Main.config(List.of("--config", "f", "--read-only")));
    }

    @Test void servesHttpsFromPemFiles() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl makes the test certificate");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"addr\": \"127.0.0.1:0\", \"storage\": \"data\", \"tls\": {\"certificate\": \"cert.pem\", \"key\": \"key.pem\"}}");
        try (RegistryServer server = RegistryServer.start(RegistryConfig.read(config), Authorizer.ALLOW_ALL)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (var in = Files.newInputStream(cert)) {
                trust.setCertificateEntry("registry", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.address().getPort() + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("registry/2.0", r.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
        }
    }

    /** The traditional PEM key forms (RSA PKCS#1, SEC 1 EC with its parameters block) read like PKCS#8, as docker-registry reads them. */
    @Test void traditionalKeyFormsAreRead() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl makes the keys");
        for (String[] gen : new String[][] {
                {"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "k8.pem"},
                {"ecparam", "-name", "prime256v1", "-genkey", "-out", "k8.pem"}}) {
            assertEquals(0, run(gen));
            // traditional form: openssl's -traditional output
            assertEquals(0, run("pkey", "-in", "k8.pem", "-traditional", "-out", "trad.pem"));
            String trad = Files.readString(dir.resolve("trad.pem"));
            assertTrue(trad.contains("BEGIN RSA PRIVATE KEY") || trad.contains("BEGIN EC PRIVATE KEY"), trad);
            assertEquals(0, run("pkcs8", "-topk8", "-nocrypt", "-in", "k8.pem", "-out", "p8.pem"));
            java.security.PrivateKey fromTrad = Tls.privateKey(Files.readString(dir.resolve(gen[0].equals("ecparam") ? "k8.pem" : "trad.pem")), dir);
            java.security.PrivateKey fromP8 = Tls.privateKey(Files.readString(dir.resolve("p8.pem")), dir);
            assertEquals(secret(fromP8), secret(fromTrad));
            assertEquals(secret(fromP8), secret(Tls.privateKey(trad, dir)));
        }
    }

    /** The key's secret number: encodings differ in what optional fields they carry. */
    private static java.math.BigInteger secret(java.security.PrivateKey k) {
        return k instanceof java.security.interfaces.ECPrivateKey ec ? ec.getS()
                : ((java.security.interfaces.RSAPrivateKey) k).getPrivateExponent();
    }

    private int run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test void aSecondWriterIsRefused() throws Exception {
        RegistryConfig c = new RegistryConfig(RegistryConfig.address("127.0.0.1:0"), dir.resolve("s"), null, null, false, true, null, null);
        try (RegistryServer first = RegistryServer.start(c, Authorizer.ALLOW_ALL)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RegistryServer.start(c, Authorizer.ALLOW_ALL));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        RegistryServer.start(c, Authorizer.ALLOW_ALL).close(); // released on close
    }
}
