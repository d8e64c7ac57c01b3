package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pull from Debian's docker-registry on loopback (seeded by skopeo): OCI, Docker v2s2, index, digests, corruption. */
class PullIT {
    static BerthDaemon d;
    static LocalRegistry reg;
    static LocalRegistry.OciImage busybox;
    static LocalRegistry.OciImage corrupt;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
        reg = new LocalRegistry();
        d = new BerthDaemon().start();
        Path layout = d.dir.resolve("oci");
        busybox = LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
        LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "multi", List.of(new String[] {"linux", "arm64"}, new String[] {"linux", "amd64"}));
        Path extra = d.dir.resolve("extra");
        Files.createDirectories(extra.resolve("data"));
        Files.writeString(extra.resolve("data/file"), "x".repeat(10_000));
        Path extraTar = d.dir.resolve("extra.tar");
        ok(Cmd.run(Map.of(), null, "tar", "-C", extra.toString(), "-cf", extraTar.toString(), "."));
        corrupt = LocalRegistry.ociLayout(layout, extraTar, "corrupt", null);
        reg.push(layout, "latest", "library/busybox:latest");
        reg.push(layout, "latest", "team/bb:v2s2", "--format", "v2s2");
        reg.push(layout, "multi", "multi:1", "--all");
        reg.push(layout, "corrupt", "bad:1");
        LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "zstd", null, "zstd");
        reg.push(layout, "zstd", "zstd:1");
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
        if (reg != null) reg.close();
    }

    @Test
    void pullsOciAndDockerManifestsAndRuns() throws Exception {
        Cmd.Result p = ok(d.docker("pull", reg.host() + "/library/busybox"));
        assertTrue(p.out().contains("Pulling from library/busybox"), p::toString);
        assertTrue(p.out().contains("Pull complete"), p::toString);
        assertTrue(p.out().contains("Digest: " + busybox.manifest()), p::toString);
        assertEquals("pulled\n", ok(d.docker("run", "--rm", reg.host() + "/library/busybox", "echo", "pulled")).out());
        assertEquals(reg.host() + "/library/busybox@" + busybox.manifest(),
                ok(d.docker("inspect", "-f", "{{index .RepoDigests 0}}", reg.host() + "/library/busybox")).out().strip());
        Cmd.Result v2 = ok(d.docker("pull", reg.host() + "/team/bb:v2s2"));
        assertTrue(v2.out().contains("Already exists"), "the shared layer is not fetched again: " + v2);
        assertEquals("v2\n", ok(d.docker("run", "--rm", reg.host() + "/team/bb:v2s2", "echo", "v2")).out());
        String v2Digest = ok(d.docker("inspect", "-f", "{{range .RepoDigests}}{{println .}}{{end}}", reg.host() + "/team/bb:v2s2")).out()
                .lines().filter(l -> l.contains("/team/bb@")).findFirst().orElseThrow().replaceFirst(".*@sha256:", "");
        ok(d.docker("rmi", reg.host() + "/library/busybox", reg.host() + "/team/bb:v2s2"));
        // nothing of the image stays behind: manifests, config, layer tar
        for (String hex : List.of(busybox.manifest().substring(7), v2Digest, busybox.config().substring(7))) {
            assertFalse(Files.exists(d.dataRoot.resolve("blobs/sha256").resolve(hex)), "blob " + hex + " removed with the image");
        }
    }

    @Test
    void runPullsWhatIsMissingAndByDigest() throws Exception {
        Cmd.Result r = ok(d.docker("run", "--rm", reg.host() + "/library/busybox@" + busybox.manifest(), "echo", "by-digest"));
        assertTrue(r.out().endsWith("by-digest\n"), r::toString);
        assertTrue(r.err().contains("Unable to find image"), r::toString);
        String wrong = "sha256:" + "0".repeat(64);
        Cmd.Result bad = d.docker("pull", reg.host() + "/library/busybox@" + wrong);
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("manifest unknown") || bad.err().contains("not found"), bad::toString);
        ok(d.docker("rmi", reg.host() + "/library/busybox@" + busybox.manifest()));
    }

    @Test
    void concurrentPullsFetchEachLayerOnce() throws Exception {
        Path dir = d.dir.resolve("shared");
        Files.createDirectories(dir);
        byte[] random = new byte[24 << 20];
        new java.util.Random(5).nextBytes(random);
        Files.write(dir.resolve("random.bin"), random);
        Path tar = d.dir.resolve("shared.tar");
        ok(Cmd.run(Map.of(), null, "tar", "-C", dir.toString(), "-cf", tar.toString(), "."));
        LocalRegistry.OciImage img = LocalRegistry.ociLayout(d.dir.resolve("oci-shared"), tar, "1", null);
        reg.push(d.dir.resolve("oci-shared"), "1", "shared:1");
        String ref = reg.host() + "/shared:1";
        ProcessBuilder pb = new ProcessBuilder("/usr/local/bin/docker", "pull", ref).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", d.host());
        Process a = pb.start();
        Process b = pb.start();
        String outA = new String(a.getInputStream().readAllBytes());
        String outB = new String(b.getInputStream().readAllBytes());
        assertEquals(0, a.waitFor(), outA);
        assertEquals(0, b.waitFor(), outB);
        long gets = reg.log().lines().filter(l -> l.contains("GET /v2/shared/blobs/" + img.layer()) && l.contains("Java-http-client")).count();
        assertEquals(1, gets, "the layer is fetched once for both pulls:\n" + outA + "\n" + outB);
        ok(d.docker("rmi", ref));
    }

    @Test
    void zstdLayersArePulled() throws Exception {
        String manifest = ok(Cmd.run(Map.of(), null, "curl", "-sf", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
                "http://" + reg.host() + "/v2/zstd/manifests/1")).out();
        assertTrue(manifest.contains("application/vnd.oci.image.layer.v1.tar+zstd"), manifest);
        ok(d.docker("pull", reg.host() + "/zstd:1"));
        assertEquals("zstd\n", ok(d.docker("run", "--rm", reg.host() + "/zstd:1", "echo", "zstd")).out());
        ok(d.docker("rmi", reg.host() + "/zstd:1"));
    }

    @Test
    void distributionInspectShowsDescriptorAndPlatforms() throws Exception {
        String multi = ok(Cmd.run(Map.of(), null, "curl", "-sf", "--unix-socket", d.socket.toString(),
                "http://berth/v1.47/distribution/" + reg.host() + "/multi:1/json")).out();
        assertTrue(multi.contains("\"mediaType\":\"application/vnd.oci.image.index.v1+json\""), multi);
        assertTrue(multi.contains("\"architecture\":\"arm64\"") && multi.contains("\"architecture\":\"amd64\""), multi);
        String single = ok(Cmd.run(Map.of(), null, "curl", "-sf", "--unix-socket", d.socket.toString(),
                "http://berth/distribution/" + reg.host() + "/library/busybox/json")).out();
        assertTrue(single.contains("\"digest\":\"" + busybox.manifest() + "\"") && single.contains("\"os\":\"linux\""), single);
        Cmd.Result missing = Cmd.run(Map.of(), null, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket",
                d.socket.toString(), "http://berth/distribution/" + reg.host() + "/nothing/json");
        assertEquals("404", missing.out());
    }

    @Test
    void indexSelectsThePlatform() throws Exception {
        ok(d.docker("pull", reg.host() + "/multi:1"));
        assertEquals("amd64\n", ok(d.docker("image", "inspect", "-f", "{{.Architecture}}", reg.host() + "/multi:1")).out());
        Cmd.Result none = d.docker("pull", "--platform", "linux/s390x", reg.host() + "/multi:1");
        assertNotEquals(0, none.code());
        assertTrue(none.err().contains("no matching manifest for linux/s390x"), none::toString);
        ok(d.docker("rmi", reg.host() + "/multi:1"));
    }

    @Test
    void missingImagesAndUnreachableRegistries() throws Exception {
        Cmd.Result missing = d.docker("pull", reg.host() + "/nothing:here");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("manifest for " + reg.host() + "/nothing:here not found: manifest unknown"), missing::toString);
        Cmd.Result refused = d.docker("pull", "127.0.0.1:1/app");
        assertNotEquals(0, refused.code());
        assertTrue(refused.err().contains("connection refused"), refused::toString);
    }

    @Test
    void corruptBlobIsRefusedAndNothingIsStored() throws Exception {
        Path blob = reg.blobFile(corrupt.layer());
        byte[] data = Files.readAllBytes(blob);
        data[data.length / 2] ^= 0x55;
        Files.write(blob, data);
        String before = ok(d.docker("images", "-q")).out();
        Cmd.Result r = d.docker("pull", reg.host() + "/bad:1");
        assertNotEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("unexpected digest") || r.err().contains("failed to pull layer"), r::toString);
        assertEquals(before, ok(d.docker("images", "-q")).out());
        try (var s = Files.list(d.dataRoot.resolve("layers/tmp"))) {
            assertEquals(0, s.count(), "no half-unpacked layer left");
        }
        try (var s = Files.list(d.dataRoot.resolve("ingest"))) {
            assertEquals(0, s.count(), "no unverified blob left");
        }
    }

    @Test
    void dockerJavaPulls() throws Exception {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            assertTrue(client.pullImageCmd(reg.host() + "/team/bb").withTag("v2s2").start().awaitCompletion(60, TimeUnit.SECONDS));
            assertEquals("linux", client.inspectImageCmd(reg.host() + "/team/bb:v2s2").exec().getOs());
            client.removeImageCmd(reg.host() + "/team/bb:v2s2").exec();
        }
    }

    @Test
    void berthPullsAndRunPullsWhatIsMissing() throws Exception {
        Cmd.Result p = ok(d.berth("pull", reg.host() + "/library/busybox"));
        assertTrue(p.out().contains("Using default tag: latest") && p.out().contains("Pull complete"), p::toString);
        assertTrue(p.out().endsWith(reg.host() + "/library/busybox:latest\n"), p::toString);
        Cmd.Result run = ok(d.berth("run", "--rm", reg.host() + "/team/bb:v2s2", "echo", "auto"));
        assertEquals("auto\n", run.out());
        assertTrue(run.err().contains("Unable to find image '" + reg.host() + "/team/bb:v2s2' locally"), run::toString);
        Cmd.Result missing = d.berth("pull", "-q", reg.host() + "/nothing");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("manifest unknown"), missing::toString);
        ok(d.berth("rmi", reg.host() + "/library/busybox", reg.host() + "/team/bb:v2s2"));
    }
}
