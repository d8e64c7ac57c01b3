package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push to Debian's docker-registry on loopback, checked by independent clients: the registry's
 * own answers, skopeo copying what berthd pushed, and a pull back giving the same image ID.
 */
class PushIT {
    static BerthDaemon d;
    static LocalRegistry reg;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
        reg = new LocalRegistry();
        d = new BerthDaemon().start();
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
        if (reg != null) reg.close();
    }

    private String importAs(String ref) throws Exception {
        return ok(d.docker("import", Fixtures.busyboxTar().toString(), ref)).out().strip();
    }

    @Test
    void pushesThenSkipsThenMountsAndPullsBackTheSameImage() throws Exception {
        String app = reg.host() + "/team/app:1";
        String id = importAs(app);
        Cmd.Result p = ok(d.docker("push", app));
        assertTrue(p.out().contains("The push refers to repository [" + reg.host() + "/team/app]"), p::toString);
        assertTrue(p.out().contains(": Pushed"), p::toString);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("1: digest: (sha256:[a-f0-9]{64}) size: (\\d+)").matcher(p.out());
        assertTrue(m.find(), p::toString);
        String digest = m.group(1);
        assertEquals(reg.host() + "/team/app@" + digest, ok(d.docker("inspect", "-f", "{{index .RepoDigests 0}}", app)).out().strip());

        // the registry serves what was pushed, under the digest berthd reported
        Cmd.Result inspect = ok(Cmd.run(Map.of(), null, "skopeo", "inspect", "--tls-verify=false", "docker://" + app));
        assertTrue(inspect.out().contains("\"Digest\": \"" + digest + "\""), inspect::toString);
        Path copy = d.dir.resolve("skopeo-copy");
        ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--src-tls-verify=false", "docker://" + app, "oci:" + copy + ":app"));

        Cmd.Result again = ok(d.docker("push", app));
        assertTrue(again.out().contains(": Layer already exists"), "the second push sends nothing: " + again);
        assertFalse(again.out().contains("Pushed"), again::toString);

        String other = reg.host() + "/other/app:2";
        ok(d.docker("tag", app, other));
        Cmd.Result mount = ok(d.docker("push", other));
        assertTrue(mount.out().contains(": Mounted from team/app"), mount::toString);

        ok(d.docker("rmi", app, other));
        ok(d.docker("pull", other));
        assertEquals(id, ok(d.docker("inspect", "-f", "{{.Id}}", other)).out().strip(), "the image comes back identical");
        assertEquals("back\n", ok(d.docker("run", "--rm", other, "echo", "back")).out());
        ok(d.docker("rmi", other));
    }

    @Test
    void largeLayerIsUploadedInChunksAndComesBackIdentical() throws Exception {
        Path dir = d.dir.resolve("big");
        Files.createDirectories(dir);
        byte[] random = new byte[20 << 20];
        new Random(42).nextBytes(random);
        Files.write(dir.resolve("random.bin"), random);
        Files.writeString(dir.resolve("text.txt"), "compressible line\n".repeat(500_000));
        Path tar = d.dir.resolve("big.tar");
        ok(Cmd.run(Map.of(), null, "tar", "-C", dir.toString(), "-cf", tar.toString(), "."));
        String ref = reg.host() + "/big:1";
        String id = ok(d.docker("import", tar.toString(), ref)).out().strip();
        ok(d.docker("push", ref));
        ok(d.docker("rmi", ref));
        ok(d.docker("pull", ref));
        assertEquals(id, ok(d.docker("inspect", "-f", "{{.Id}}", ref)).out().strip());
        ok(d.docker("rmi", ref));
    }

    @Test
    void pushAllTagsAndUnknownImages() throws Exception {
        importAs(reg.host() + "/tags:a");
        ok(d.docker("tag", reg.host() + "/tags:a", reg.host() + "/tags:b"));
        Cmd.Result all = ok(d.docker("push", "--all-tags", reg.host() + "/tags"));
        assertTrue(all.out().contains("a: digest: sha256:") && all.out().contains("b: digest: sha256:"), all::toString);
        Cmd.Result tagList = ok(Cmd.run(Map.of(), null, "curl", "-sf", "http://" + reg.host() + "/v2/tags/tags/list"));
        assertTrue(tagList.out().contains("\"a\"") && tagList.out().contains("\"b\""), tagList::toString);

        Cmd.Result missing = d.docker("push", reg.host() + "/nothing:1");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("An image does not exist locally with the tag: " + reg.host() + "/nothing"), missing::toString);
        Cmd.Result refused = d.docker("push", "127.0.0.1:1/x:1");
        assertNotEquals(0, refused.code());
        ok(d.docker("rmi", reg.host() + "/tags:a", reg.host() + "/tags:b"));
    }

    @Test
    void dockerJavaPushes() throws Exception {
        String ref = reg.host() + "/java/app:1";
        importAs(ref);
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            assertTrue(client.pushImageCmd(reg.host() + "/java/app").withTag("1").withAuthConfig(new AuthConfig())
                    .start().awaitCompletion(60, TimeUnit.SECONDS));
        }
        Cmd.Result manifest = ok(Cmd.run(Map.of(), null, "curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
                "http://" + reg.host() + "/v2/java/app/manifests/1"));
        assertTrue(manifest.out().contains("application/vnd.docker.image.rootfs.diff.tar.gzip"), manifest::toString);
        ok(d.docker("rmi", ref));
    }

    @Test
    void registryFailuresAreRetriedThenReported() throws Exception {
        try (FaultProxy proxy = new FaultProxy(reg.port)) {
            String ref = proxy.host() + "/flaky/app:1";
            importAs(ref);
            // one failed upload start: retried, and the push succeeds
            proxy.fault("POST", ".*/flaky/app/blobs/uploads/.*", 1, new FaultProxy.Status(500));
            Cmd.Result retried = ok(d.docker("push", ref));
            assertTrue(retried.out().contains("Retrying in 1 second") && retried.out().contains("1: digest: sha256:"), () -> retried + "\n" + proxy.log());

            // a registry that keeps failing: a clear error, and no manifest in the registry
            String other = proxy.host() + "/broken/app:1";
            ok(d.docker("tag", ref, other));
            proxy.clear();
            proxy.fault("POST", ".*/broken/app/blobs/uploads/.*", 100, new FaultProxy.Status(500));
            proxy.fault("HEAD", ".*/broken/app/blobs/.*", 100, new FaultProxy.Status(404));
            Cmd.Result failed = d.docker("push", other);
            assertNotEquals(0, failed.code());
            assertTrue(failed.err().contains("500"), failed::toString);
            assertNotEquals(0, Cmd.run(Map.of(), null, "curl", "-sf", "http://" + reg.host() + "/v2/broken/app/manifests/1").code(),
                    "no manifest was pushed");
            ok(d.docker("rmi", ref, other));
        }
    }

    @Test
    void pushToAuthRegistryNeedsCredentials() throws Exception {
        try (LocalRegistry auth = new LocalRegistry("bob", "pw")) {
            String ref = auth.host() + "/private/app:1";
            importAs(ref);
            Map<String, String> env = Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", d.dir.resolve("push-config").toString());
            Cmd.Result anonymous = Cmd.run(env, null, "/usr/local/bin/docker", "push", ref);
            assertNotEquals(0, anonymous.code());
            assertTrue(anonymous.err().contains("no basic auth credentials"), anonymous::toString);
            ok(Cmd.run(env, "pw", "/usr/local/bin/docker", "login", "-u", "bob", "--password-stdin", auth.host()));
            Cmd.Result pushed = ok(Cmd.run(env, null, "/usr/local/bin/docker", "push", ref));
            assertTrue(pushed.out().contains("1: digest: sha256:"), pushed::toString);
            ok(Cmd.run(Map.of(), null, "skopeo", "inspect", "--tls-verify=false", "--creds", "bob:pw", "docker://" + ref));
            ok(d.docker("rmi", ref));
        }
    }
}
