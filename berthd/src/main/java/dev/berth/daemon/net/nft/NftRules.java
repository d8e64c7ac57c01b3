package dev.berth.daemon.net.nft;

import dev.berth.daemon.errors.BerthException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The packet filter of Docker's bridge driver as one nftables table that berthd owns
 * ({@code table ip berth}): port publishing (DNAT), masquerading, and the isolation of bridge
 * networks. Pure: it renders text and touches nothing; {@link NftFirewall} applies it.
 *
 * <p>The text is exactly what {@code nft list table} prints back (nft 1.0.6): rules are written
 * in nft's canonical form, chains in a fixed order, networks sorted by bridge name and ports
 * by protocol, host port and host address — the same input in any order gives the same bytes.
 *
 * <p>Chains, in table order (hooks run by priority, not by this order):
 * <pre>
 * guard        filter prerouting raw (-300)  drop packets from a bridge with a loopback source
 * prerouting   nat prerouting dstnat (-100)  to a local address (not 127/8) → published
 * output       nat output -100               host's own traffic to a local address (127/8 too) → published
 * published    (regular)                     one DNAT per published port
 * postrouting  nat postrouting srcnat (100)  loopback→bridge and hairpin masquerade; subnet masquerade
 * input        filter input filter (0)       containers may not open connections to 127/8
 * forward      filter forward filter (0)     established; published; icc; into-bridge drop; out
 * </pre>
 *
 * <p>The forward chain's order is the policy; each step only sees what the steps before it let
 * through (the chain's policy is accept, so traffic that touches no berth bridge is left alone):
 * <ol>
 * <li>{@code ct state established,related accept}: replies and later packets of flows that were
 *     allowed; every later rule judges only a flow's first packet.</li>
 * <li>per published port, {@code ct status dnat oifname B ip daddr C tcp dport P accept}: a
 *     published port is reachable through the host's addresses from anywhere — outside, another
 *     berth network, the same network with icc off — as Docker's proxy makes it.</li>
 * <li>per bridge, {@code iifname B oifname B accept} (icc) or {@code drop} (icc off; bridged
 *     traffic reaches this hook through br_netfilter, {@code bridge-nf-call-iptables=1}).</li>
 * <li>per bridge, {@code oifname B drop}: nothing else enters a bridge — not another berth bridge
 *     (isolation), not the outside world to unpublished ports (as Docker 28). This must precede
 *     step 5, or one bridge's "out" would let its traffic into another bridge.</li>
 * <li>per bridge, {@code iifname B accept} (the way out) or, for an internal network, {@code drop}.</li>
 * </ol>
 *
 * <p>Publishing on loopback: the host's own connection to {@code 127.0.0.1:P} is DNATed in
 * {@code output} and routed into the bridge with source 127.0.0.1, which the kernel allows only
 * with {@code net.ipv4.conf.<bridge>.route_localnet=1} ({@link #localnetBridges()});
 * {@code postrouting} masquerades it to the bridge's address so the container can answer. Since
 * route_localnet also lets a container reach the host's 127/8 services (CVE-2020-8558),
 * {@code guard} drops loopback-sourced packets arriving on a bridge and {@code input} drops
 * connections a bridge opens towards 127/8; the replies of the host's own DNATed connections
 * (reply direction) still pass.
 *
 * <p>Hairpin (a container reaching a published port through the host's address, itself or a
 * neighbour) is DNATed like any other traffic and masqueraded to the gateway when it goes back
 * into its own bridge, so the reply returns through the host; the bridge ports need
 * {@code hairpin_mode=1} (the bridge driver's job, as Docker with {@code userland-proxy=false}).
 */
public final class NftRules {
    public static final String DEFAULT_TABLE = "berth";
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final String LOOPBACK = "127.0.0.0/8";

    /** A base chain's hook; {@code priorityText} is how nft prints the priority. */
    public record Hook(String type, String hook, int priority, String priorityText) {
        String declaration() {
            return "type " + type + " hook " + hook + " priority " + priorityText + "; policy accept;";
        }
    }

    /** One chain: a base chain when {@code hook} is set, else a regular chain reached by jumps. */
    public record Chain(String name, Hook hook, List<String> rules) {
        public Chain { rules = List.copyOf(rules); }
    }

    private final String table;
    private final List<BridgeNetwork> networks;
    private final List<PublishedPort> ports;
    private final List<Chain> chains;

    private NftRules(String table, List<BridgeNetwork> networks, List<PublishedPort> ports) {
        this.table = table;
        this.networks = networks;
        this.ports = ports;
        this.chains = networks.isEmpty() ? List.of() : build();
    }

    /**
     * Validates and orders the description: bridge names unique, subnets disjoint, every port's
     * container address inside exactly one (non-internal) network, no two ports bound to the
     * same protocol and host port on overlapping host addresses.
     */
    public static NftRules of(String table, Collection<BridgeNetwork> networks, Collection<PublishedPort> ports) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) throw BerthException.invalid("invalid nft table name: " + table);
        List<BridgeNetwork> nets = new ArrayList<>(networks);
        nets.sort(Comparator.comparing(BridgeNetwork::bridge));
        for (int i = 0; i < nets.size(); i++) {
            for (int j = i + 1; j < nets.size(); j++) {
                BridgeNetwork a = nets.get(i), b = nets.get(j);
                if (a.bridge().equals(b.bridge())) throw BerthException.conflict("bridge " + a.bridge() + " is described twice");
                if (a.subnet().overlaps(b.subnet())) {
                    throw BerthException.conflict("networks on " + a.bridge() + " and " + b.bridge() + " have overlapping subnets "
                            + a.subnet() + " and " + b.subnet());
                }
            }
        }
        List<PublishedPort> sorted = new ArrayList<>(ports);
        sorted.sort(PublishedPort.ORDER);
        Map<String, List<PublishedPort>> byHostPort = new HashMap<>();
        for (PublishedPort p : sorted) {
            BridgeNetwork n = networkOf(nets, p.containerIp());
            if (n == null) throw BerthException.invalid("no network has container address " + p.containerIp().getHostAddress());
            if (n.internal()) throw BerthException.invalid("cannot publish port " + p.binding() + ": network on " + n.bridge() + " is internal");
            List<PublishedPort> same = byHostPort.computeIfAbsent(p.protocol() + "/" + p.hostPort(), k -> new ArrayList<>());
            for (PublishedPort q : same) {
                if (q.anyHostIp() || p.anyHostIp() || q.hostIp().equals(p.hostIp())) {
                    throw BerthException.conflict("Bind for " + p.binding() + " failed: port is already allocated");
                }
            }
            same.add(p);
        }
        return new NftRules(table, List.copyOf(nets), List.copyOf(sorted));
    }

    public static NftRules of(Collection<BridgeNetwork> networks, Collection<PublishedPort> ports) {
        return of(DEFAULT_TABLE, networks, ports);
    }

    private static BridgeNetwork networkOf(List<BridgeNetwork> nets, Inet4Address a) {
        for (BridgeNetwork n : nets) if (n.subnet().contains(a)) return n;
        return null;
    }

    public String table() { return table; }
    public List<BridgeNetwork> networks() { return networks; }
    public List<PublishedPort> ports() { return ports; }

    /** Nothing to filter: the table should not exist at all. */
    public boolean isEmpty() { return networks.isEmpty(); }

    /** The table's chains in order; empty when {@link #isEmpty()}. */
    public List<Chain> chains() { return chains; }

    /**
     * Bridges that need {@code net.ipv4.conf.<bridge>.route_localnet=1}: those with a port
     * reachable on the host's loopback.
     */
    public SortedSet<String> localnetBridges() {
        SortedSet<String> out = new TreeSet<>();
        for (PublishedPort p : ports) if (p.reachableOnLoopback()) out.add(networkOf(networks, p.containerIp()).bridge());
        return out;
    }

    private List<Chain> build() {
        List<String> guard = new ArrayList<>(), prerouting = new ArrayList<>(), output = new ArrayList<>(),
                published = new ArrayList<>(), postrouting = new ArrayList<>(), input = new ArrayList<>(),
                forward = new ArrayList<>();
        SortedSet<String> localnet = localnetBridges();

        prerouting.add("ip daddr != " + LOOPBACK + " fib daddr type local jump published");
        output.add("fib daddr type local jump published");
        for (PublishedPort p : ports) {
            String to = p.containerIp().getHostAddress() + ":" + p.containerPort();
            String dst = p.anyHostIp() ? "" : "ip daddr " + p.hostIp().getHostAddress() + " ";
            published.add(dst + p.protocol().keyword() + " dport " + p.hostPort() + " dnat to " + to);
        }

        for (BridgeNetwork n : networks) {
            String b = q(n.bridge());
            guard.add("iifname " + b + " ip saddr " + LOOPBACK + " drop");
            input.add("iifname " + b + " ip daddr " + LOOPBACK + " ct direction original drop");
            boolean hasPorts = ports.stream().anyMatch(p -> n.subnet().contains(p.containerIp()));
            if (localnet.contains(n.bridge())) postrouting.add("oifname " + b + " ip saddr " + LOOPBACK + " masquerade");
            if (hasPorts) postrouting.add("oifname " + b + " ip saddr " + n.subnet() + " ct status dnat masquerade");
            if (n.masquerade() && !n.internal()) postrouting.add("ip saddr " + n.subnet() + " oifname != " + b + " masquerade");
        }

        forward.add("ct state established,related accept");
        for (PublishedPort p : ports) {
            BridgeNetwork n = networkOf(networks, p.containerIp());
            forward.add("ct status dnat oifname " + q(n.bridge()) + " ip daddr " + p.containerIp().getHostAddress()
                    + " " + p.protocol().keyword() + " dport " + p.containerPort() + " accept");
        }
        for (BridgeNetwork n : networks) forward.add("iifname " + q(n.bridge()) + " oifname " + q(n.bridge()) + (n.icc() ? " accept" : " drop"));
        for (BridgeNetwork n : networks) forward.add("oifname " + q(n.bridge()) + " drop");
        for (BridgeNetwork n : networks) forward.add("iifname " + q(n.bridge()) + (n.internal() ? " drop" : " accept"));

        return List.of(
                new Chain("guard", new Hook("filter", "prerouting", -300, "raw"), guard),
                new Chain("prerouting", new Hook("nat", "prerouting", -100, "dstnat"), prerouting),
                new Chain("output", new Hook("nat", "output", -100, "-100"), output),
                new Chain("published", null, published),
                new Chain("postrouting", new Hook("nat", "postrouting", 100, "srcnat"), postrouting),
                new Chain("input", new Hook("filter", "input", 0, "filter"), input),
                new Chain("forward", new Hook("filter", "forward", 0, "filter"), forward));
    }

    private static String q(String ifname) { return "\"" + ifname + "\""; }

    /** The table definition, byte for byte as {@code nft list table ip <table>} prints it. */
    public String text() {
        StringBuilder sb = new StringBuilder("table ip ").append(table).append(" {\n");
        for (int i = 0; i < chains.size(); i++) {
            Chain c = chains.get(i);
            if (i > 0) sb.append('\n');
            sb.append("\tchain ").append(c.name()).append(" {\n");
            if (c.hook() != null) sb.append("\t\t").append(c.hook().declaration()).append('\n');
            for (String r : c.rules()) sb.append("\t\t").append(r).append('\n');
            sb.append("\t}\n");
        }
        return sb.append("}\n").toString();
    }

    /**
     * One {@code nft -f} transaction that replaces the table: create it if missing (so the delete
     * cannot fail), delete it, define it anew. The kernel commits all or nothing, so packets see
     * either the old rules or the new ones, never a gap.
     */
    public String replaceScript() {
        if (isEmpty()) return deleteScript(table);
        return "table ip " + table + "\ndelete table ip " + table + "\n" + text();
    }

    /** Removes the table whether or not it exists. */
    public static String deleteScript(String table) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) throw BerthException.invalid("invalid nft table name: " + table);
        return "table ip " + table + "\ndelete table ip " + table + "\n";
    }
}
