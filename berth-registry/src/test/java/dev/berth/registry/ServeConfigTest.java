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

    @Test void aSecondWriterIsRefused() throws Exception {
        RegistryConfig c = new RegistryConfig(RegistryConfig.address("127.0.0.1:0"), dir.resolve("s"), null, null, false, true, null, null);
        try (RegistryServer first = RegistryServer.start(c, Authorizer.ALLOW_ALL)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RegistryServer.start(c, Authorizer.ALLOW_ALL));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        RegistryServer.start(c, Authorizer.ALLOW_ALL).close(); // released on close
    }
}
