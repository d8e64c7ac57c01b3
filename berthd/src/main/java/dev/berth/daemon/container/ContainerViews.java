package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.HumanDuration;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.os.Mounts;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Docker-shaped JSON for containers: inspect, the ps summary, and list filtering. */
public final class ContainerViews {
    private final ContainerService service;
    private final ImageStore images;
    private final LayerStore layers;
    private final Networking networking;

    public ContainerViews(ContainerService service, ImageStore images, LayerStore layers, Networking networking) {
        this.service = service;
        this.images = images;
        this.layers = layers;
        this.networking = networking;
    }

    private ObjectNode networkSettings(ContainerRecord r) {
        ObjectNode s = networking.settings(r);
        return s != null ? s : plainNetworkSettings(r);
    }

    /**
     * The ps row's Ports from NetworkSettings.Ports: one entry per binding, and exposed ports
     * that are not published with no public side.
     */
    static ArrayNode summaryPorts(ObjectNode settings) {
        ArrayNode out = Json.arr();
        settings.path("Ports").properties().forEach(e -> {
            String[] pp = e.getKey().split("/");
            int priv = Integer.parseInt(pp[0]);
            String type = pp.length > 1 ? pp[1] : "tcp";
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                out.addObject().put("PrivatePort", priv).put("Type", type);
            } else {
                for (var b : e.getValue()) {
                    out.addObject().put("IP", b.path("HostIp").asText()).put("PrivatePort", priv)
                            .put("PublicPort", Integer.parseInt(b.path("HostPort").asText("0"))).put("Type", type);
                }
            }
        });
        return out;
    }

    public ObjectNode inspect(ContainerRecord r, boolean size) {
        synchronized (r) {
            ObjectNode n = Json.obj();
            n.put("Id", r.id);
            n.put("Created", r.created);
            n.put("Path", r.path);
            ArrayNode args = n.putArray("Args");
            r.args.forEach(args::add);
            ObjectNode s = n.putObject("State");
            s.put("Status", r.state.status);
            s.put("Running", r.state.running);
            s.put("Paused", r.state.paused);
            s.put("Restarting", r.state.restarting);
            s.put("OOMKilled", r.state.oomKilled);
            s.put("Dead", r.state.dead);
            s.put("Pid", r.state.pid);
            s.put("ExitCode", r.state.exitCode);
            s.put("Error", r.state.error);
            s.put("StartedAt", r.state.startedAt);
            s.put("FinishedAt", r.state.finishedAt);
            n.put("Image", r.image);
            Path dir = service.store().dir(r.id);
            n.put("ResolvConfPath", dir.resolve("resolv.conf").toString());
            n.put("HostnamePath", dir.resolve("hostname").toString());
            n.put("HostsPath", dir.resolve("hosts").toString());
            n.put("LogPath", dir.resolve(r.id + "-json.log").toString());
            n.put("Name", r.name);
            n.put("RestartCount", r.restartCount);
            n.put("Driver", "overlay2");
            n.put("Platform", "linux");
            n.put("MountLabel", "");
            n.put("ProcessLabel", "");
            n.put("AppArmorProfile", "");
            n.putNull("ExecIDs");
            n.set("HostConfig", r.hostConfig);
            ObjectNode gd = n.putObject("GraphDriver");
            ObjectNode data = gd.putObject("Data");
            data.put("LowerDir", lowerDirs(r));
            data.put("MergedDir", service.bundleDir(r.id).resolve("rootfs").toString());
            data.put("UpperDir", dir.resolve("fs/upper").toString());
            data.put("WorkDir", dir.resolve("fs/work").toString());
            gd.put("Name", "overlay2");
            if (size) {
                long rw = Mounts.du(dir.resolve("fs/upper"));
                n.put("SizeRw", rw);
                n.put("SizeRootFs", rw + imageSize(r));
            }
            n.putArray("Mounts");
            n.set("Config", r.config);
            n.set("NetworkSettings", networkSettings(r));
            return n;
        }
    }

    private String lowerDirs(ContainerRecord r) {
        Image img = images.get(Digest.parse(r.image));
        if (img == null) return "";
        return String.join(":", layers.diffDirs(img).stream().map(Path::toString).toList());
    }

    private long imageSize(ContainerRecord r) {
        Image img = images.get(Digest.parse(r.image));
        return img == null ? 0 : img.size();
    }

    private static ObjectNode plainNetworkSettings(ContainerRecord r) {
        ObjectNode ns = Json.obj();
        ns.put("Bridge", "");
        ns.put("SandboxID", "");
        ns.put("SandboxKey", r.state.running && r.state.pid > 0 ? "/proc/" + r.state.pid + "/ns/net" : "");
        ns.putObject("Ports");
        ns.put("HairpinMode", false);
        ns.put("LinkLocalIPv6Address", "");
        ns.put("LinkLocalIPv6PrefixLen", 0);
        ns.putNull("SecondaryIPAddresses");
        ns.putNull("SecondaryIPv6Addresses");
        ns.put("EndpointID", "");
        ns.put("Gateway", "");
        ns.put("GlobalIPv6Address", "");
        ns.put("GlobalIPv6PrefixLen", 0);
        ns.put("IPAddress", "");
        ns.put("IPPrefixLen", 0);
        ns.put("IPv6Gateway", "");
        ns.put("MacAddress", "");
        ObjectNode nets = ns.putObject("Networks");
        String mode = r.hostConfig.path("NetworkMode").asText("bridge");
        ObjectNode ep = nets.putObject(mode);
        ep.putNull("IPAMConfig");
        ep.putNull("Links");
        ep.putNull("Aliases");
        ep.put("MacAddress", "");
        ep.put("NetworkID", "");
        ep.put("EndpointID", "");
        ep.put("Gateway", "");
        ep.put("IPAddress", "");
        ep.put("IPPrefixLen", 0);
        ep.put("IPv6Gateway", "");
        ep.put("GlobalIPv6Address", "");
        ep.put("GlobalIPv6PrefixLen", 0);
        ep.putNull("DriverOpts");
        ep.putNull("DNSNames");
        return ns;
    }

    /** One row of {@code GET /containers/json}. */
    public ObjectNode summary(ContainerRecord r, boolean size) {
        synchronized (r) {
            ObjectNode n = Json.obj();
            n.put("Id", r.id);
            n.putArray("Names").add(r.name);
            n.put("Image", r.config.path("Image").asText());
            n.put("ImageID", r.image);
            StringBuilder cmd = new StringBuilder(r.path);
            for (String a : r.args) cmd.append(' ').append(a);
            n.put("Command", cmd.toString());
            n.put("Created", Instant.parse(r.created).getEpochSecond());
            ObjectNode settings = networkSettings(r);
            n.set("Ports", summaryPorts(settings));
            if (size) {
                long rw = Mounts.du(service.store().dir(r.id).resolve("fs/upper"));
                n.put("SizeRw", rw);
                n.put("SizeRootFs", rw + imageSize(r));
            }
            n.set("Labels", r.config.path("Labels").isObject() ? r.config.get("Labels") : Json.obj());
            n.put("State", r.state.status);
            n.put("Status", status(r));
            n.putObject("HostConfig").put("NetworkMode", r.hostConfig.path("NetworkMode").asText("bridge"));
            n.putObject("NetworkSettings").set("Networks", settings.path("Networks"));
            n.putArray("Mounts");
            return n;
        }
    }

    /** The human status column: "Up 3 minutes", "Exited (0) 2 hours ago", "Created". */
    static String status(ContainerRecord r) {
        Instant now = Instant.now();
        return switch (r.state.status) {
            case "running" -> "Up " + HumanDuration.of(Duration.between(Times.parse(r.state.startedAt), now));
            case "paused" -> "Up " + HumanDuration.of(Duration.between(Times.parse(r.state.startedAt), now)) + " (Paused)";
            case "restarting" -> "Restarting (" + r.state.exitCode + ") " + HumanDuration.of(Duration.between(Times.parse(r.state.finishedAt), now)) + " ago";
            case "removing" -> "Removal In Progress";
            case "dead" -> "Dead";
            case "exited" -> {
                Instant f = Times.parse(r.state.finishedAt);
                yield "Exited (" + r.state.exitCode + ") " + (f == null ? "" : HumanDuration.of(Duration.between(f, now)) + " ago");
            }
            default -> "Created";
        };
    }

    // ---- list ------------------------------------------------------------------------------

    private static final Set<String> FILTERS = Set.of("id", "name", "label", "status", "ancestor", "exited", "before", "since",
            "network", "volume", "health", "isolation", "is-task", "publish", "expose");
    private static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");

    public List<ObjectNode> list(boolean all, Integer limit, boolean size, Map<String, List<String>> filters) {
        for (String k : filters.keySet()) if (!FILTERS.contains(k)) throw BerthException.invalid("invalid filter '" + k + "'");
        for (String s : filters.getOrDefault("status", List.of())) {
            if (!STATUSES.contains(s)) throw BerthException.invalid("invalid filter 'status=" + s + "'");
        }
        List<Integer> exitedCodes = new ArrayList<>();
        for (String e : filters.getOrDefault("exited", List.of())) {
            try {
                exitedCodes.add(Integer.parseInt(e));
            } catch (NumberFormatException x) {
                throw BerthException.invalid("invalid filter 'exited=" + e + "'");
            }
        }
        List<ContainerRecord> rs = new ArrayList<>(service.store().all());
        rs.sort(Comparator.comparing((ContainerRecord r) -> r.created).reversed());
        Instant before = bound(filters.get("before"));
        Instant since = bound(filters.get("since"));
        List<Digest> ancestors = new ArrayList<>();
        for (String a : filters.getOrDefault("ancestor", List.of())) {
            Image img = images.tryResolve(a);
            if (img != null) ancestors.add(img.id());
            else ancestors.add(null);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (ContainerRecord r : rs) {
            synchronized (r) {
                boolean explicitStatus = filters.containsKey("status") || filters.containsKey("exited");
                if (!all && !explicitStatus && !r.state.running) continue;
                if (!matchAny(filters.get("id"), v -> r.id.startsWith(v))) continue;
                if (!matchAny(filters.get("name"), v -> Pattern.compile(v).matcher(r.name).find())) continue;
                if (!matchAll(filters.get("label"), v -> Filters.labelMatches(Filters.labelsOf(r.config.get("Labels")), v))) continue;
                if (!matchAny(filters.get("status"), v -> v.equals(r.state.status))) continue;
                if (!exitedCodes.isEmpty() && !(r.state.status.equals("exited") && exitedCodes.contains(r.state.exitCode))) continue;
                if (!ancestors.isEmpty() && !ancestors.contains(Digest.parse(r.image))) continue;
                if (before != null && !Instant.parse(r.created).isBefore(before)) continue;
                if (since != null && !Instant.parse(r.created).isAfter(since)) continue;
                if (filters.containsKey("network") || filters.containsKey("publish")) {
                    ObjectNode settings = networkSettings(r);
                    if (!matchAny(filters.get("network"), v -> {
                        for (var e : settings.path("Networks").properties()) {
                            String nid = e.getValue().path("NetworkID").asText("");
                            if (e.getKey().equals(v) || (!nid.isEmpty() && nid.startsWith(v))) return true;
                        }
                        return false;
                    })) continue;
                    List<String> published = new ArrayList<>();
                    settings.path("Ports").properties().forEach(e -> { if (e.getValue().isArray()) published.add(e.getKey()); });
                    if (!matchAny(filters.get("publish"), v -> portMatches(published, v))) continue;
                }
                List<String> exposed = new ArrayList<>();
                r.config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
                if (!matchAny(filters.get("expose"), v -> portMatches(exposed, v))) continue;
            }
            out.add(summary(r, size));
            if (limit != null && limit > 0 && out.size() >= limit) break;
        }
        return out;
    }

    /** {@code 80}, {@code 80/udp}, {@code 8000-8080/tcp} (the protocol defaults to tcp) against {@code port/proto} keys. */
    static boolean portMatches(List<String> keys, String filter) {
        String proto = filter.contains("/") ? filter.substring(filter.indexOf('/') + 1) : "tcp";
        String range = filter.contains("/") ? filter.substring(0, filter.indexOf('/')) : filter;
        int lo, hi;
        try {
            int dash = range.indexOf('-');
            lo = Integer.parseInt(dash > 0 ? range.substring(0, dash) : range);
            hi = dash > 0 ? Integer.parseInt(range.substring(dash + 1)) : lo;
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid filter '" + filter + "'");
        }
        for (String k : keys) {
            String[] pp = k.split("/");
            int port = Integer.parseInt(pp[0]);
            if (port >= lo && port <= hi && (pp.length > 1 ? pp[1] : "tcp").equals(proto)) return true;
        }
        return false;
    }

    private Instant bound(List<String> refs) {
        if (refs == null || refs.isEmpty()) return null;
        ContainerRecord r = service.store().resolve(refs.getFirst());
        return Instant.parse(r.created);
    }

    private static boolean matchAny(List<String> values, java.util.function.Predicate<String> p) {
        if (values == null || values.isEmpty()) return true;
        for (String v : values) if (p.test(v)) return true;
        return false;
    }

    private static boolean matchAll(List<String> values, java.util.function.Predicate<String> p) {
        if (values == null) return true;
        for (String v : values) if (!p.test(v)) return false;
        return true;
    }
}
