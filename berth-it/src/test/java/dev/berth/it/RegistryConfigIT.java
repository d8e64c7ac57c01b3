package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * daemon.json registry settings: {@code registry-mirrors} serve Docker Hub pulls, and
 * {@code certs.d}-style certificates give HTTPS with a client certificate. All on loopback; the
 * daemon's loopback guard refuses the Docker Hub fallback before any lookup.
 */
class RegistryConfigIT {
    @BeforeEach
    void need() {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
    }

    @Test
    void mirrorServesDockerHubPulls() throws Exception {
        try (LocalRegistry mirror = new LocalRegistry(); BerthDaemon d = new BerthDaemon()) {
            Path layout = d.dir.resolve("oci");
            LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
            mirror.push(layout, "latest", "library/busybox:latest");
            Files.writeString(d.dir.resolve("daemon.json"), "{\"registry-mirrors\": [\"http://" + mirror.host() + "\"],"
                    + " \"insecure-registries\": [\"10.99.0.0/16\", \"registry.test:5000\"]}");
            d.start();
            String info = ok(d.docker("info")).out();
            assertTrue(info.contains("http://" + mirror.host() + "/"), info);
            assertTrue(info.contains("10.99.0.0/16") && info.contains("registry.test:5000"), info);

            ok(d.docker("pull", "busybox"));
            assertEquals("mirrored\n", ok(d.docker("run", "--rm", "busybox", "echo", "mirrored")).out());
            assertEquals("[busybox:latest]", ok(d.docker("image", "inspect", "-f", "{{.RepoTags}}", "busybox")).out().strip());

            // not on the mirror: the fallback is Docker Hub itself, which this test daemon refuses
            Cmd.Result missing = d.docker("pull", "nothing-here");
            assertNotEquals(0, missing.code());
            assertTrue(missing.err().contains("registry-1.docker.io refused"), missing::toString);
        }
    }

    @Test
    void certsDirGivesClientCertificates() throws Exception {
        try (BerthDaemon d = new BerthDaemon()) {
            Path pki = d.dir.resolve("pki");
            Files.createDirectories(pki);
            openssl(pki, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                    "-subj", "/CN=berth test CA");
            issue(pki, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
            issue(pki, "client", "/CN=berth client", "extendedKeyUsage=clientAuth");
            try (LocalRegistry reg = new LocalRegistry(null, null,
                    new LocalRegistry.Tls(pki.resolve("server.crt"), pki.resolve("server.key"), pki.resolve("ca.crt")))) {
                Path certs = d.dir.resolve("certs.d");
                Path hostDir = certs.resolve(reg.host());
                Files.createDirectories(hostDir);
                Files.copy(pki.resolve("ca.crt"), hostDir.resolve("ca.crt"));
                Files.copy(pki.resolve("client.crt"), hostDir.resolve("client.cert"));
                Files.copy(pki.resolve("client.key"), hostDir.resolve("client.key"));
                Path layout = d.dir.resolve("oci");
                LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
                reg.push(layout, "latest", "tls/bb:1", "--dest-cert-dir", hostDir.toString());

                Files.writeString(d.dir.resolve("daemon.json"), "{\"registry-certs-dir\": \"" + certs + "\"}");
                d.start();
                String image = reg.host() + "/tls/bb:1";
                ok(d.docker("pull", image));
                assertEquals("tls\n", ok(d.docker("run", "--rm", image, "echo", "tls")).out());
                ok(d.docker("push", image));

                // the same registry refuses a daemon without the client certificate
                try (BerthDaemon other = new BerthDaemon()) {
                    other.start();
                    Cmd.Result refused = other.docker("pull", image);
                    assertNotEquals(0, refused.code(), refused::toString);
                }
            }
        }
    }

    private static void issue(Path pki, String name, String subject, String ext) throws Exception {
        openssl(pki, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        Files.writeString(pki.resolve(name + ".ext"), ext + "\n");
        openssl(pki, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private static void openssl(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + out);
    }
}
