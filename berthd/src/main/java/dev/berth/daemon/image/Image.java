package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Digest;
import java.util.ArrayList;
import java.util.List;

/** An image: its ID is the digest of its config blob; layers are identified by diff IDs. */
public record Image(Digest id, JsonNode config, long size) {
    public List<Digest> diffIds() {
        List<Digest> out = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> out.add(Digest.parse(d.asText())));
        return out;
    }

    /** Chain IDs from the bottom layer up. */
    public List<Digest> chainIds() {
        List<Digest> out = new ArrayList<>();
        Digest parent = null;
        for (Digest d : diffIds()) {
            parent = LayerStore.chainId(parent, d);
            out.add(parent);
        }
        return out;
    }

    /** The container config part ("config") of the image config, possibly missing. */
    public JsonNode containerConfig() { return config.path("config"); }
}
