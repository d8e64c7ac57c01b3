package dev.berth.daemon.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.DaemonConfig;
import dev.berth.daemon.container.ContainerRecord;
import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.container.Networking;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.net.dns.DnsServer;
import dev.berth.daemon.net.dns.NameTable;
import dev.berth.daemon.net.dns.ResolvConf;
import dev.berth.daemon.net.nft.BridgeNetwork;
import dev.berth.daemon.net.nft.NftFirewall;
import dev.berth.daemon.net.nft.NftRules;
import dev.berth.daemon.net.nft.PublishedPort;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridge driver: one sandbox per running container on bridge networks — a network
 * namespace pinned to {@code <exec-root>/netns/<id>}, one veth pair per network (the host end
 * in the network's bridge, {@code eth0}, {@code eth1}… in the namespace), an address leased
 * from the network's IPAM, the default route through the first non-internal network, its
 * published ports, and on user-defined networks a DNS listener on 127.0.0.11 inside the
 * namespace.
 *
 * <p>Bridges are created when the first container joins their network and deleted with the
 * network or at daemon shutdown. The packet filter ({@link NftFirewall}, when
 * {@code --iptables}) is recomputed from the bridges that exist and the ports of running
 * containers, and applied only when that changes — a container without published ports on a
 * network that already has its bridge costs no nft run.
 *
 * <p>Crash safety: nothing here is persisted but IPAM leases (by {@link NetworkService}); after
 * a kill -9 the next daemon calls {@link #reconcile}, which deletes every namespace file left
 * (their veths go with them) and every lease, and replaces the nft table.
 */
public final class Sandboxes implements Networking {
    private static final Logger LOG = Logger.getLogger(Sandboxes.class.getName());


    private final DaemonConfig cfg;
    private final NetworkService networks;
    private final NftFirewall firewall;
    private final Path netnsDir;
    private final NameTable names = new NameTable();
    private final DnsServer dns = new DnsServer();
    private final Map<String, Sandbox> running = new ConcurrentHashMap<>();
    /** Network ID → bridge device that this daemon brought up. Guarded by {@code this}. */
    private final Map<String, String> bridges = new LinkedHashMap<>();
    /**
     * Bridges this daemon created. Only these are deleted (at shutdown, with their network) or
     * have stray addresses removed; a bridge found in place (a user's {@code --bridge}) is used
     * as it is, as dockerd does. Guarded by {@code this}.
     */
    private final java.util.Set<String> created = new java.util.HashSet<>();
    private String appliedRules = "";
    private boolean forwardingOn;

    /** One endpoint: a container's interface on one network. */
    record Endpoint(Network network, String ifname, String hostVeth, long ip, String mac, String endpointId,
                    List<String> aliases, JsonNode ipamConfig) {}

    /** One published port and what keeps its host port reserved (a bound socket or a proxy). */
    record Mapping(String proto, int containerPort, String hostIp, int hostPort, AutoCloseable holder) {}

    /** A running container's network state (memory only). */
    static final class Sandbox {
        final String containerId;
        final String sandboxId = Ids.newId();
        final NetNs ns;
        // copy-on-write: the packet filter and inspect read them while connect/disconnect change them
        final List<Endpoint> endpoints = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Mapping> ports = new java.util.concurrent.CopyOnWriteArrayList<>();
        DnsServer.Listener dnsListener;

        Sandbox(String containerId, NetNs ns) {
            this.containerId = containerId;
            this.ns = ns;
        }
    }

    public Sandboxes(DaemonConfig cfg, NetworkService networks) throws IOException {
        this.cfg = cfg;
        this.networks = networks;
        this.firewall = cfg.iptables() ? NftFirewall.system(tableFor(cfg.net().bridge())) : null;
        this.netnsDir = cfg.execRoot().resolve("netns");
        Files.createDirectories(netnsDir);
    }

    /**
     * The nft table of a daemon: {@code berth} for the default bridge device {@code berth0},
     * {@code berth_<bridge>} for a daemon given another {@code --bridge}, so daemons side by
     * side never replace each other's rules.
     */
    static String tableFor(String bridge) {
        return bridge.equals("berth0") ? NftRules.DEFAULT_TABLE : "berth_" + bridge.replaceAll("[^A-Za-z0-9_]", "_");
    }

    // ---- restart, shutdown ------------------------------------------------------------------

    /**
     * After a (clean or kill -9) restart no container runs: deletes every namespace file left,
     * every lease, and makes the nft table empty (removes it).
     */
    public void reconcile() {
        try (var s = Files.list(netnsDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    NetNs.open(p).delete();
                } catch (IOException e) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e2) {
                        LOG.warning("cannot delete stale namespace " + p + ": " + e2.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "listing " + netnsDir, e);
        }
        try {
            networks.releaseAllExcept(java.util.Set.of());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing stale leases", e);
        }
        if (firewall != null) {
            applyFirewall();
        } else {
            try { // a table left by an earlier run with --iptables=true
                NftFirewall.system(tableFor(cfg.net().bridge())).remove();
            } catch (RuntimeException e) {
                LOG.fine("no nft table to remove: " + e.getMessage());
            }
        }
    }

    /** At daemon shutdown, after every container stopped: bridges and the nft table go. */
    public synchronized void shutdown() {
        for (String id : List.copyOf(running.keySet())) detach(id);
        try (Netlink nl = Netlink.open()) {
            for (String bridge : bridges.values()) {
                if (!created.contains(bridge)) continue;
                try {
                    nl.deleteLink(bridge);
                } catch (IOException e) {
                    LOG.fine("deleting bridge " + bridge + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "deleting bridges", e);
        }
        bridges.clear();
        if (firewall != null) {
            try {
                firewall.remove();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "removing the nft table", e);
            }
        }
        dns.close();
    }

    /** A network is being removed: its bridge goes (the caller checked no container uses it). */
    public synchronized void networkRemoved(Network n) {
        String bridge = bridges.remove(n.id());
        names.removeNetwork(n.name());
        if (bridge == null || !created.remove(bridge)) return;
        try (Netlink nl = Netlink.open()) {
            nl.deleteLink(bridge);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "deleting bridge " + bridge, e);
        }
        applyFirewall();
    }

    // ---- attach -----------------------------------------------------------------------------

    @Override
    public String prepare(ContainerRecord r) throws IOException {
        if (r.networks == null || r.networks.isEmpty()) throw BerthException.invalid("container " + r.id + " has no network to attach to");
        long t0 = System.nanoTime();
        NetNs ns = NetNs.create(netnsDir.resolve(r.id));
        Sandbox sb = new Sandbox(r.id, ns);
        running.put(r.id, sb);
        long t1 = System.nanoTime();
        LOG.fine(() -> "netns " + Ids.shortId(r.id) + ": " + (t1 - t0) / 1000 + " us");
        return ns.path().toString();
    }

    @Override
    public Networking.Sandbox attach(ContainerRecord r) throws IOException {
        Sandbox sb = running.get(r.id);
        if (sb == null) {
            prepare(r);
            sb = running.get(r.id);
        }
        long t1 = System.nanoTime();
        boolean ok = false;
        try {
            try (Netlink inside = Netlink.open(sb.ns)) {
                inside.loopbackUp();
            }
            for (var e : r.networks.properties()) {
                Network n = networks.resolve(e.getKey());
                addEndpoint(sb, r, n, e.getValue());
            }
            publishPorts(sb, r);
            boolean embeddedDns = sb.endpoints.stream().anyMatch(ep -> !ep.network().name().equals(Network.DEFAULT_BRIDGE));
            String resolv = resolvConf(r, embeddedDns, sb);
            String hosts = hosts(r, sb);
            ok = true;
            long t2 = System.nanoTime();
            LOG.fine(() -> "attach " + Ids.shortId(r.id) + ": endpoints+ports+dns " + (t2 - t1) / 1000 + " us");
            return new Networking.Sandbox(sb.ns.path().toString(), hosts, resolv);
        } finally {
            if (!ok) detach(r.id);
        }
    }

    private static String bridgeName(Network n, String defaultBridge) {
        if (n.name().equals(Network.DEFAULT_BRIDGE)) return defaultBridge; // --bridge, whatever the record says
        String named = n.options().get("com.docker.network.bridge.name");
        if (named != null && !named.isEmpty()) return named;
        return n.name().equals(Network.DEFAULT_BRIDGE) ? defaultBridge : "br-" + n.id().substring(0, 12);
    }

    private static int mtu(Network n) {
        String m = n.options().get("com.docker.network.driver.mtu");
        try {
            return m == null || m.isEmpty() ? 1500 : Integer.parseInt(m);
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid MTU " + m + " on network " + n.name());
        }
    }

    /** Creates (or adopts) the network's bridge with its gateway address, up. */
    private synchronized String ensureBridge(Network n) throws IOException {
        String have = bridges.get(n.id());
        if (have != null && Files.exists(Path.of("/sys/class/net", have))) return have;
        // first use, or someone deleted the device under us: (re)create it
        if (n.subnet() == null) throw BerthException.invalid("network " + n.name() + " has no subnet");
        String name = bridgeName(n, cfg.net().bridge());
        Inet4Address gw = (Inet4Address) InetAddress.ofLiteral(Subnet.formatIp(n.gateway()));
        try (Netlink nl = Netlink.open()) {
            boolean missing = nl.findLink(name).isEmpty();
            if (missing) nl.createBridge(name, mtu(n));
            // ours: made now, or named after one of our networks (left by a daemon that was killed)
            boolean ours = missing || created.contains(name) || name.equals("br-" + n.id().substring(0, 12))
                    || (n.name().equals(Network.DEFAULT_BRIDGE) && name.equals("berth0"));
            if (ours) created.add(name);
            else LOG.info("using existing bridge " + name + " as it is (left in place at shutdown)");
            boolean hasAddress = false;
            for (Netlink.Address a : nl.addresses(name)) {
                if (a.address().equals(gw) && a.prefixLength() == n.subnet().prefix()) hasAddress = true;
                else if (created.contains(name)) nl.deleteAddress(name, a.address(), a.prefixLength());
            }
            if (!hasAddress) nl.addAddress(name, gw, n.subnet().prefix());
            nl.setUp(name);
        }
        if (cfg.net().ipForward() && !forwardingOn) {
            Sysctl.set("net.ipv4.ip_forward", "1");
            forwardingOn = true;
        }
        if ("false".equals(n.options().get("com.docker.network.bridge.enable_icc"))) enableBridgeNetfilter();
        bridges.put(n.id(), name);
        applyFirewall();
        return name;
    }

    /** icc=false filters bridged traffic, which reaches nft only through br_netfilter. */
    private static void enableBridgeNetfilter() {
        try {
            if (!Files.exists(Path.of("/proc/sys/net/bridge"))) new ProcessBuilder("modprobe", "br_netfilter").start().waitFor();
            if (!Sysctl.setIfPresent("net.bridge.bridge-nf-call-iptables", "1")) {
                LOG.warning("br_netfilter is not available: enable_icc=false cannot be enforced");
            }
        } catch (IOException e) {
            LOG.warning("cannot enable br_netfilter: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void addEndpoint(Sandbox sb, ContainerRecord r, Network n, JsonNode settings) throws IOException {
        if (!n.driver().equals("bridge")) throw BerthException.invalid("container cannot be connected to network " + n.name());
        String bridge = ensureBridge(n);
        String requested = settings.path("IPAMConfig").path("IPv4Address").asText("");
        long ip = networks.lease(n, r.id, requested);
        String ifname = freeIfname(sb);
        String hostVeth = "veth" + Ids.newId().substring(0, 7);
        String mac = settings.path("MacAddress").asText("");
        if (mac.isEmpty()) mac = String.format("02:42:%02x:%02x:%02x:%02x", ip >>> 24 & 0xff, ip >>> 16 & 0xff, ip >>> 8 & 0xff, ip & 0xff);
        List<String> aliases = new ArrayList<>();
        settings.path("Aliases").forEach(a -> aliases.add(a.asText()));
        Endpoint ep = new Endpoint(n, ifname, hostVeth, ip, mac, Ids.newId(), aliases,
                settings.path("IPAMConfig").isObject() ? settings.get("IPAMConfig") : null);
        try (Netlink host = Netlink.open()) {
            host.createVeth(hostVeth, ifname, sb.ns, mtu(n));
            sb.endpoints.add(ep);
            host.setMaster(hostVeth, bridge);
            Files.writeString(Path.of("/sys/class/net", hostVeth, "brport", "hairpin_mode"), "1");
            host.setUp(hostVeth);
        } catch (IOException | RuntimeException e) {
            if (!sb.endpoints.contains(ep)) networks.release(n, r.id);
            throw e;
        }
        InetAddress addr = InetAddress.ofLiteral(Subnet.formatIp(ip));
        // IPv4-only networks: no IPv6 on the interface, as dockerd 26+ (no link-local address,
        // no router solicitations), set while it is still down
        Sysctl.setIfPresent(sb.ns, "net/ipv6/conf/" + ifname + "/disable_ipv6", "1");
        try (Netlink inside = Netlink.open(sb.ns)) {
            inside.setMac(ifname, mac);
            inside.addAddress(ifname, addr, n.subnet().prefix());
            inside.setUp(ifname);
            boolean hasDefault = sb.endpoints.stream().anyMatch(x -> x != ep && !x.network().internal());
            if (!n.internal() && !hasDefault) inside.addDefaultRoute(InetAddress.ofLiteral(Subnet.formatIp(n.gateway())));
        }
        if (!n.name().equals(Network.DEFAULT_BRIDGE)) {
            names.connect(n.name(), new NameTable.Endpoint(r.id, r.bareName(), aliases, (Inet4Address) addr, null));
        }
    }

    // ---- connect, disconnect (live) -----------------------------------------------------------

    @Override
    public void connect(ContainerRecord r, String network, JsonNode settings) throws IOException {
        Sandbox sb = running.get(r.id);
        if (sb == null) return;
        addEndpoint(sb, r, networks.resolve(network), settings);
    }

    @Override
    public void disconnect(String containerId, String network) throws IOException {
        Sandbox sb = running.get(containerId);
        if (sb == null) return;
        Endpoint ep = sb.endpoints.stream().filter(e -> e.network().name().equals(network)).findFirst().orElse(null);
        if (ep == null) return;
        sb.endpoints.remove(ep);
        names.disconnect(ep.network().name(), containerId);
        try (Netlink host = Netlink.open()) {
            host.deleteLink(ep.hostVeth());
        }
        networks.release(ep.network(), containerId);
    }

    private static String freeIfname(Sandbox sb) {
        for (int i = 0; ; i++) {
            String name = "eth" + i;
            if (sb.endpoints.stream().noneMatch(e -> e.ifname().equals(name))) return name;
        }
    }

    // ---- ports ------------------------------------------------------------------------------

    /** The primary endpoint: the one ports are published on (the first non-internal network). */
    private static Endpoint primary(Sandbox sb) {
        for (Endpoint e : sb.endpoints) if (!e.network().internal()) return e;
        return null;
    }

    private void publishPorts(Sandbox sb, ContainerRecord r) throws IOException {
        List<PortSpec.Binding> wanted = PortSpec.bindings(r.hostConfig.path("PortBindings"),
                r.hostConfig.path("PublishAllPorts").asBoolean(false) ? r.config.path("ExposedPorts") : null);
        if (wanted.isEmpty()) return;
        Endpoint ep = primary(sb);
        if (ep == null) return; // Docker publishes nothing from internal networks either
        InetSocketAddress target;
        for (PortSpec.Binding b : wanted) {
            String hostIp = b.hostIp().isEmpty() ? "0.0.0.0" : b.hostIp();
            target = new InetSocketAddress(InetAddress.ofLiteral(Subnet.formatIp(ep.ip())), b.containerPort());
            sb.ports.add(reserve(b, hostIp, target));
        }
        if (firewall != null) applyFirewall();
    }

    /**
     * Takes the host port: with the packet filter, a bound (not listening) socket keeps other
     * programs off it and the kernel's DNAT carries the traffic; without it
     * ({@code --iptables=false}), a userland proxy listens there.
     */
    private Mapping reserve(PortSpec.Binding b, String hostIp, InetSocketAddress target) throws IOException {
        InetAddress bindAddr = InetAddress.ofLiteral(hostIp);
        int from = b.hostPortLow(), to = b.hostPortHigh();
        IOException last = null;
        for (int port = from; port <= to; port++) {
            InetSocketAddress at = new InetSocketAddress(bindAddr, port);
            try {
                AutoCloseable holder;
                if (firewall == null) {
                    holder = b.proto().equals("udp") ? dev.berth.daemon.net.proxy.PortProxy.udp(at, target)
                            : dev.berth.daemon.net.proxy.PortProxy.tcp(at, target);
                } else if (b.proto().equals("udp")) {
                    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                    ch.bind(at);
                    holder = ch;
                } else {
                    var ch = java.nio.channels.SocketChannel.open(StandardProtocolFamily.INET);
                    ch.bind(at);
                    holder = ch;
                }
                int actual = holder instanceof DatagramChannel d ? ((InetSocketAddress) d.getLocalAddress()).getPort()
                        : holder instanceof java.nio.channels.SocketChannel s ? ((InetSocketAddress) s.getLocalAddress()).getPort()
                        : ((dev.berth.daemon.net.proxy.PortProxy) holder).listenAddress().getPort();
                return new Mapping(b.proto(), b.containerPort(), hostIp, actual, holder);
            } catch (java.net.BindException e) {
                last = e;
            }
        }
        String shown = from == to ? Integer.toString(from) : from + "-" + to;
        if (from == 0) shown = "0";
        throw BerthException.internal("driver failed programming external connectivity on endpoint: Bind for " + hostIp + ":" + shown
                + " failed: port is already allocated", last);
    }

    /** Recomputes the nft table; applies it when it differs from what the kernel has. */
    private synchronized void applyFirewall() {
        if (firewall == null) return;
        List<BridgeNetwork> nets = new ArrayList<>();
        List<PublishedPort> ports = new ArrayList<>();
        for (var e : bridges.entrySet()) {
            Network n = networks.tryResolve(e.getKey());
            if (n == null) continue;
            Inet4Address gw = (Inet4Address) InetAddress.ofLiteral(Subnet.formatIp(n.gateway()));
            boolean icc = !"false".equals(n.options().get("com.docker.network.bridge.enable_icc"));
            boolean masq = cfg.ipMasq() && !"false".equals(n.options().get("com.docker.network.bridge.enable_ip_masquerade"));
            nets.add(new BridgeNetwork(e.getValue(), n.subnet(), gw, n.internal(), icc, masq));
        }
        for (Sandbox sb : running.values()) {
            Endpoint ep = primary(sb);
            if (ep == null || !bridges.containsKey(ep.network().id())) continue;
            for (Mapping m : sb.ports) {
                String cip = Subnet.formatIp(ep.ip());
                ports.add(m.proto().equals("udp") ? PublishedPort.udp(m.hostIp(), m.hostPort(), cip, m.containerPort())
                        : PublishedPort.tcp(m.hostIp(), m.hostPort(), cip, m.containerPort()));
            }
        }
        NftRules rules = NftRules.of(firewall.table(), nets, ports);
        String text = rules.text();
        if (text.equals(appliedRules)) return;
        firewall.apply(rules);
        appliedRules = text;
    }

    // ---- files ------------------------------------------------------------------------------

    private String hosts(ContainerRecord r, Sandbox sb) {
        StringBuilder sb2 = new StringBuilder(ContainerService.HOSTS_DEFAULTS)
                .append(ContainerService.extraHosts(r.hostConfig.path("ExtraHosts"), hostGateway()));
        if (!sb.endpoints.isEmpty()) {
            String hostname = r.config.path("Hostname").asText();
            String domain = r.config.path("Domainname").asText("");
            sb2.append(Subnet.formatIp(sb.endpoints.getFirst().ip())).append('\t');
            if (!domain.isEmpty()) sb2.append(hostname).append('.').append(domain).append(' ');
            sb2.append(hostname).append('\n');
        }
        return sb2.toString();
    }

    /** {@code --add-host name:host-gateway}: the default bridge's address, as Docker. */
    private String hostGateway() {
        Network b = networks.tryResolve(Network.DEFAULT_BRIDGE);
        return b == null || b.gateway() == null ? "127.0.0.1" : Subnet.formatIp(b.gateway());
    }

    /**
     * The container's resolv.conf: the host's (or {@code --dns}, {@code --dns-search},
     * {@code --dns-option}) as Docker filters it for the default bridge, or pointing at the
     * embedded server on user-defined networks, which then serves on 127.0.0.11 inside the
     * namespace.
     */
    private String resolvConf(ContainerRecord r, boolean embedded, Sandbox sb) throws IOException {
        String effective = overrideResolvConf(ContainerService.hostResolvConf(), strings(r.hostConfig.path("Dns"), cfg.net().dns()),
                strings(r.hostConfig.path("DnsSearch"), List.of()), strings(r.hostConfig.path("DnsOptions"), List.of()));
        if (!embedded) return ContainerService.resolvConf(effective, false);
        ResolvConf.Transformed t = ResolvConf.forEmbeddedDns(effective);
        startDns(sb, cfg.net().embeddedDnsForward() ? t.upstreams() : List.of());
        return t.content();
    }

    private static List<String> strings(JsonNode arr, List<String> dflt) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return out.isEmpty() ? dflt : out;
    }

    /** The host's resolv.conf with the container's name servers, search domains and options put in. */
    static String overrideResolvConf(String host, List<String> dns, List<String> search, List<String> options) {
        if (dns.isEmpty() && search.isEmpty() && options.isEmpty()) return host;
        StringBuilder out = new StringBuilder();
        for (String line : host.split("\n")) {
            String t = line.strip();
            if (!dns.isEmpty() && t.startsWith("nameserver")) continue;
            if (!search.isEmpty() && (t.startsWith("search") || t.startsWith("domain"))) continue;
            if (!options.isEmpty() && t.startsWith("options")) continue;
            if (!line.isEmpty()) out.append(line).append('\n');
        }
        for (String d : dns) out.append("nameserver ").append(d).append('\n');
        if (!search.isEmpty() && !(search.size() == 1 && search.getFirst().equals("."))) out.append("search ").append(String.join(" ", search)).append('\n');
        if (!options.isEmpty()) out.append("options ").append(String.join(" ", options)).append('\n');
        return out.toString();
    }

    /**
     * Sockets on 127.0.0.11 (a kernel-chosen port) opened inside the namespace and an nft table
     * there sending port 53 to them, as Docker: the container keeps port 53 for its own use.
     */
    private void startDns(Sandbox sb, List<InetSocketAddress> upstreams) throws IOException {
        record Sockets(DatagramChannel udp, ServerSocketChannel tcp) {}
        Sockets s = sb.ns.call(() -> {
            InetAddress a = InetAddress.ofLiteral(ResolvConf.EMBEDDED_ADDRESS);
            DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
            ServerSocketChannel tcp = null;
            try {
                udp.bind(new InetSocketAddress(a, 0));
                int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
                tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(a, port), 128);
                String rules = """
                        table ip berth_dns {
                        \tchain output {
                        \t\ttype nat hook output priority -100; policy accept;
                        \t\tip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:%1$d
                        \t\tip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:%1$d
                        \t}
                        }
                        """.formatted(port);
                // A child spawned from this thread starts in this thread's namespace.
                Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
                try (var in = p.getOutputStream()) {
                    in.write(rules.getBytes(StandardCharsets.US_ASCII));
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IOException("nft in the container's namespace: " + out.strip());
                return new Sockets(udp, tcp);
            } catch (InterruptedException e) {
                udp.close();
                if (tcp != null) tcp.close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while setting up the container's DNS");
            } catch (IOException | RuntimeException e) {
                udp.close();
                if (tcp != null) tcp.close();
                throw e;
            }
        });
        sb.dnsListener = dns.serve(s.udp(), s.tcp(), names.containerResolver(sb.containerId, upstreams));
    }

    // ---- detach -----------------------------------------------------------------------------

    @Override
    public void detach(String containerId) {
        Sandbox sb = running.remove(containerId);
        if (sb == null) return;
        long t0 = System.nanoTime();
        if (sb.dnsListener != null) sb.dnsListener.close();
        boolean hadPorts = !sb.ports.isEmpty();
        for (Mapping m : sb.ports) {
            try {
                m.holder().close();
            } catch (Exception e) {
                LOG.fine("closing port " + m.hostPort() + ": " + e.getMessage());
            }
        }
        for (Endpoint ep : sb.endpoints) {
            names.disconnect(ep.network().name(), containerId);
            try {
                networks.release(ep.network(), containerId);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "releasing the address of " + containerId, e);
            }
        }
        long t1 = System.nanoTime();
        try {
            sb.ns.delete();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "deleting " + sb.ns, e);
        }
        long t2 = System.nanoTime();
        LOG.fine(() -> "detach " + Ids.shortId(containerId) + ": leases " + (t1 - t0) / 1000 + " us, netns " + (t2 - t1) / 1000 + " us");
        sweepVeths(sb);
        if (hadPorts) {
            try {
                applyFirewall();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "updating the nft table", e);
            }
        }
    }

    /**
     * The veths go with the namespace: once its last user is gone the kernel destroys it and the
     * interfaces in it, taking their host ends along (~1–2 ms later, off our path; deleting a
     * veth ourselves costs 15–25 ms). If something still holds the namespace — a container that
     * joined it with {@code --network container:<id>} — the host ends are deleted explicitly
     * shortly after, so the released addresses are never live twice.
     */
    private static void sweepVeths(Sandbox sb) {
        List<String> veths = sb.endpoints.stream().map(Endpoint::hostVeth).toList();
        if (veths.isEmpty()) return;
        Thread.ofVirtual().name("berth-veth-sweep").start(() -> {
            try {
                for (int i = 0; i < 40 && veths.stream().anyMatch(v -> Files.exists(Path.of("/sys/class/net", v))); i++) Thread.sleep(5);
                List<String> left = veths.stream().filter(v -> Files.exists(Path.of("/sys/class/net", v))).toList();
                if (left.isEmpty()) return;
                try (Netlink host = Netlink.open()) {
                    for (String v : left) {
                        try {
                            host.deleteLink(v);
                        } catch (IOException e) {
                            LOG.fine("deleting " + v + ": " + e.getMessage());
                        }
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "deleting veths of " + sb.containerId, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    // ---- views ------------------------------------------------------------------------------

    @Override
    public ObjectNode settings(ContainerRecord r) {
        Sandbox sb = running.get(r.id);
        ObjectNode ns = Json.obj();
        ns.put("Bridge", "");
        ns.put("SandboxID", sb == null ? "" : sb.sandboxId);
        ns.put("SandboxKey", sb == null ? "" : sb.ns.path().toString());
        ObjectNode ports = ns.putObject("Ports");
        if (sb != null) {
            for (String exposed : PortSpec.exposedKeys(r.config.path("ExposedPorts"))) ports.putNull(exposed);
            for (Mapping m : sb.ports) {
                String key = m.containerPort() + "/" + m.proto();
                JsonNode have = ports.get(key);
                ArrayNode arr = have instanceof ArrayNode a ? a : ports.putArray(key);
                arr.addObject().put("HostIp", m.hostIp()).put("HostPort", Integer.toString(m.hostPort()));
            }
        }
        ns.put("HairpinMode", false);
        ns.put("LinkLocalIPv6Address", "");
        ns.put("LinkLocalIPv6PrefixLen", 0);
        ns.putNull("SecondaryIPAddresses");
        ns.putNull("SecondaryIPv6Addresses");
        Endpoint dflt = null;
        if (sb != null) for (Endpoint e : sb.endpoints) if (e.network().name().equals(Network.DEFAULT_BRIDGE)) dflt = e;
        ns.put("EndpointID", dflt == null ? "" : dflt.endpointId());
        ns.put("Gateway", dflt == null ? "" : Subnet.formatIp(dflt.network().gateway()));
        ns.put("GlobalIPv6Address", "");
        ns.put("GlobalIPv6PrefixLen", 0);
        ns.put("IPAddress", dflt == null ? "" : Subnet.formatIp(dflt.ip()));
        ns.put("IPPrefixLen", dflt == null ? 0 : dflt.network().subnet().prefix());
        ns.put("IPv6Gateway", "");
        ns.put("MacAddress", dflt == null ? "" : dflt.mac());
        ObjectNode out = ns.putObject("Networks");
        if (r.networks != null) {
            for (var e : r.networks.properties()) {
                Endpoint ep = null;
                if (sb != null) for (Endpoint x : sb.endpoints) if (x.network().name().equals(e.getKey())) ep = x;
                Network n = ep != null ? ep.network() : networks.tryResolve(e.getKey());
                out.set(e.getKey(), endpointView(r, e.getValue(), n, ep));
            }
        } else {
            out.set(r.hostConfig.path("NetworkMode").asText("none"), endpointView(r, Json.obj(), networks.tryResolve(r.hostConfig.path("NetworkMode").asText("none")), null));
        }
        return ns;
    }

    private static ObjectNode endpointView(ContainerRecord r, JsonNode config, Network n, Endpoint ep) {
        ObjectNode v = Json.obj();
        JsonNode ipam = config.path("IPAMConfig");
        v.set("IPAMConfig", ipam.isObject() ? ipam : null);
        v.putNull("Links");
        JsonNode aliases = config.path("Aliases");
        v.set("Aliases", aliases.isArray() && !aliases.isEmpty() ? aliases : null);
        v.put("MacAddress", ep != null ? ep.mac() : config.path("MacAddress").asText(""));
        v.putNull("DriverOpts");
        v.put("GwPriority", 0);
        v.put("NetworkID", n == null ? "" : n.id());
        v.put("EndpointID", ep == null ? "" : ep.endpointId());
        v.put("Gateway", ep == null ? "" : Subnet.formatIp(n.gateway()));
        v.put("IPAddress", ep == null ? "" : Subnet.formatIp(ep.ip()));
        v.put("IPPrefixLen", ep == null ? 0 : n.subnet().prefix());
        v.put("IPv6Gateway", "");
        v.put("GlobalIPv6Address", "");
        v.put("GlobalIPv6PrefixLen", 0);
        if (n != null && n.driver().equals("bridge") && !n.name().equals(Network.DEFAULT_BRIDGE)) {
            ArrayNode dnsNames = v.putArray("DNSNames");
            dnsNames.add(r.bareName()).add(r.id.substring(0, 12));
            if (aliases.isArray()) aliases.forEach(dnsNames::add);
        } else {
            v.putNull("DNSNames");
        }
        return v;
    }

    /** A running container's address on a network, for {@code GET /networks/{id}} Containers. */
    public ObjectNode endpointOf(String containerId, Network n) {
        Sandbox sb = running.get(containerId);
        if (sb == null) return null;
        for (Endpoint e : sb.endpoints) {
            if (e.network().id().equals(n.id())) {
                return Json.obj().put("EndpointID", e.endpointId()).put("MacAddress", e.mac())
                        .put("IPv4Address", Subnet.formatIp(e.ip()) + "/" + n.subnet().prefix()).put("IPv6Address", "");
            }
        }
        return null;
    }
}
