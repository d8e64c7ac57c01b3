package dev.berth.daemon.net.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names containers have on each user-defined network, kept by the network code as
 * containers connect and disconnect, and the {@link Resolver}s that answer from it.
 *
 * <p>Resolution is Docker's (moby {@code Sandbox.ResolveName}): a container sees the names on
 * the networks it is attached to, each network in the order it was connected; on a network a
 * container is known by its name, its network aliases and its short ID (12 hex digits); several
 * containers with one alias give several addresses. A name {@code a.b.c} is tried whole on
 * every network, then as {@code a.b} on a network named {@code c}, then as {@code a} on a
 * network named {@code b.c}; the first network that knows the name answers. The PTR name of an
 * address is {@code <container name>.<network>}. Names compare case-insensitively.
 *
 * <p>Thread-safe: writers take the table's lock and publish a new immutable view of the
 * network they change; resolvers read the views without locking.
 */
public final class NameTable {

    /** One container on one network. {@code ipv4} or {@code ipv6} may be null, not both. */
    public record Endpoint(String containerId, String name, List<String> aliases, Inet4Address ipv4, Inet6Address ipv6) {
        public Endpoint {
            Objects.requireNonNull(containerId);
            if (containerId.length() < 12 || !containerId.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f'))
                throw new IllegalArgumentException("not a container ID: " + containerId);
            if (name == null || name.isBlank()) throw new IllegalArgumentException("container name is empty");
            name = name.startsWith("/") ? name.substring(1) : name;
            aliases = List.copyOf(aliases);
            if (ipv4 == null && ipv6 == null) throw new IllegalArgumentException("endpoint of " + name + " has no address");
        }

        public String shortId() { return containerId.substring(0, 12); }

        /** What the container answers to on this network (Docker's {@code DNSNames}). */
        public List<String> dnsNames() {
            List<String> names = new ArrayList<>(aliases.size() + 2);
            names.add(name);
            names.add(shortId());
            names.addAll(aliases);
            return names;
        }
    }

    /** An immutable view of one network: lower-case name to endpoints, address to endpoint. */
    private record View(String name, List<Endpoint> endpoints, Map<String, List<Endpoint>> byName, Map<InetAddress, Endpoint> byAddress) {
        static View of(String network, List<Endpoint> endpoints) {
            Map<String, List<Endpoint>> byName = new HashMap<>();
            Map<InetAddress, Endpoint> byAddress = new HashMap<>();
            for (Endpoint e : endpoints) {
                for (String n : new LinkedHashSet<>(e.dnsNames().stream().map(DnsMessage::lower).toList())) {
                    byName.computeIfAbsent(n, k -> new ArrayList<>()).add(e);
                }
                if (e.ipv4() != null) byAddress.putIfAbsent(e.ipv4(), e);
                if (e.ipv6() != null) byAddress.putIfAbsent(e.ipv6(), e);
            }
            byName.replaceAll((k, v) -> List.copyOf(v));
            return new View(network, List.copyOf(endpoints), Map.copyOf(byName), Map.copyOf(byAddress));
        }
    }

    private final Map<String, View> networks = new ConcurrentHashMap<>();
    /** Container ID to the networks it is attached to, in connection order. */
    private final Map<String, List<String>> attachments = new ConcurrentHashMap<>();

    /** Attaches (or re-attaches, replacing the old endpoint) a container to a network. */
    public synchronized void connect(String network, Endpoint endpoint) {
        View v = networks.get(network);
        List<Endpoint> eps = new ArrayList<>(v == null ? List.of() : v.endpoints());
        eps.removeIf(e -> e.containerId().equals(endpoint.containerId()));
        eps.add(endpoint);
        networks.put(network, View.of(network, eps));
        List<String> nets = new ArrayList<>(attachments.getOrDefault(endpoint.containerId(), List.of()));
        if (!nets.contains(network)) nets.add(network);
        attachments.put(endpoint.containerId(), List.copyOf(nets));
    }

    public synchronized void disconnect(String network, String containerId) {
        View v = networks.get(network);
        if (v != null) {
            List<Endpoint> eps = new ArrayList<>(v.endpoints());
            eps.removeIf(e -> e.containerId().equals(containerId));
            networks.put(network, View.of(network, eps));
        }
        List<String> nets = new ArrayList<>(attachments.getOrDefault(containerId, List.of()));
        nets.remove(network);
        if (nets.isEmpty()) attachments.remove(containerId);
        else attachments.put(containerId, List.copyOf(nets));
    }

    public synchronized void removeNetwork(String network) {
        View v = networks.remove(network);
        if (v == null) return;
        for (Endpoint e : v.endpoints()) disconnect(network, e.containerId());
    }

    /** The networks a container is attached to, in connection order. */
    public List<String> networksOf(String containerId) {
        return attachments.getOrDefault(containerId, List.of());
    }

    /** Docker's lookup of {@code name} (lower case, no trailing dot) as seen from {@code scope}. */
    public Resolver.Addresses lookup(List<String> scope, String name) {
        // Candidates: the whole name on any network, then prefix on the network named by the rest.
        List<String> req = new ArrayList<>(), net = new ArrayList<>();
        req.add(name);
        net.add(null);
        for (int i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
            req.add(name.substring(0, i));
            net.add(name.substring(i + 1));
        }
        for (int c = 0; c < req.size(); c++) {
            for (String n : scope) {
                if (net.get(c) != null && !net.get(c).equals(DnsMessage.lower(n))) continue;
                View v = networks.get(n);
                List<Endpoint> eps = v == null ? null : v.byName().get(req.get(c));
                if (eps == null || eps.isEmpty()) continue;
                List<Inet4Address> v4 = new ArrayList<>();
                List<Inet6Address> v6 = new ArrayList<>();
                for (Endpoint e : eps) {
                    if (e.ipv4() != null) v4.add(e.ipv4());
                    if (e.ipv6() != null) v6.add(e.ipv6());
                }
                return new Resolver.Addresses(v4, v6);
            }
        }
        return null;
    }

    /** {@code <container name>.<network>} for an address on one of {@code scope}'s networks. */
    public String reverse(List<String> scope, InetAddress address) {
        for (String n : scope) {
            View v = networks.get(n);
            Endpoint e = v == null ? null : v.byAddress().get(address);
            if (e != null) return e.name() + "." + n;
        }
        return null;
    }

    /**
     * The resolver for one container's own listener (berthd's wiring: a socket in the
     * container's network namespace). It sees the container's networks as they are at each
     * query, so {@code network connect} and {@code disconnect} need no rewiring.
     */
    public Resolver containerResolver(String containerId, List<InetSocketAddress> upstreams) {
        List<InetSocketAddress> up = List.copyOf(upstreams);
        return new Resolver() {
            @Override public Resolver.Addresses lookup(String name, InetAddress client) { return NameTable.this.lookup(networksOf(containerId), name); }
            @Override public String reverse(InetAddress address, InetAddress client) { return NameTable.this.reverse(networksOf(containerId), address); }
            @Override public List<InetSocketAddress> upstreams(InetAddress client) { return up; }
        };
    }

    /**
     * The resolver for a listener shared by one network (a socket on the network's gateway
     * address): the client is the container that has the source address on that network, and
     * sees all of that container's networks. Any other source gets no names and no forwarding,
     * so the socket is no open resolver for whoever can reach the gateway address.
     */
    public Resolver networkResolver(String network, List<InetSocketAddress> upstreams) {
        List<InetSocketAddress> up = List.copyOf(upstreams);
        return new Resolver() {
            private List<String> scope(InetAddress client) {
                View v = networks.get(network);
                Endpoint e = v == null ? null : v.byAddress().get(client);
                return e == null ? List.of() : networksOf(e.containerId());
            }

            @Override public Resolver.Addresses lookup(String name, InetAddress client) { return NameTable.this.lookup(scope(client), name); }
            @Override public String reverse(InetAddress address, InetAddress client) { return NameTable.this.reverse(scope(client), address); }
            @Override public List<InetSocketAddress> upstreams(InetAddress client) { return scope(client).isEmpty() ? List.of() : up; }
        };
    }

    /** For tests and debugging: the lower-case names known on a network. */
    Set<String> names(String network) {
        View v = networks.get(network);
        return v == null ? Set.of() : v.byName().keySet();
    }
}
