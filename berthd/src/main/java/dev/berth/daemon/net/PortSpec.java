package dev.berth.daemon.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.errors.BerthException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A container's port publishing as the API gives it: {@code HostConfig.PortBindings}
 * ({@code {"80/tcp":[{"HostIp":"","HostPort":"8080"}]}}) and, with {@code PublishAllPorts},
 * every exposed port on an ephemeral host port. Pure: parses and validates, binds nothing.
 */
public final class PortSpec {
    private PortSpec() {}

    /**
     * One host port (or range to pick one from; 0–0 for an ephemeral port) for one container port.
     *
     * @param hostIp "" for every host address
     */
    public record Binding(String proto, int containerPort, String hostIp, int hostPortLow, int hostPortHigh) {}

    /** The bindings to make; {@code exposedForAll} is Config.ExposedPorts when PublishAllPorts is set, else null. */
    public static List<Binding> bindings(JsonNode portBindings, JsonNode exposedForAll) {
        List<Binding> out = new ArrayList<>();
        Set<String> bound = new LinkedHashSet<>();
        if (portBindings != null && portBindings.isObject()) {
            for (var e : portBindings.properties()) {
                String key = normalize(e.getKey());
                String[] pp = key.split("/");
                int containerPort = port(pp[0], "invalid container port");
                JsonNode list = e.getValue();
                if (list == null || !list.isArray() || list.isEmpty()) continue;
                bound.add(key);
                for (JsonNode b : list) {
                    String hostIp = b.path("HostIp").asText("");
                    if (!hostIp.isEmpty() && !hostIp.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                        if (hostIp.contains(":")) continue; // IPv6 binding: this daemon publishes on IPv4 only
                        throw BerthException.invalid("invalid host IP address: " + hostIp);
                    }
                    String hp = b.path("HostPort").asText("");
                    int low = 0, high = 0;
                    if (!hp.isEmpty()) {
                        int dash = hp.indexOf('-');
                        if (dash > 0) {
                            low = port(hp.substring(0, dash), "invalid host port");
                            high = port(hp.substring(dash + 1), "invalid host port");
                            if (high < low) throw BerthException.invalid("invalid port range: " + hp);
                        } else {
                            low = high = port(hp, "invalid host port");
                        }
                    }
                    out.add(new Binding(pp[1], containerPort, hostIp, low, high));
                }
            }
        }
        if (exposedForAll != null) {
            for (String key : exposedKeys(exposedForAll)) {
                if (bound.contains(key)) continue;
                String[] pp = key.split("/");
                out.add(new Binding(pp[1], port(pp[0], "invalid container port"), "", 0, 0));
            }
        }
        return out;
    }

    /** The keys of Config.ExposedPorts as {@code port/proto}. */
    public static List<String> exposedKeys(JsonNode exposed) {
        List<String> out = new ArrayList<>();
        if (exposed != null && exposed.isObject()) exposed.fieldNames().forEachRemaining(k -> out.add(normalize(k)));
        return out;
    }

    /** {@code 80} → {@code 80/tcp}; only tcp and udp are published ({@code sctp} is refused). */
    static String normalize(String key) {
        String k = key.contains("/") ? key : key + "/tcp";
        String proto = k.substring(k.indexOf('/') + 1);
        if (!proto.equals("tcp") && !proto.equals("udp")) throw BerthException.invalid("invalid proto: " + proto);
        return k;
    }

    private static int port(String s, String what) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535) return p;
        } catch (NumberFormatException ignored) {
            // below
        }
        throw BerthException.invalid(what + ": " + s);
    }
}
