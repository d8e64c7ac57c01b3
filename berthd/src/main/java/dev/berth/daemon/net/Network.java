package dev.berth.daemon.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network as dockerd keeps it: {@code bridge} (the default one and user-defined ones),
 * {@code host} and {@code null} ("none"). IPv4 only; {@code subnet}/{@code gateway} are null
 * for host and none. Stored as JSON (see {@link #toJson}).
 */
public record Network(String id, String name, String driver, String created, Subnet subnet, Long gateway, Subnet ipRange,
        boolean internal, boolean attachable, Map<String, String> labels, Map<String, String> options) {

    public static final String DEFAULT_BRIDGE = "bridge";

    public boolean predefined() {
        return name.equals(DEFAULT_BRIDGE) || name.equals("host") || name.equals("none");
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.obj();
        n.put("id", id).put("name", name).put("driver", driver).put("created", created);
        if (subnet != null) n.put("subnet", subnet.toString());
        if (gateway != null) n.put("gateway", Subnet.formatIp(gateway));
        if (ipRange != null) n.put("ipRange", ipRange.toString());
        n.put("internal", internal).put("attachable", attachable);
        ObjectNode l = n.putObject("labels");
        labels.forEach(l::put);
        ObjectNode o = n.putObject("options");
        options.forEach(o::put);
        return n;
    }

    public static Network fromJson(JsonNode n) {
        String subnet = Json.text(n, "subnet");
        String gw = Json.text(n, "gateway");
        String range = Json.text(n, "ipRange");
        return new Network(n.path("id").asText(), n.path("name").asText(), n.path("driver").asText(), n.path("created").asText(),
                subnet == null ? null : Subnet.parse(subnet), gw == null ? null : Subnet.parseIp(gw), range == null ? null : Subnet.parse(range),
                n.path("internal").asBoolean(), n.path("attachable").asBoolean(), map(n.path("labels")), map(n.path("options")));
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
