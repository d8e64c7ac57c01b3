package dev.berth.daemon.distribution;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verified TLS to a registry whose CA comes from certs.d, against a local HTTPS server (openssl-made PKI). */
class RegistryTlsTest {
    @TempDir static Path dir;
    static HttpsServer server;
    static String host;

    @BeforeAll
    static void serve() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl makes the test certificates");
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=test CA");
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "1",
                "-extfile", "san.ext");
        run("pkcs12", "-export", "-in", "srv.pem", "-inkey", "srv.key", "-out", "srv.p12", "-passout", "pass:pw");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(dir.resolve("srv.p12").toFile())) {
            ks.load(in, "pw".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/v2/", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.start();
        host = "127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
    }

    private static void run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "/usr/bin/openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    private static int get(SSLContext ctx) throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(ctx).build();
        return c.send(HttpRequest.newBuilder(URI.create("https://" + host + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void caFromCertsDirIsTrusted() throws Exception {
        Path certs = dir.resolve("certs.d");
        Files.createDirectories(certs.resolve(host));
        Files.copy(dir.resolve("ca.pem"), certs.resolve(host).resolve("ca.crt"));
        assertEquals(200, get(RegistryTls.context(host, List.of(certs), false)));
    }

    @Test
    void unknownCaIsRefusedUnlessInsecure() throws Exception {
        Path empty = dir.resolve("empty");
        assertThrows(SSLHandshakeException.class, () -> get(RegistryTls.context(host, List.of(empty), false)));
        assertEquals(200, get(RegistryTls.context(host, List.of(empty), true)));
    }

    @Test
    void pkcs1AndPkcs8KeysAreRead() throws Exception {
        run("genrsa", "-traditional", "-out", "rsa1.key", "2048");
        run("pkcs8", "-topk8", "-nocrypt", "-in", "rsa1.key", "-out", "rsa8.key");
        assertTrue(Files.readString(dir.resolve("rsa1.key")).contains("BEGIN RSA PRIVATE KEY"));
        var k1 = RegistryTls.privateKey(Files.readString(dir.resolve("rsa1.key")));
        var k8 = RegistryTls.privateKey(Files.readString(dir.resolve("rsa8.key")));
        assertArrayEquals(k8.getEncoded(), k1.getEncoded());
    }
}
