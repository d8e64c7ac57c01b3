package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pulls through a {@link FaultProxy} in front of Debian's docker-registry: server errors, lost
 * and cut connections, wrong bytes, bad manifests, stalls. Each fault gives a clear error (an
 * HTTP error before the progress stream starts, an errorDetail line after), leaves nothing
 * half-stored (no image, no new blob or layer, ingest and layers/tmp empty), and a pull after
 * the fault clears succeeds. Layer downloads are retried like dockerd's (5 attempts), resumed
 * with Range; manifest fetches are not retried. The daemon's stall timeout is 1 s.
 */
class RegistryFaultsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static BerthDaemon d;
    static LocalRegistry reg;
    static FaultProxy proxy;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
        reg = new LocalRegistry();
        proxy = new FaultProxy(reg.port);
        d = new BerthDaemon().withArgs("--registry-stall-timeout", "1").start();
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
        if (proxy != null) proxy.close();
        if (reg != null) reg.close();
    }

    @AfterEach
    void clearFaults() {
        proxy.clear();
        proxy.clearLog();
    }

    /** A two-layer image of random (incompressible) files, unique to {@code repo}: 64 KiB and 1.5 MiB. */
    record Img(String repo, String manifest, byte[] manifestBytes, String config, List<String> layers) {
        String ref() { return proxy.host() + "/" + repo + ":1"; }

        String blobPath(int layer) { return "/v2/" + repo + "/blobs/" + layers.get(layer) + "$"; }

        String manifestPath() { return "/v2/" + repo + "/manifests/"; }
    }

    static Img seed(String repo) throws Exception {
        Path layout = d.dir.resolve("oci-" + repo.replace('/', '-'));
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Random rnd = new Random(repo.hashCode());
        List<String> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        StringBuilder layerDescs = new StringBuilder();
        int[] sizes = {64 * 1024, 1536 * 1024};
        for (int i = 0; i < sizes.length; i++) {
            byte[] content = new byte[sizes[i]];
            rnd.nextBytes(content);
            byte[] tar = tar("layer" + i + ".bin", content);
            byte[] gz = gzip(tar);
            diffIds.add(LocalRegistry.sha(tar));
            layers.add(blob(layout, gz));
            if (i > 0) layerDescs.append(',');
            layerDescs.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"").append(layers.get(i))
                    .append("\",\"size\":").append(gz.length).append('}');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + String.join("\",\"", diffIds) + "\"]}}").getBytes();
        String configDigest = blob(layout, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[" + layerDescs + "]}").getBytes();
        String m = blob(layout, manifest);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\"" + m + "\",\"size\":" + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1\"}}]}");
        reg.push(layout, "1", repo + ":1");
        return new Img(repo, m, manifest, configDigest, layers);
    }

    static byte[] tar(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(0644);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(out)) {
            o.write(data);
        }
        return out.toByteArray();
    }

    static String blob(Path layout, byte[] data) throws IOException {
        String digest = LocalRegistry.sha(data);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.substring(7)), data);
        return digest;
    }

    /** What a pull may add to the data root. */
    record Store(TreeSet<String> blobs, TreeSet<String> layers, String images) {}

    static Store store() throws Exception {
        return new Store(names(d.dataRoot.resolve("blobs/sha256")), names(d.dataRoot.resolve("layers/sha256")),
                ok(d.docker("images", "-a", "-q", "--no-trunc")).out());
    }

    static TreeSet<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * A failed pull leaves no image and nothing half-written. Layers of the image that did
     * complete stay (the next pull resumes with them): each is whole (layer.json written last,
     * by the publishing rename) with its tar blob, whose digest is its diffID.
     */
    static void assertNothingHalfStored(Store before, Img img) throws Exception {
        Store after = store();
        assertEquals(before.images(), after.images(), "a failed pull stores no image");
        TreeSet<String> newLayers = new TreeSet<>(after.layers());
        newLayers.removeAll(before.layers());
        TreeSet<String> newBlobs = new TreeSet<>(after.blobs());
        newBlobs.removeAll(before.blobs());
        TreeSet<String> layerTars = new TreeSet<>();
        for (String chain : newLayers) {
            Path meta = d.dataRoot.resolve("layers/sha256").resolve(chain).resolve("layer.json");
            assertTrue(Files.exists(meta), "layer " + chain + " is complete");
            String diffId = JSON.readTree(meta.toFile()).path("diffId").asText().substring(7);
            Path tar = d.dataRoot.resolve("blobs/sha256").resolve(diffId);
            assertEquals("sha256:" + diffId, LocalRegistry.sha(Files.readAllBytes(tar)), "the layer's tar is verified");
            layerTars.add(diffId);
        }
        assertEquals(layerTars, newBlobs, "the only new blobs are the tars of completed layers");
        assertEquals(Set0.EMPTY, names(d.dataRoot.resolve("ingest")), "no ingest file left");
        assertEquals(Set0.EMPTY, names(d.dataRoot.resolve("layers/tmp")), "no half-unpacked layer left");
        assertNotEquals(0, d.docker("image", "inspect", img.ref()).code(), "no image " + img.ref());
    }

    private static final class Set0 {
        static final TreeSet<String> EMPTY = new TreeSet<>();
    }

    /** After the fault clears, the same pull works and the image is the one in the registry. */
    static void pullsOnceCleared(Img img) throws Exception {
        proxy.clear();
        Cmd.Result r = ok(d.docker("pull", img.ref()));
        assertTrue(r.out().contains("Digest: " + img.manifest()), r::toString);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    /** POST /images/create (raw API through curl): the status code and the body. */
    record Api(int status, String body) {
        List<JsonNode> lines() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (String l : body.split("\n")) if (!l.isBlank()) out.add(JSON.readTree(l));
            return out;
        }
    }

    static Api apiPull(Img img) throws Exception {
        String url = "http://localhost/v1.47/images/create?fromImage=" + URLEncoder.encode(proxy.host() + "/" + img.repo(), StandardCharsets.UTF_8) + "&tag=1";
        Cmd.Result r = ok(Cmd.run(Map.of(), null, "curl", "-sS", "--unix-socket", d.socket.toString(), "-X", "POST", "-w", "\n%{http_code}", url));
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        return new Api(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, nl));
    }

    @Test
    void serverErrorsOnABlobAreRetried() throws Exception {
        Img img = seed("faults/retry500");
        proxy.fault("GET", img.blobPath(1), 2, new FaultProxy.Status(500));
        Cmd.Result r = ok(d.docker("pull", img.ref()));
        assertTrue(r.out().contains("Retrying in"), r::toString);
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(List.of(500, 500, 200), gets.stream().map(FaultProxy.Logged::status).toList(), gets::toString);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void aBlobThatKeepsFailingFailsThePullAfterFiveAttempts() throws Exception {
        Img img = seed("faults/always500");
        Store before = store();
        proxy.fault("GET", img.blobPath(1), -1, new FaultProxy.Status(500));
        Api api = apiPull(img);
        assertEquals(200, api.status(), "the progress stream had started: " + api);
        JsonNode last = api.lines().getLast();
        String message = last.path("errorDetail").path("message").asText();
        assertTrue(message.contains("download failed after 5 attempts: received unexpected HTTP status: 500 Internal Server Error"), api::toString);
        assertEquals(message, last.path("error").asText());
        assertTrue(api.body().contains("Retrying in"), api::toString);
        assertEquals(5, proxy.requests("GET", img.blobPath(1)).size(), proxy.log()::toString);
        assertNothingHalfStored(before, img);
        pullsOnceCleared(img);
    }

    @Test
    void aResetConnectionIsRetriedAndResumed() throws Exception {
        Img img = seed("faults/reset");
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.DropAfter(300_000));
        ok(d.docker("pull", img.ref()));
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(2, gets.size(), gets::toString);
        assertNull(gets.get(0).range());
        String range = gets.get(1).range();
        assertTrue(range == null || range.matches("bytes=[1-9][0-9]*-"), "resumed where it was cut, or restarted: " + gets);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void aTruncatedBodyResumesWithRangeAndIsVerifiedAsAWhole() throws Exception {
        Img img = seed("faults/truncated");
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.TruncateAfter(300_000));
        Cmd.Result r = ok(d.docker("pull", img.ref()));
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(2, gets.size(), gets::toString);
        assertEquals("bytes=300000-", gets.get(1).range(), gets::toString);
        assertEquals(206, gets.get(1).status(), gets::toString);
        assertTrue(r.out().contains("Pull complete"), r::toString);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void withoutRangeSupportTheDownloadStartsOver() throws Exception {
        Img img = seed("faults/norange");
        proxy.ignoreRange(true);
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.TruncateAfter(300_000));
        ok(d.docker("pull", img.ref()));
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(2, gets.size(), gets::toString);
        assertEquals("bytes=300000-", gets.get(1).range(), "asked for the rest: " + gets);
        assertEquals(200, gets.get(1).status(), "got the whole blob: " + gets);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void wrongBytesAfterAResumeStartTheLayerOver() throws Exception {
        Img img = seed("faults/resumedcorrupt");
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.TruncateAfter(300_000));
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.Corrupt());
        Cmd.Result r = ok(d.docker("pull", img.ref()));
        assertTrue(r.out().contains("Retrying in"), r::toString);
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(3, gets.size(), gets::toString);
        assertEquals("bytes=300000-", gets.get(1).range(), gets::toString);
        assertNull(gets.get(2).range(), "the layer started over from byte 0: " + gets);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void wrongBytesAreRefusedWithoutRetryAndNothingIsStored() throws Exception {
        Img img = seed("faults/corrupt");
        Store before = store();
        proxy.fault("GET", img.blobPath(1), -1, new FaultProxy.Corrupt());
        Cmd.Result r = d.docker("pull", img.ref());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("filesystem layer verification failed for digest " + img.layers().get(1)), r::toString);
        assertEquals(1, proxy.requests("GET", img.blobPath(1)).size(), "a digest mismatch is not retried, as in dockerd: " + proxy.log());
        assertNothingHalfStored(before, img);
        pullsOnceCleared(img);
    }

    @Test
    void aMalformedManifestIsAnHttpErrorAndNotRetried() throws Exception {
        Img img = seed("faults/badmanifest");
        Store before = store();
        proxy.fault("GET", img.manifestPath(), -1, new FaultProxy.Replace("application/vnd.oci.image.manifest.v1+json",
                "{\"schemaVersion\":2,\"layers\":[{\"digest\":".getBytes()));
        Api api = apiPull(img);
        assertEquals(400, api.status(), api::toString);
        String message = JSON.readTree(api.body()).path("message").asText();
        assertTrue(message.startsWith("error parsing manifest 1 of faults/badmanifest from http://" + proxy.host() + ": invalid JSON"), api::toString);
        assertEquals(1, proxy.requests("GET", img.manifestPath()).size(), proxy.log()::toString);
        Cmd.Result cli = d.docker("pull", img.ref());
        assertEquals(1, cli.code(), cli::toString);
        assertTrue(cli.err().contains("error parsing manifest"), cli::toString);
        assertNothingHalfStored(before, img);
        pullsOnceCleared(img);
    }

    @Test
    void aManifestNamingAMissingBlobFailsWithBlobUnknown() throws Exception {
        Img img = seed("faults/missingblob");
        Store before = store();
        String missing = LocalRegistry.sha("not in the registry".getBytes());
        byte[] manifest = new String(img.manifestBytes()).replace(img.layers().get(1), missing).getBytes();
        proxy.fault("GET", img.manifestPath(), -1, new FaultProxy.Replace("application/vnd.oci.image.manifest.v1+json", manifest));
        Cmd.Result r = d.docker("pull", img.ref());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("blob unknown") && r.err().contains(missing), r::toString);
        assertEquals(1, proxy.requests("GET", "/blobs/" + missing).size(), "an unknown blob is not retried: " + proxy.log());
        assertNothingHalfStored(before, img);
        pullsOnceCleared(img);
    }

    @Test
    void aManifestServerErrorIsNotRetried() throws Exception {
        Img img = seed("faults/manifest500");
        Store before = store();
        proxy.fault("GET", img.manifestPath(), 1, new FaultProxy.Status(500));
        Api api = apiPull(img);
        assertEquals(503, api.status(), api::toString);
        assertTrue(JSON.readTree(api.body()).path("message").asText().contains("received unexpected HTTP status: 500 Internal Server Error"), api::toString);
        assertEquals(1, proxy.requests("GET", img.manifestPath()).size(), proxy.log()::toString);
        assertNothingHalfStored(before, img);
        ok(d.docker("pull", img.ref())); // the fault was for one request only
    }

    @Test
    void aStalledBlobTimesOutAndResumes() throws Exception {
        Img img = seed("faults/stall");
        proxy.fault("GET", img.blobPath(1), 1, new FaultProxy.Stall(200_000, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        ok(d.docker("pull", img.ref()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 10_000, "a 1 s stall timeout, not the 30 s stall: " + ms + " ms");
        List<FaultProxy.Logged> gets = proxy.requests("GET", img.blobPath(1));
        assertEquals(2, gets.size(), gets::toString);
        assertEquals("bytes=200000-", gets.get(1).range(), gets::toString);
        assertEquals(img.config(), ok(d.docker("image", "inspect", "-f", "{{.Id}}", img.ref())).out().strip());
    }

    @Test
    void aBlobThatAlwaysStallsFailsThePull() throws Exception {
        Img img = seed("faults/stallforever");
        Store before = store();
        proxy.fault("GET", img.blobPath(1), -1, new FaultProxy.Stall(100_000, Duration.ofSeconds(60)));
        long t0 = System.nanoTime();
        Cmd.Result r = d.docker("pull", img.ref());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("download failed after 5 attempts: read stalled: no data from the registry for 1s"), r::toString);
        assertTrue(ms < 20_000, "5 attempts of 1 s plus 3 s of back-off: " + ms + " ms");
        assertEquals(5, proxy.requests("GET", img.blobPath(1)).size(), proxy.log()::toString);
        assertNothingHalfStored(before, img);
        pullsOnceCleared(img);
    }
}
