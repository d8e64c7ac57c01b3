package dev.berth.daemon.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON documents of an image archive, written byte for byte as dockerd 25+ writes them
 * (moby {@code image/tarexport/save.go}: Go's field order, sorted map keys, a newline after the
 * documents its JSON encoder writes), and read back with Docker's validation messages.
 *
 * <p>One archive is two formats at once: Docker's {@code manifest.json} (+ {@code repositories})
 * and an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/<hex>}),
 * both pointing at the same blobs.
 */
public final class ArchiveJson {
    public static final String MANIFEST = "manifest.json";
    public static final String REPOSITORIES = "repositories";
    public static final String INDEX = "index.json";
    public static final String OCI_LAYOUT = "oci-layout";

    public static final String MEDIA_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String MEDIA_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MEDIA_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String MEDIA_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String MEDIA_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String MEDIA_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    /** containerd's annotation with the full image name; dockerd writes it and reads it first. */
    public static final String ANNOTATION_IMAGE_NAME = "io.containerd.image.name";
    /** The OCI annotation: a tag ("latest") as dockerd writes it, or a whole name ("app:1") as skopeo does. */
    public static final String ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

    /** The one byte sequence dockerd writes (note the space). */
    public static final byte[] OCI_LAYOUT_BYTES = "{\"imageLayoutVersion\": \"1.0.0\"}".getBytes(StandardCharsets.US_ASCII);

    private ArchiveJson() {}

    /** A blob as a descriptor names it. */
    public record Blob(Digest digest, long size) {}

    /** The path of a blob inside the archive: {@code blobs/sha256/<hex>}. */
    public static String blobPath(Digest d) { return "blobs/sha256/" + d.hex(); }

    /** The digest a path names if it is {@code blobs/sha256/<64 hex>}, else null. */
    public static Digest digestOfBlobPath(String normalizedPath) {
        if (!normalizedPath.startsWith("blobs/sha256/")) return null;
        String hex = normalizedPath.substring("blobs/sha256/".length());
        return hex.matches("[a-f0-9]{64}") ? new Digest(hex) : null;
    }

    // ---------------------------------------------------------------- writing

    /** The OCI image manifest of a stored image: its config and its uncompressed layer tars. */
    public static byte[] ociManifest(Blob config, List<Blob> layers) {
        ObjectNode m = Json.obj();
        m.put("schemaVersion", 2);
        m.put("mediaType", MEDIA_OCI_MANIFEST);
        m.set("config", descriptor(MEDIA_OCI_CONFIG, config));
        ArrayNode ls = m.putArray("layers");
        for (Blob l : layers) ls.add(descriptor(MEDIA_OCI_LAYER, l));
        return Json.bytes(m);
    }

    private static ObjectNode descriptor(String mediaType, Blob b) {
        return Json.obj().put("mediaType", mediaType).put("digest", b.digest().toString()).put("size", b.size());
    }

    /** One image in {@code manifest.json}: its config, familiar tags, and layers bottom-up. */
    public record DockerEntry(Digest config, List<String> repoTags, List<Blob> layers) {}

    /**
     * {@code manifest.json}: paths into {@code blobs/sha256/}, {@code RepoTags} null when the
     * image has none, and {@code LayerSources} (diffID → descriptor, sorted) as dockerd 25+ writes.
     */
    public static byte[] dockerManifest(List<DockerEntry> entries) {
        ArrayNode arr = Json.arr();
        for (DockerEntry e : entries) {
            ObjectNode n = arr.addObject();
            n.put("Config", blobPath(e.config()));
            if (e.repoTags().isEmpty()) {
                n.putNull("RepoTags");
            } else {
                ArrayNode tags = n.putArray("RepoTags");
                e.repoTags().forEach(tags::add);
            }
            ArrayNode layers = n.putArray("Layers");
            TreeMap<String, Blob> sources = new TreeMap<>();
            for (Blob l : e.layers()) {
                layers.add(blobPath(l.digest()));
                sources.put(l.digest().toString(), l);
            }
            if (!sources.isEmpty()) {
                ObjectNode src = n.putObject("LayerSources");
                // distribution.Descriptor's field order: mediaType, size, digest.
                sources.forEach((k, b) -> src.putObject(k).put("mediaType", MEDIA_OCI_LAYER).put("size", b.size()).put("digest", k));
            }
        }
        return withNewline(Json.bytes(arr));
    }

    /**
     * The legacy {@code repositories} file: familiar repository → tag → hex of the image's top
     * layer diffID (what dockerd 25+ writes there), keys sorted.
     */
    public static byte[] repositories(Map<String, Map<String, String>> repos) {
        ObjectNode n = Json.obj();
        new TreeMap<>(repos).forEach((repo, tags) -> {
            ObjectNode t = n.putObject(repo);
            new TreeMap<>(tags).forEach(t::put);
        });
        return withNewline(Json.bytes(n));
    }

    /** One entry of {@code index.json}: a manifest, under a name or (null) untagged. */
    public record IndexEntry(Blob manifest, ImageRef name) {}

    /** {@code index.json}: tagged entries carry the full name and the tag, as dockerd writes them. */
    public static byte[] index(List<IndexEntry> entries) {
        ObjectNode n = Json.obj();
        n.put("schemaVersion", 2);
        n.put("mediaType", MEDIA_OCI_INDEX);
        ArrayNode ms = n.putArray("manifests");
        for (IndexEntry e : entries) {
            ObjectNode d = descriptor(MEDIA_OCI_MANIFEST, e.manifest());
            if (e.name() != null) {
                d.putObject("annotations").put(ANNOTATION_IMAGE_NAME, e.name().full()).put(ANNOTATION_REF_NAME, e.name().tag());
            }
            ms.add(d);
        }
        return Json.bytes(n);
    }

    private static byte[] withNewline(byte[] b) {
        byte[] out = java.util.Arrays.copyOf(b, b.length + 1);
        out[b.length] = '\n';
        return out;
    }

    // ---------------------------------------------------------------- reading

    /** One {@code manifest.json} entry as read, paths not yet resolved. */
    public record DockerItem(String config, List<String> repoTags, List<String> layers) {}

    /**
     * Parses {@code manifest.json} with Docker's rules: {@code null} is refused, {@code []} loads
     * nothing, every entry needs a Config path; Layers and RepoTags are string lists.
     */
    public static List<DockerItem> parseDockerManifest(byte[] bytes) {
        JsonNode root = parse(bytes, MANIFEST);
        if (root.isNull()) throw invalid("invalid manifest, manifest cannot be null (but can be [])");
        if (!root.isArray()) throw decodeError("expected an array of images, got " + root.getNodeType().toString().toLowerCase());
        List<DockerItem> out = new ArrayList<>();
        for (JsonNode item : root) {
            if (!item.isObject()) throw decodeError("expected an object for each image");
            JsonNode config = item.get("Config");
            if (config == null || !config.isTextual() || config.asText().isEmpty()) throw decodeError("an image has no Config");
            out.add(new DockerItem(config.asText(), strings(item, "RepoTags"), strings(item, "Layers")));
        }
        return out;
    }

    private static List<String> strings(JsonNode item, String field) {
        JsonNode v = item.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw decodeError(field + " must be a list of strings");
        for (JsonNode s : v) {
            if (!s.isTextual()) throw decodeError(field + " must be a list of strings");
            out.add(s.asText());
        }
        return out;
    }

    /**
     * A tag from {@code RepoTags} ("busybox:latest" or "docker.io/library/busybox:latest"): it
     * must name a tag, as dockerd requires.
     */
    public static ImageRef parseRepoTag(String repoTag) {
        ImageRef ref;
        try {
            ref = ImageRef.parse(repoTag);
        } catch (BerthException e) {
            throw invalid("invalid archive: invalid tag \"" + repoTag + "\" in " + MANIFEST + ": " + e.getMessage());
        }
        boolean explicitTag = repoTag.lastIndexOf(':') > repoTag.lastIndexOf('/');
        if (ref.digest() != null || !explicitTag) throw invalid("invalid tag \"" + repoTag + "\"");
        return ref;
    }

    /**
     * The name an OCI index entry gives its image: {@code io.containerd.image.name} (a full
     * name, as dockerd and containerd write it), else a {@code org.opencontainers.image.ref.name}
     * that is itself a name ("busybox:1.0", "registry:5000/app"; skopeo writes these). A bare
     * ref.name ("latest", "v1") is only a tag with no repository: the image is loaded untagged.
     * Names that are not valid references, or that carry a digest, are ignored too.
     */
    public static ImageRef nameFromAnnotations(JsonNode annotations) {
        if (annotations == null || !annotations.isObject()) return null;
        String full = Json.text(annotations, ANNOTATION_IMAGE_NAME);
        if (full != null && !full.isEmpty()) return tagOrNull(full);
        String ref = Json.text(annotations, ANNOTATION_REF_NAME);
        if (ref != null && (ref.contains(":") || ref.contains("/"))) return tagOrNull(ref);
        return null;
    }

    private static ImageRef tagOrNull(String s) {
        try {
            ImageRef r = ImageRef.parse(s);
            return r.digest() == null ? r : null;
        } catch (BerthException e) {
            return null;
        }
    }

    /**
     * Parses one JSON document of the archive; malformed JSON is a 400 naming the file. An empty
     * document is a missing node, which the callers' type checks refuse.
     */
    public static JsonNode parse(byte[] bytes, String what) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
            throw invalid("invalid archive: failed to decode " + what + ": " + reason);
        }
    }

    private static BerthException decodeError(String reason) {
        return invalid("invalid archive: failed to decode " + MANIFEST + ": " + reason);
    }

    static BerthException invalid(String message) { return BerthException.invalid(message); }
}
