package dev.berth.daemon.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.daemon.archive.ArchiveJson.Blob;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveJsonTest {
    private static final Digest CONFIG = new Digest("c".repeat(64));
    private static final Digest LAYER1 = new Digest("1".repeat(64));
    private static final Digest LAYER2 = new Digest("2".repeat(64));

    private static String s(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    @Test
    void ociManifestIsTheOneImportStores() {
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CONFIG + "\",\"size\":291},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + LAYER1 + "\",\"size\":2048}]}",
                s(ArchiveJson.ociManifest(new Blob(CONFIG, 291), List.of(new Blob(LAYER1, 2048)))));
    }

    @Test
    void dockerManifestAsDockerd25WritesIt() {
        byte[] m = ArchiveJson.dockerManifest(List.of(
                new ArchiveJson.DockerEntry(CONFIG, List.of("busybox:latest"), List.of(new Blob(LAYER2, 10), new Blob(LAYER1, 20))),
                new ArchiveJson.DockerEntry(CONFIG, List.of(), List.of())));
        assertEquals("[{\"Config\":\"blobs/sha256/" + CONFIG.hex() + "\",\"RepoTags\":[\"busybox:latest\"],"
                + "\"Layers\":[\"blobs/sha256/" + LAYER2.hex() + "\",\"blobs/sha256/" + LAYER1.hex() + "\"],"
                + "\"LayerSources\":{"
                + "\"" + LAYER1 + "\":{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":20,\"digest\":\"" + LAYER1 + "\"},"
                + "\"" + LAYER2 + "\":{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":10,\"digest\":\"" + LAYER2 + "\"}}},"
                + "{\"Config\":\"blobs/sha256/" + CONFIG.hex() + "\",\"RepoTags\":null,\"Layers\":[]}]\n", s(m));
    }

    @Test
    void indexNamesTaggedManifests() {
        Blob m = new Blob(LAYER1, 400);
        byte[] idx = ArchiveJson.index(List.of(new ArchiveJson.IndexEntry(m, ImageRef.parse("busybox:1")), new ArchiveJson.IndexEntry(m, null)));
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + LAYER1 + "\",\"size\":400,"
                + "\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/busybox:1\",\"org.opencontainers.image.ref.name\":\"1\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + LAYER1 + "\",\"size\":400}]}", s(idx));
        assertEquals("{\"imageLayoutVersion\": \"1.0.0\"}", s(ArchiveJson.OCI_LAYOUT_BYTES));
    }

    @Test
    void repositoriesAreSorted() {
        assertEquals("{\"a\":{\"1\":\"x\",\"2\":\"y\"},\"b\":{\"latest\":\"z\"}}\n",
                s(ArchiveJson.repositories(Map.of("b", Map.of("latest", "z"), "a", Map.of("2", "y", "1", "x")))));
    }

    @Test
    void blobPaths() {
        assertEquals("blobs/sha256/" + CONFIG.hex(), ArchiveJson.blobPath(CONFIG));
        assertEquals(CONFIG, ArchiveJson.digestOfBlobPath("blobs/sha256/" + CONFIG.hex()));
        assertNull(ArchiveJson.digestOfBlobPath("blobs/sha256/abc"));
        assertNull(ArchiveJson.digestOfBlobPath(CONFIG.hex() + ".json"));
    }

    @Test
    void parsesDockerManifestsWithDockersRules() {
        List<ArchiveJson.DockerItem> items = ArchiveJson.parseDockerManifest(
                "[{\"Config\":\"a.json\",\"RepoTags\":null,\"Layers\":[\"x/layer.tar\"]},{\"Config\":\"b\",\"RepoTags\":[\"t:1\"]}]".getBytes());
        assertEquals(new ArchiveJson.DockerItem("a.json", List.of(), List.of("x/layer.tar")), items.get(0));
        assertEquals(new ArchiveJson.DockerItem("b", List.of("t:1"), List.of()), items.get(1));
        assertEquals(List.of(), ArchiveJson.parseDockerManifest("[]".getBytes()));
        assertInvalid("invalid manifest, manifest cannot be null (but can be [])", "null");
        assertInvalid("invalid archive: failed to decode manifest.json: expected an array of images, got object", "{}");
        assertInvalid("invalid archive: failed to decode manifest.json: an image has no Config", "[{\"Layers\":[]}]");
        assertInvalid("invalid archive: failed to decode manifest.json: Layers must be a list of strings", "[{\"Config\":\"c\",\"Layers\":[1]}]");
        var e = assertThrows(BerthException.InvalidArgument.class, () -> ArchiveJson.parseDockerManifest("[{\"Config\":".getBytes()));
        assertEquals(true, e.getMessage().startsWith("invalid archive: failed to decode manifest.json: Unexpected end-of-input"), e.getMessage());
    }

    private static void assertInvalid(String message, String json) {
        var e = assertThrows(BerthException.InvalidArgument.class, () -> ArchiveJson.parseDockerManifest(json.getBytes()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void repoTagsMustNameATag() {
        assertEquals("busybox:latest", ArchiveJson.parseRepoTag("docker.io/library/busybox:latest").familiar());
        assertEquals("127.0.0.1:5000/app:1", ArchiveJson.parseRepoTag("127.0.0.1:5000/app:1").familiar());
        assertEquals("invalid tag \"busybox\"", assertThrows(BerthException.class, () -> ArchiveJson.parseRepoTag("busybox")).getMessage());
        assertEquals("invalid tag \"127.0.0.1:5000/app\"", assertThrows(BerthException.class, () -> ArchiveJson.parseRepoTag("127.0.0.1:5000/app")).getMessage());
        assertThrows(BerthException.class, () -> ArchiveJson.parseRepoTag("busybox@sha256:" + "a".repeat(64)));
        assertThrows(BerthException.class, () -> ArchiveJson.parseRepoTag("Bad/Name:1"));
    }

    @Test
    void namesFromOciAnnotations() {
        assertEquals("busybox:1", name("{\"io.containerd.image.name\":\"docker.io/library/busybox:1\",\"org.opencontainers.image.ref.name\":\"1\"}"));
        assertEquals("busybox:1.0", name("{\"org.opencontainers.image.ref.name\":\"busybox:1.0\"}"));
        assertEquals("localhost:5000/app:latest", name("{\"org.opencontainers.image.ref.name\":\"localhost:5000/app\"}"));
        assertNull(name("{\"org.opencontainers.image.ref.name\":\"latest\"}"), "a bare tag names no repository");
        assertNull(name("{\"io.containerd.image.name\":\"NOT VALID\"}"));
        assertNull(name("{}"));
        assertNull(ArchiveJson.nameFromAnnotations(null));
    }

    private static String name(String annotations) {
        ImageRef r = ArchiveJson.nameFromAnnotations(Json.parse(annotations.getBytes()));
        return r == null ? null : r.familiar();
    }
}
