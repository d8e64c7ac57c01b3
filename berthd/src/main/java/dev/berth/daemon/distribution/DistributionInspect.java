package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /distribution/{name}/json}: what the registry holds under a reference — the
 * manifest's descriptor and the platforms it serves (from an index's entries, or from a single
 * manifest's config), without pulling anything.
 */
public final class DistributionInspect {
    private final Registries registries;

    public DistributionInspect(Registries registries) { this.registries = registries; }

    public ObjectNode inspect(String name, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        ImageRef ref = ImageRef.parse(name);
        RegistryClient registry = registries.client(ref.domain(), credentials);
        RegistryClient.Manifest m = registry.manifest(ref.path(), ref.digest() != null ? ref.digest() : ref.tag());
        if (ref.digest() != null && !m.digest().toString().equals(ref.digest())) {
            throw BerthException.invalid("manifest verification failed for digest " + ref.digest());
        }
        ObjectNode out = Json.obj();
        out.putObject("Descriptor").put("mediaType", m.mediaType()).put("digest", m.digest().toString()).put("size", m.bytes().length);
        ArrayNode platforms = out.putArray("Platforms");
        if (m.json().has("manifests")) {
            for (JsonNode e : m.json().path("manifests")) {
                JsonNode p = e.path("platform");
                if (p.isObject() && !p.path("architecture").asText().equals("unknown")) platforms.add(platform(p));
            }
        } else {
            Digest config = Digest.parse(m.json().path("config").path("digest").asText());
            byte[] bytes;
            try (InputStream in = registry.blob(ref.path(), config)) {
                bytes = in.readNBytes(16 * 1024 * 1024);
            }
            if (!Digest.of(bytes).equals(config)) throw BerthException.invalid("unexpected digest " + Digest.of(bytes) + ", expected " + config);
            platforms.add(platform(Json.parse(bytes)));
        }
        return out;
    }

    /** The OCI platform fields dockerd returns, from an index entry or an image config. */
    private static ObjectNode platform(JsonNode p) {
        ObjectNode o = Json.obj();
        o.put("architecture", p.path("architecture").asText(""));
        o.put("os", p.path("os").asText(""));
        String v = p.path("os.version").asText("");
        if (!v.isEmpty()) o.put("os.version", v);
        String variant = p.path("variant").asText("");
        if (!variant.isEmpty()) o.put("variant", variant);
        return o;
    }
}
