package dev.berth.daemon.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import java.time.Instant;
import java.util.Map;

/** One engine event, as {@code GET /events} streams it. */
public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {
    public ObjectNode toJson() {
        ObjectNode n = Json.obj();
        if (type.equals("container") || type.equals("image")) {
            n.put("status", action);
            n.put("id", actorId);
            String image = attributes.get("image");
            if (type.equals("container") && image != null) n.put("from", image);
        }
        n.put("Type", type);
        n.put("Action", action);
        ObjectNode actor = n.putObject("Actor");
        actor.put("ID", actorId);
        ObjectNode attrs = actor.putObject("Attributes");
        attributes.forEach(attrs::put);
        n.put("scope", "local");
        n.put("time", time.getEpochSecond());
        n.put("timeNano", time.getEpochSecond() * 1_000_000_000L + time.getNano());
        return n;
    }
}
