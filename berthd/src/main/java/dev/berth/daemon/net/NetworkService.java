package dev.berth.daemon.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Networks as objects ({@code /networks} API): the predefined {@code bridge}, {@code host} and
 * {@code none}, and user-defined bridge networks with their IPAM configuration, persisted one
 * JSON file each under {@code networks/} (atomic writes). Subnets come from the request or from
 * dockerd's default address pools, skipping ranges already used by other networks or by the
 * host's routes. The datapath (bridges, veths, NAT) is not wired yet: containers on a bridge
 * network still get a namespace with loopback only.
 */
public final class NetworkService {
    /** A container attached to a network, as the inspect view lists it. */
    public record Endpoint(String containerId, String name, String networkMode) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final String DEFAULT_BRIDGE_SUBNET = "172.17.0.0/16";

    /**
     * One of {@code default-address-pools}: subnets of prefix {@code size} carved from
     * {@code base}, in order.
     */
    public record AddressPool(Subnet base, int size) {
        public AddressPool {
            if (size < base.prefix() || size > 30) {
                throw BerthException.invalid("invalid default address pool " + base + " size " + size + ": size must be between " + base.prefix() + " and 30");
            }
        }

        /** {@code base=10.10.0.0/16,size=24}, dockerd's flag syntax. */
        public static AddressPool parse(String spec) {
            String base = null, size = null;
            for (String kv : spec.split(",")) {
                String[] f = kv.split("=", 2);
                if (f.length != 2) throw BerthException.invalid("invalid default address pool: " + spec);
                switch (f[0].strip()) {
                    case "base" -> base = f[1].strip();
                    case "size" -> size = f[1].strip();
                    default -> throw BerthException.invalid("invalid default address pool field " + f[0] + " in " + spec);
                }
            }
            if (base == null || size == null) throw BerthException.invalid("invalid default address pool: " + spec + " (base and size are required)");
            try {
                return new AddressPool(Subnet.parse(base), Integer.parseInt(size));
            } catch (NumberFormatException e) {
                throw BerthException.invalid("invalid default address pool size: " + size);
            }
        }
    }

    /** dockerd's defaults: 172.17–31.0.0/16, then 192.168.0.0/16 in /20s. */
    public static final List<AddressPool> DEFAULT_POOLS = List.of(
            new AddressPool(Subnet.parse("172.17.0.0/16"), 16), new AddressPool(Subnet.parse("172.18.0.0/15"), 16),
            new AddressPool(Subnet.parse("172.20.0.0/14"), 16), new AddressPool(Subnet.parse("172.24.0.0/14"), 16),
            new AddressPool(Subnet.parse("172.28.0.0/14"), 16), new AddressPool(Subnet.parse("192.168.0.0/16"), 20));

    private final List<AddressPool> pools;


    private final Path dir;
    private final EventBus events;
    private final Supplier<List<Endpoint>> endpoints;
    private final Map<String, Network> byId = new LinkedHashMap<>();
    private final Supplier<List<Subnet>> hostRoutes;
    /** IPAM leases per network ID: address → container ID, persisted in {@code <id>.leases.json}. */
    private final Map<String, java.util.TreeMap<Long, String>> leases = new LinkedHashMap<>();
    /** Told when a network is removed (the bridge driver deletes its bridge). */
    private volatile java.util.function.Consumer<Network> onRemove = n -> {};
    /** A running container's endpoint on a network for inspect's Containers; null when it has none. */
    private volatile java.util.function.BiFunction<String, Network, ObjectNode> endpointDetails = (c, n) -> null;

    public void setOnRemove(java.util.function.Consumer<Network> hook) { this.onRemove = hook; }

    public void setEndpointDetails(java.util.function.BiFunction<String, Network, ObjectNode> details) { this.endpointDetails = details; }

    public NetworkService(Path dataRoot, EventBus events, Supplier<List<Endpoint>> endpoints) throws IOException {
        this(dataRoot, events, endpoints, NetworkService::hostRoutes, null);
    }

    /**
     * @param bip the default bridge's address ({@code --bip}, e.g. 172.17.0.1/16), or null for
     *     the first free default pool
     */
    public NetworkService(Path dataRoot, EventBus events, Supplier<List<Endpoint>> endpoints, Supplier<List<Subnet>> hostRoutes, String bip)
            throws IOException {
        this(dataRoot, events, endpoints, hostRoutes, bip, "berth0", DEFAULT_POOLS);
    }

    /** @param bridge the default bridge's device ({@code --bridge}), shown in its options */
    public NetworkService(Path dataRoot, EventBus events, Supplier<List<Endpoint>> endpoints, Supplier<List<Subnet>> hostRoutes, String bip,
                          String bridge, List<AddressPool> pools) throws IOException {
        this.pools = pools.isEmpty() ? DEFAULT_POOLS : List.copyOf(pools);
        this.dir = dataRoot.resolve("networks");
        this.events = events;
        this.endpoints = endpoints;
        this.hostRoutes = hostRoutes;
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                if (f.startsWith(".")) {
                    Files.deleteIfExists(p); // a temp file of a crashed write
                    continue;
                }
                if (f.endsWith(".leases.json")) continue;
                if (!f.endsWith(".json")) continue;
                Network n = Network.fromJson(Json.MAPPER.readTree(p.toFile()));
                byId.put(n.id(), n);
                Path lf = dir.resolve(n.id() + ".leases.json");
                if (Files.exists(lf)) {
                    java.util.TreeMap<Long, String> m = new java.util.TreeMap<>();
                    Json.MAPPER.readTree(lf.toFile()).properties().forEach(e -> m.put(Subnet.parseIp(e.getKey()), e.getValue().asText()));
                    leases.put(n.id(), m);
                }
            }
        }
        ensurePredefined(bip, bridge);
    }

    private synchronized void ensurePredefined(String bip, String bridge) throws IOException {
        Network existing = byName("bridge");
        if (existing != null && !bridge.equals(existing.options().get("com.docker.network.bridge.name"))) {
            Map<String, String> opts = new LinkedHashMap<>(existing.options());
            opts.put("com.docker.network.bridge.name", bridge);
            existing = new Network(existing.id(), existing.name(), existing.driver(), existing.created(), existing.subnet(), existing.gateway(),
                    existing.ipRange(), existing.internal(), existing.attachable(), existing.labels(), opts);
            save(existing);
        }
        if (existing != null && bip != null) {
            Subnet s = Subnet.parse(bip);
            long gw = Subnet.parseIp(bip.substring(0, bip.indexOf('/')));
            if (!s.equals(existing.subnet()) || existing.gateway() == null || existing.gateway() != gw) {
                // --bip changed since the network was made: the default bridge follows it, as in dockerd
                Path lf = dir.resolve(existing.id() + ".leases.json");
                Files.deleteIfExists(lf);
                leases.remove(existing.id());
                save(new Network(existing.id(), existing.name(), existing.driver(), existing.created(), s, gw, null, false, false,
                        existing.labels(), existing.options()));
            }
        }
        if (byName("bridge") == null) {
            Subnet subnet;
            Long gateway;
            if (bip != null) {
                Subnet s = Subnet.parse(bip);
                subnet = s;
                gateway = Subnet.parseIp(bip.substring(0, bip.indexOf('/')));
            } else {
                Subnet preferred = Subnet.parse(DEFAULT_BRIDGE_SUBNET);
                subnet = pools != DEFAULT_POOLS || collides(preferred) ? allocate() : preferred;
                gateway = subnet.firstHost();
            }
            Map<String, String> opts = new LinkedHashMap<>();
            opts.put("com.docker.network.bridge.default_bridge", "true");
            opts.put("com.docker.network.bridge.enable_icc", "true");
            opts.put("com.docker.network.bridge.enable_ip_masquerade", "true");
            opts.put("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
            opts.put("com.docker.network.bridge.name", bridge);
            opts.put("com.docker.network.driver.mtu", "1500");
            save(new Network(Ids.newId(), "bridge", "bridge", now(), subnet, gateway, null, false, false, Map.of(), opts));
        }
        if (byName("host") == null) save(new Network(Ids.newId(), "host", "host", now(), null, null, null, false, false, Map.of(), Map.of()));
        if (byName("none") == null) save(new Network(Ids.newId(), "none", "null", now(), null, null, null, false, false, Map.of(), Map.of()));
    }

    private static String now() { return Times.rfc3339Nano(Instant.now()); }

    private void save(Network n) throws IOException {
        AtomicFiles.write(dir.resolve(n.id() + ".json"), Json.bytes(n.toJson()));
        byId.put(n.id(), n);
    }

    private Network byName(String name) {
        for (Network n : byId.values()) if (n.name().equals(name)) return n;
        return null;
    }

    /** By full name, full ID or unique ID prefix, as dockerd resolves networks; 404 otherwise. */
    public synchronized Network resolve(String ref) {
        Network n = tryResolve(ref);
        if (n == null) throw BerthException.notFound("network " + ref + " not found");
        return n;
    }

    public synchronized Network tryResolve(String ref) {
        if (ref == null || ref.isEmpty()) return null;
        Network n = byName(ref);
        if (n != null) return n;
        n = byId.get(ref);
        if (n != null) return n;
        Network match = null;
        for (Network x : byId.values()) {
            if (x.id().startsWith(ref)) {
                if (match != null) throw BerthException.invalid("network " + ref + " is ambiguous (2 matches found on name)");
                match = x;
            }
        }
        return match;
    }

    /** {@code POST /networks/create}: returns the new network. */
    public synchronized Network create(JsonNode req) throws IOException {
        String name = req.path("Name").asText("");
        if (name.isEmpty()) throw BerthException.invalid("network name is required");
        if (!NAME.matcher(name).matches()) {
            throw BerthException.invalid("invalid network name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        if (byName(name) != null) throw BerthException.conflict("network with name " + name + " already exists");
        String driver = req.path("Driver").asText("");
        if (driver.isEmpty()) driver = "bridge";
        if (driver.equals("host") || driver.equals("null")) {
            throw new BerthException.Forbidden("only one instance of \"" + driver + "\" network is allowed");
        }
        if (!driver.equals("bridge")) throw BerthException.notFound("plugin \"" + driver + "\" not found");
        if (req.path("EnableIPv6").asBoolean(false)) throw new BerthException.NotImplemented("IPv6 networks are not supported yet");
        if (req.path("Scope").asText("local").matches("swarm|global")) throw new BerthException.NotImplemented("swarm-scoped networks are not supported");

        Subnet subnet = null;
        Long gateway = null;
        Subnet range = null;
        JsonNode configs = req.path("IPAM").path("Config");
        if (configs.size() > 1) throw new BerthException.NotImplemented("more than one IPAM config per network is not supported yet");
        if (configs.size() == 1) {
            JsonNode c = configs.get(0);
            String s = Json.text(c, "Subnet");
            if (s != null && !s.isEmpty()) {
                subnet = Subnet.parse(s);
                for (Network other : byId.values()) {
                    if (other.subnet() != null && other.subnet().overlaps(subnet)) {
                        throw new BerthException.Forbidden("invalid pool request: Pool overlaps with other one on this address space");
                    }
                }
            }
            String g = Json.text(c, "Gateway");
            if (g != null && !g.isEmpty()) {
                if (subnet == null) throw BerthException.invalid("a gateway needs a subnet: " + g);
                gateway = Subnet.parseIp(g);
                if (!subnet.contains(gateway)) throw BerthException.invalid("gateway " + g + " is not in subnet " + subnet);
            }
            String r = Json.text(c, "IPRange");
            if (r != null && !r.isEmpty()) {
                if (subnet == null) throw BerthException.invalid("an IP range needs a subnet: " + r);
                range = Subnet.parse(r);
                if (!subnet.contains(range)) throw BerthException.invalid("IP range " + r + " is not in subnet " + subnet);
            }
        }
        if (subnet == null) subnet = allocate();
        if (gateway == null) gateway = subnet.firstHost();

        Map<String, String> labels = new LinkedHashMap<>();
        req.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        Map<String, String> options = new LinkedHashMap<>();
        req.path("Options").properties().forEach(e -> options.put(e.getKey(), e.getValue().asText()));
        Network n = new Network(Ids.newId(), name, driver, now(), subnet, gateway, range,
                req.path("Internal").asBoolean(false), req.path("Attachable").asBoolean(false), labels, options);
        save(n);
        events.publish("network", "create", n.id(), Map.of("name", n.name(), "type", n.driver()));
        return n;
    }

    /** The first free subnet of dockerd's default address pools. */
    private Subnet allocate() {
        for (AddressPool pool : pools) {
            Subnet base = pool.base();
            long step = 1L << (32 - pool.size());
            for (long a = base.base(); a <= base.last(); a += step) {
                Subnet c = new Subnet(a, pool.size());
                if (!collides(c)) return c;
            }
        }
        throw new BerthException.Forbidden("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    private boolean collides(Subnet s) {
        for (Network n : byId.values()) if (n.subnet() != null && n.subnet().overlaps(s)) return true;
        for (Subnet r : hostRoutes.get()) if (r.prefix() > 0 && r.overlaps(s)) return true;
        return false;
    }

    /** IPv4 routes of the host (/proc/net/route), so new networks avoid ranges in use. */
    public static List<Subnet> hostRoutes() {
        List<Subnet> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8) continue;
                long dest = Long.reverseBytes(Long.parseLong(f[1], 16) << 32) & 0xffffffffL;
                long mask = Long.reverseBytes(Long.parseLong(f[7], 16) << 32) & 0xffffffffL;
                out.add(new Subnet(dest, Long.bitCount(mask)));
            }
        } catch (IOException | RuntimeException e) {
            // no routes to avoid
        }
        return out;
    }

    /**
     * Leases an address on a bridge network to a container: {@code requested} (checked: inside
     * the subnet, not the network, gateway or broadcast address, free) or the lowest free address
     * of the IP range (else the subnet). A container holds at most one lease per network; asking
     * again returns it. Persisted before it is returned, so a restarted daemon never hands an
     * address out twice.
     */
    public synchronized long lease(Network n, String containerId, String requested) throws IOException {
        if (n.subnet() == null) throw BerthException.invalid("network " + n.name() + " has no IPv4 subnet");
        java.util.TreeMap<Long, String> m = leases.computeIfAbsent(n.id(), k -> new java.util.TreeMap<>());
        for (var e : m.entrySet()) if (e.getValue().equals(containerId)) return e.getKey();
        Subnet subnet = n.subnet();
        long ip;
        if (requested != null && !requested.isEmpty()) {
            if (n.name().equals(Network.DEFAULT_BRIDGE)) {
                throw BerthException.invalid("user specified IP address is supported on user defined networks only");
            }
            ip = Subnet.parseIp(requested);
            if (!subnet.contains(ip)) throw BerthException.invalid("no configured subnet contains IP address " + requested);
            if (ip == subnet.base() || ip == subnet.last() || ip == n.gateway() || m.containsKey(ip)) {
                throw new BerthException.Forbidden("Address already in use");
            }
        } else {
            Subnet from = n.ipRange() != null ? n.ipRange() : subnet;
            ip = -1;
            for (long a = from.base(); a <= from.last(); a++) {
                if (a == subnet.base() || a == subnet.last() || a == n.gateway() || m.containsKey(a)) continue;
                ip = a;
                break;
            }
            if (ip < 0) throw new BerthException.Forbidden("no available IPv4 addresses on this network's address pools: " + n.name() + " (" + n.id() + ")");
        }
        m.put(ip, containerId);
        saveLeases(n.id());
        return ip;
    }

    /** Gives back a container's address on a network (no-op when it holds none). */
    public synchronized void release(Network n, String containerId) throws IOException {
        java.util.TreeMap<Long, String> m = leases.get(n.id());
        if (m != null && m.values().removeIf(containerId::equals)) saveLeases(n.id());
    }

    /** Releases every lease of a container not in {@code keep} (after a restart, no container runs). */
    public synchronized void releaseAllExcept(java.util.Set<String> keep) throws IOException {
        for (var e : leases.entrySet()) {
            if (e.getValue().values().removeIf(c -> !keep.contains(c))) saveLeases(e.getKey());
        }
    }

    private void saveLeases(String networkId) throws IOException {
        ObjectNode o = Json.obj();
        leases.getOrDefault(networkId, new java.util.TreeMap<>()).forEach((ip, c) -> o.put(Subnet.formatIp(ip), c));
        // No fsync: no container outlives the daemon, and a restarted daemon releases every lease
        // (Sandboxes.reconcile); the file only has to be whole, which the rename guarantees.
        AtomicFiles.replace(dir.resolve(networkId + ".leases.json"), Json.bytes(o));
    }

    /** {@code DELETE /networks/{id}}. */
    public synchronized void remove(String ref) throws IOException {
        Network n = resolve(ref);
        if (n.predefined()) throw new BerthException.Forbidden(n.name() + " is a pre-defined network and cannot be removed");
        List<Endpoint> users = usersOf(n);
        if (!users.isEmpty()) {
            throw BerthException.conflict("error while removing network: network " + n.name() + " id " + n.id()
                    + " has active endpoints (name:\"" + users.getFirst().name() + "\" id:\"" + Ids.shortId(users.getFirst().containerId()) + "\")");
        }
        onRemove.accept(n); // the bridge first: a crash after it leaves the network, which brings it back
        Files.deleteIfExists(dir.resolve(n.id() + ".json"));
        Files.deleteIfExists(dir.resolve(n.id() + ".leases.json"));
        byId.remove(n.id());
        leases.remove(n.id());
        events.publish("network", "destroy", n.id(), Map.of("name", n.name(), "type", n.driver()));
    }

    private List<Endpoint> usersOf(Network n) {
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : endpoints.get()) {
            if (e.networkMode().equals(n.name()) || e.networkMode().equals(n.id())) out.add(e);
        }
        return out;
    }

    /** {@code POST /networks/prune}: user-defined networks no container uses (filters until, label, label!). */
    public synchronized ObjectNode prune(Map<String, List<String>> filters) throws IOException {
        for (String k : filters.keySet()) {
            if (!List.of("until", "label", "label!").contains(k)) throw BerthException.invalid("invalid filter '" + k + "'");
        }
        Instant until = null;
        for (String v : filters.getOrDefault("until", List.of())) until = Times.parseQueryTime(v, Instant.now());
        ObjectNode out = Json.obj();
        ArrayNode deleted = out.putArray("NetworksDeleted");
        for (Network n : new ArrayList<>(byId.values())) {
            if (n.predefined() || !usersOf(n).isEmpty()) continue;
            if (until != null && !Instant.parse(n.created()).isBefore(until)) continue;
            var labels = Filters.labelsOf(Json.MAPPER.valueToTree(n.labels()));
            if (!filters.getOrDefault("label", List.of()).stream().allMatch(l -> Filters.labelMatches(labels, l))) continue;
            if (filters.getOrDefault("label!", List.of()).stream().anyMatch(l -> Filters.labelMatches(labels, l))) continue;
            remove(n.id());
            deleted.add(n.name());
        }
        if (deleted.isEmpty()) out.putNull("NetworksDeleted");
        return out;
    }

    /** {@code GET /networks}: filters name, id, driver, label, type (custom/builtin), scope, dangling. */
    public synchronized ArrayNode list(Map<String, List<String>> filters) {
        for (String k : filters.keySet()) {
            if (!List.of("name", "id", "driver", "label", "type", "scope", "dangling").contains(k)) {
                throw BerthException.invalid("invalid filter '" + k + "'");
            }
        }
        ArrayNode out = Json.arr();
        List<Network> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(Network::name));
        for (Network n : all) {
            if (!any(filters.get("name"), v -> n.name().contains(v))) continue;
            if (!any(filters.get("id"), v -> n.id().startsWith(v))) continue;
            if (!any(filters.get("driver"), v -> n.driver().equals(v))) continue;
            if (!any(filters.get("scope"), v -> v.equals("local"))) continue;
            if (!any(filters.get("type"), v -> v.equals("custom") ? !n.predefined() : v.equals("builtin") && n.predefined())) continue;
            if (!any(filters.get("dangling"), v -> v.equals("true") || v.equals("1") ? usersOf(n).isEmpty() && !n.predefined() : !usersOf(n).isEmpty() || n.predefined())) continue;
            var labels = Filters.labelsOf(Json.MAPPER.valueToTree(n.labels()));
            if (filters.containsKey("label") && !filters.get("label").stream().allMatch(l -> Filters.labelMatches(labels, l))) continue;
            out.add(view(n, false));
        }
        return out;
    }

    private static boolean any(List<String> values, java.util.function.Predicate<String> p) {
        return values == null || values.isEmpty() || values.stream().anyMatch(p);
    }

    /** dockerd's network JSON; {@code Containers} lists attached containers when {@code withContainers}. */
    public synchronized ObjectNode view(Network n, boolean withContainers) {
        ObjectNode v = Json.obj();
        v.put("Name", n.name());
        v.put("Id", n.id());
        v.put("Created", n.created());
        v.put("Scope", "local");
        v.put("Driver", n.driver());
        v.put("EnableIPv4", true);
        v.put("EnableIPv6", false);
        ObjectNode ipam = v.putObject("IPAM");
        ipam.put("Driver", "default");
        ipam.putNull("Options");
        ArrayNode configs = ipam.putArray("Config");
        if (n.subnet() != null) {
            ObjectNode c = configs.addObject().put("Subnet", n.subnet().toString());
            if (n.ipRange() != null) c.put("IPRange", n.ipRange().toString());
            c.put("Gateway", Subnet.formatIp(n.gateway()));
        }
        v.put("Internal", n.internal());
        v.put("Attachable", n.attachable());
        v.put("Ingress", false);
        v.putObject("ConfigFrom").put("Network", "");
        v.put("ConfigOnly", false);
        ObjectNode containers = v.putObject("Containers");
        if (withContainers) {
            for (Endpoint e : usersOf(n)) {
                ObjectNode details = endpointDetails.apply(e.containerId(), n);
                if (details == null) {
                    details = Json.obj().put("EndpointID", "").put("MacAddress", "").put("IPv4Address", "").put("IPv6Address", "");
                }
                ObjectNode c = containers.putObject(e.containerId()).put("Name", e.name());
                c.setAll(details);
            }
        }
        ObjectNode opts = v.putObject("Options");
        n.options().forEach(opts::put);
        ObjectNode labels = v.putObject("Labels");
        n.labels().forEach(labels::put);
        return v;
    }
}
