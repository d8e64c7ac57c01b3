package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestTest {
    static final String A = "sha256:" + "a".repeat(64);
    static final String B = "sha256:" + "b".repeat(64);

    static String ociManifest(String config, String layer, String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":5}]"
                + extra + "}";
    }

    private static Manifest parse(String type, String json) { return Manifest.parse(type, json.getBytes(StandardCharsets.UTF_8)); }

    private static ErrorCode failure(String type, String json) {
        return assertThrows(RegistryException.class, () -> parse(type, json)).code;
    }

    @Test void ociManifestReferencesConfigAndLayers() {
        Manifest m = parse(Manifest.OCI_MANIFEST, ociManifest(A, B, ""));
        assertEquals(Manifest.OCI_MANIFEST, m.mediaType());
        assertEquals(2, m.blobs().size());
        assertEquals(A, m.blobs().get(0).digest().toString());
        assertEquals(5, m.blobs().get(1).size());
        assertTrue(m.children().isEmpty());
        assertNull(m.subject());
        assertEquals("application/vnd.oci.image.config.v1+json", m.artifactType()); // the config's type stands in
    }

    @Test void mediaTypeComesFromContentTypeOrBody() {
        assertEquals(Manifest.OCI_MANIFEST, parse(null, ociManifest(A, B, "")).mediaType());
        assertEquals(Manifest.OCI_MANIFEST, parse("application/json", ociManifest(A, B, "")).mediaType());
        String noType = "{\"schemaVersion\":2,\"manifests\":[]}";
        assertEquals(Manifest.OCI_INDEX, parse(null, noType).mediaType());
        assertEquals(Manifest.DOCKER_LIST, parse(Manifest.DOCKER_LIST, noType).mediaType());
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_INDEX, ociManifest(A, B, "")));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure("text/plain", noType));
    }

    @Test void subjectAndArtifactType() {
        Manifest m = parse(Manifest.OCI_MANIFEST, ociManifest(A, B, ",\"artifactType\":\"application/x-sig\","
                + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + A + "\",\"size\":9},"
                + "\"annotations\":{\"k\":\"v\"}"));
        assertEquals(A, m.subject().digest().toString());
        assertEquals("application/x-sig", m.artifactType());
        assertEquals("v", m.annotations().get("k").asText());
        assertEquals("application/x-sig", m.referrerDescriptor(m.subject().digest(), 7).get("artifactType").asText());
    }

    @Test void indexChildren() {
        Manifest m = parse(Manifest.OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + Manifest.OCI_MANIFEST
                + "\",\"digest\":\"" + A + "\",\"size\":10,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}");
        assertTrue(m.isIndex());
        assertEquals(1, m.children().size());
        assertTrue(m.blobs().isEmpty());
    }

    @Test void foreignLayersNeedNotExist() {
        Manifest m = parse(Manifest.DOCKER_MANIFEST, "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.DOCKER_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + A + "\",\"size\":1},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" + B
                + "\",\"size\":1,\"urls\":[\"https://example.invalid/l\"]}]}");
        assertTrue(m.blobs().get(1).foreign());
    }

    @Test void invalidManifests() {
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(null, "not json"));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(null, "[1]"));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(null, "{\"schemaVersion\":1}"));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_MANIFEST, "{\"schemaVersion\":2,\"layers\":[]}"));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_MANIFEST, ociManifest("sha256:xyz", B, "")));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_MANIFEST, ociManifest(A, B, "").replace("\"size\":5", "\"size\":-5")));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_MANIFEST, ociManifest(A, B, "").replace("\"size\":5", "\"size\":\"5\"")));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":{}}"));
        assertEquals(ErrorCode.MANIFEST_INVALID, failure(Manifest.OCI_MANIFEST, ociManifest(A, B, ",\"annotations\":[]")));
    }
}
