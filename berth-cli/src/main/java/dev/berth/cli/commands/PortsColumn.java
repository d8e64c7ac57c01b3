package dev.berth.cli.commands;

import dev.berth.cli.json.Json;
import dev.berth.cli.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PORTS column of {@code ps} ({@code /containers/json} {@code Ports}), as the docker CLI 28
 * formats it:
 * <ul>
 * <li>ports are ordered by private port, host IP (as text), public port, protocol;</li>
 * <li>ports published on the same port number ({@code -p 8000-8002:8000-8002}) and unpublished
 *     ports are grouped per host IP and protocol into runs of consecutive numbers:
 *     {@code 0.0.0.0:8000-8002->8000-8002/tcp}, {@code 90-91/tcp}; a run is written out when a
 *     gap ends it, the open runs at the end in the order they were started;</li>
 * <li>ports published on another number are never grouped and come last, in order:
 *     {@code 0.0.0.0:8000->80/tcp, [::]:8000->80/tcp, 0.0.0.0:8001->81/tcp} (so
 *     {@code -p 8000-8001:80-81} is not shown as one range).</li>
 * </ul>
 */
final class PortsColumn {
    private PortsColumn() {}

    /** One Ports entry; ordered by private port, host IP (as text), public port, protocol. */
    private record Port(String ip, long priv, long pub, String type) implements Comparable<Port> {
        @Override
        public int compareTo(Port o) {
            if (priv != o.priv) return Long.compare(priv, o.priv);
            if (!ip.equals(o.ip)) return ip.compareTo(o.ip);
            if (pub != o.pub) return Long.compare(pub, o.pub);
            return type.compareTo(o.type);
        }
    }

    static String format(List<Object> summaries) {
        List<Port> ports = new ArrayList<>();
        for (Object p : summaries) {
            ports.add(new Port(Json.str(p, "IP"), Json.num(p, "PrivatePort"), Json.num(p, "PublicPort"), Json.str(p, "Type")));
        }
        ports.sort(null);
        Map<String, long[]> open = new LinkedHashMap<>(); // group key ("tcp" or "ip/tcp") → {first, last}
        List<String> out = new ArrayList<>();
        List<String> remapped = new ArrayList<>();
        for (Port p : ports) {
            String key = p.type();
            if (!p.ip().isEmpty()) {
                if (p.pub() != p.priv()) {
                    remapped.add(IpAddress.joinHostPort(p.ip(), Long.toString(p.pub())) + "->" + p.priv() + "/" + p.type());
                    continue;
                }
                key = p.ip() + "/" + p.type();
            }
            long[] run = open.get(key);
            if (run == null) {
                open.put(key, new long[] {p.priv(), p.priv()});
            } else if (p.priv() == run[1] + 1) {
                run[1] = p.priv();
            } else {
                out.add(group(key, run));
                run[0] = run[1] = p.priv();
            }
        }
        for (Map.Entry<String, long[]> e : open.entrySet()) out.add(group(e.getKey(), e.getValue()));
        out.addAll(remapped);
        return String.join(", ", out);
    }

    private static String group(String key, long[] run) {
        int slash = key.lastIndexOf('/');
        String type = key.substring(slash + 1);
        String ports = run[0] == run[1] ? Long.toString(run[0]) : run[0] + "-" + run[1];
        if (slash < 0) return ports + "/" + type;
        return IpAddress.joinHostPort(key.substring(0, slash), ports) + "->" + ports + "/" + type;
    }
}
