package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed, structurally valid manifest or index: what the registry needs from it (its media
 * type, the blobs and child manifests it references, its subject and artifact type). Parsing
 * checks the shape only; {@link Registry} checks that the references exist.
 */
public record Manifest(String mediaType, List<Descriptor> blobs, List<Descriptor> children, Descriptor subject,
                       String artifactType, JsonNode annotations) {
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final Set<String> TYPES = Set.of(DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX);
    /** Registries should accept manifests up to 4 MiB (distribution spec); larger ones are refused. */
    public static final int MAX_SIZE = 4 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Layers a registry need not hold (Windows base layers and OCI non-distributable layers). */
    private static final Set<String> FOREIGN = Set.of(
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    public record Descriptor(String mediaType, Digest digest, long size, String artifactType, JsonNode annotations,
                             boolean foreign) {}

    public boolean isIndex() { return mediaType.equals(DOCKER_LIST) || mediaType.equals(OCI_INDEX); }

    /**
     * Parses {@code content} sent with {@code contentType} (the request's Content-Type, possibly
     * null or generic). The manifest's own {@code mediaType}, when present, must agree with it.
     */
    public static Manifest parse(String contentType, byte[] content) {
        if (content.length > MAX_SIZE) throw ErrorCode.MANIFEST_INVALID.error("manifest is larger than " + MAX_SIZE + " bytes");
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            throw ErrorCode.MANIFEST_INVALID.error("manifest is not valid JSON", e.getMessage());
        }
        if (root == null || !root.isObject()) throw ErrorCode.MANIFEST_INVALID.error("manifest is not a JSON object");
        JsonNode schema = root.get("schemaVersion");
        if (schema == null || !schema.isInt() || schema.intValue() != 2) {
            throw ErrorCode.MANIFEST_INVALID.error("unsupported manifest schemaVersion " + schema + " (only 2)");
        }
        String declared = root.hasNonNull("mediaType") ? root.get("mediaType").asText() : null;
        String type = mediaType(contentType);
        if (declared != null && type != null && !declared.equals(type)) {
            throw ErrorCode.MANIFEST_INVALID.error("mediaType " + declared + " does not match Content-Type " + type);
        }
        if (type == null) type = declared;
        if (type == null) type = root.has("manifests") ? OCI_INDEX : OCI_MANIFEST; // OCI allows omitting it
        if (!TYPES.contains(type)) throw ErrorCode.MANIFEST_INVALID.error("unsupported manifest media type " + type);
        boolean index = type.equals(DOCKER_LIST) || type.equals(OCI_INDEX);
        JsonNode annotations = root.get("annotations");
        if (annotations != null && !annotations.isObject() && !annotations.isNull()) {
            throw ErrorCode.MANIFEST_INVALID.error("annotations must be an object");
        }
        Descriptor subject = root.hasNonNull("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = text(root, "artifactType");
        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> children = new ArrayList<>();
        if (index) {
            JsonNode ms = root.get("manifests");
            if (ms == null || !ms.isArray()) throw ErrorCode.MANIFEST_INVALID.error("index has no manifests array");
            for (JsonNode m : ms) children.add(descriptor(m, "manifests"));
        } else {
            if (!root.hasNonNull("config")) throw ErrorCode.MANIFEST_INVALID.error("manifest has no config");
            Descriptor config = descriptor(root.get("config"), "config");
            blobs.add(config);
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) throw ErrorCode.MANIFEST_INVALID.error("manifest has no layers array");
            for (JsonNode l : layers) blobs.add(descriptor(l, "layers"));
            // The referrers API reports the config's media type when a manifest names no artifactType.
            if (artifactType == null) artifactType = config.mediaType();
        }
        return new Manifest(type, List.copyOf(blobs), List.copyOf(children), subject, artifactType,
                annotations == null || annotations.isNull() ? null : annotations);
    }

    /** The media type named by a Content-Type header, or null when it names none this registry stores by. */
    static String mediaType(String contentType) {
        if (contentType == null) return null;
        String t = contentType.split(";", 2)[0].trim();
        if (t.isEmpty() || t.equals("application/json") || t.equals("application/octet-stream")) return null;
        return t;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Descriptor descriptor(JsonNode n, String where) {
        if (!n.isObject()) throw ErrorCode.MANIFEST_INVALID.error(where + ": descriptor is not an object");
        JsonNode digest = n.get("digest");
        JsonNode size = n.get("size");
        JsonNode mediaType = n.get("mediaType");
        if (digest == null || !digest.isTextual()) throw ErrorCode.MANIFEST_INVALID.error(where + ": descriptor has no digest");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw ErrorCode.MANIFEST_INVALID.error(where + ": descriptor " + digest.asText() + " has no valid size");
        }
        if (mediaType == null || !mediaType.isTextual() || mediaType.asText().isEmpty()) {
            throw ErrorCode.MANIFEST_INVALID.error(where + ": descriptor " + digest.asText() + " has no mediaType");
        }
        Digest d;
        try {
            d = Digests.parse(digest.asText());
        } catch (RegistryException e) {
            throw ErrorCode.MANIFEST_INVALID.error(where + ": " + e.getMessage());
        }
        JsonNode urls = n.get("urls");
        boolean foreign = FOREIGN.contains(mediaType.asText()) || (urls != null && urls.isArray() && !urls.isEmpty());
        JsonNode annotations = n.get("annotations");
        return new Descriptor(mediaType.asText(), d, size.longValue(), text(n, "artifactType"),
                annotations == null || annotations.isNull() ? null : annotations, foreign);
    }

    /** A referrers-index entry for this manifest. */
    public ObjectNode referrerDescriptor(Digest digest, long size) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        if (artifactType != null) d.put("artifactType", artifactType);
        if (annotations != null) d.set("annotations", annotations);
        return d;
    }
}
