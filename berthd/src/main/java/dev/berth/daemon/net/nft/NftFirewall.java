package dev.berth.daemon.net.nft;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Keeps berthd's nft table equal to the current {@link NftRules}: each {@link #apply} replaces
 * the whole table in one transaction and reads it back; {@link #remove} (also on
 * {@link #close}, at daemon shutdown, and when an apply has no networks left) deletes it.
 *
 * <p>Besides nft it writes one sysctl per bridge, {@code net.ipv4.conf.<bridge>.route_localnet},
 * set to 1 while the bridge has ports published on loopback ({@link NftRules#localnetBridges()})
 * and back to 0 when it no longer has (or before the table, whose guard rules make the setting
 * safe, goes away). The order is deliberate: the sysctl is raised only after the guard is in
 * the kernel and lowered before the guard is deleted.
 *
 * <p>Contract with the bridge driver: bridges carrying loopback-published ports exist before
 * {@code apply} (their sysctl directory must exist), and bridge ports have
 * {@code hairpin_mode=1} for hairpin traffic. Thread-safe (calls are serialised).
 */
public final class NftFirewall implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NftFirewall.class.getName());

    private final Nft nft;
    private final String table;
    private final Path ipv4Conf;
    /** Bridges whose route_localnet this firewall set to 1. */
    private SortedSet<String> localnet = new TreeSet<>();

    /**
     * @param ipv4Conf the directory holding per-interface IPv4 sysctls,
     *                 {@code /proc/sys/net/ipv4/conf} (a plain directory in unit tests)
     */
    public NftFirewall(Nft nft, String table, Path ipv4Conf) {
        this.nft = Objects.requireNonNull(nft);
        this.table = table;
        this.ipv4Conf = ipv4Conf;
        NftRules.deleteScript(table); // validates the name
    }

    /** berthd's firewall: the {@code nft} program, {@code table ip berth}, the real sysctls. */
    public static NftFirewall system() {
        return system(NftRules.DEFAULT_TABLE);
    }

    /** berthd's firewall in {@code table ip <table>} (a second daemon with its own bridge uses its own table). */
    public static NftFirewall system(String table) {
        return new NftFirewall(new NftCommand(), table, Path.of("/proc/sys/net/ipv4/conf"));
    }

    public String table() { return table; }

    public void apply(Collection<BridgeNetwork> networks, Collection<PublishedPort> ports) {
        apply(NftRules.of(table, networks, ports));
    }

    /**
     * Makes the kernel's table exactly {@code rules} (or removes it when {@code rules} has no
     * networks). A failed nft transaction leaves the previous table in place.
     */
    public synchronized void apply(NftRules rules) {
        if (!rules.table().equals(table)) throw BerthException.invalid("rules for table " + rules.table() + ", firewall owns " + table);
        if (rules.isEmpty()) {
            remove();
            return;
        }
        SortedSet<String> wanted = rules.localnetBridges();
        for (String bridge : wanted) {
            if (!Files.isDirectory(ipv4Conf.resolve(bridge))) {
                throw BerthException.invalid("cannot publish ports on loopback: no such bridge " + bridge);
            }
        }
        nft.run(rules.replaceScript());
        verify(rules);
        for (String bridge : localnet) if (!wanted.contains(bridge)) routeLocalnet(bridge, false);
        for (String bridge : wanted) routeLocalnet(bridge, true);
        localnet = wanted;
    }

    /** Deletes the table (if present) after lowering the sysctls this firewall raised. */
    public synchronized void remove() {
        for (String bridge : localnet) routeLocalnet(bridge, false);
        localnet = new TreeSet<>();
        nft.run(NftRules.deleteScript(table));
    }

    @Override
    public void close() { remove(); }

    /**
     * Reads the table back and compares its shape with {@code rules}: the same chains in the same
     * order with the same hooks and priorities, and the same number of rules in each. (Rule text
     * is not compared: nft's printing changes between versions, the structure does not.)
     */
    void verify(NftRules rules) {
        String json = nft.listJson(table)
                .orElseThrow(() -> BerthException.internal("nft table ip " + table + " is missing right after it was applied", null));
        Map<String, ChainShape> actual = shapes(json, table);
        Map<String, ChainShape> expected = new LinkedHashMap<>();
        for (NftRules.Chain c : rules.chains()) {
            NftRules.Hook h = c.hook();
            expected.put(c.name(), new ChainShape(h == null ? null : h.type(), h == null ? null : h.hook(),
                    h == null ? null : h.priority(), c.rules().size()));
        }
        if (!List.copyOf(actual.keySet()).equals(List.copyOf(expected.keySet()))) {
            throw BerthException.internal("nft table ip " + table + " has chains " + actual.keySet() + ", expected " + expected.keySet(), null);
        }
        for (var e : expected.entrySet()) {
            ChainShape a = actual.get(e.getKey());
            if (!a.equals(e.getValue())) {
                throw BerthException.internal("nft table ip " + table + ", chain " + e.getKey() + " is " + a + ", expected " + e.getValue(), null);
            }
        }
    }

    /** A chain as nft reports it: hook (null for a regular chain), priority, number of rules. */
    record ChainShape(String type, String hook, Integer priority, int rules) {}

    static Map<String, ChainShape> shapes(String json, String table) {
        JsonNode items = Json.parse(json.getBytes(StandardCharsets.UTF_8)).path("nftables");
        Map<String, ChainShape> out = new LinkedHashMap<>();
        List<String> ruleChains = new ArrayList<>();
        for (JsonNode item : items) {
            JsonNode c = item.get("chain");
            if (c != null && table.equals(Json.text(c, "table"))) {
                out.put(Json.text(c, "name"), new ChainShape(Json.text(c, "type"), Json.text(c, "hook"),
                        c.has("prio") ? c.get("prio").asInt() : null, 0));
            }
            JsonNode r = item.get("rule");
            if (r != null && table.equals(Json.text(r, "table"))) ruleChains.add(Json.text(r, "chain"));
        }
        for (String chain : ruleChains) {
            ChainShape s = out.get(chain);
            if (s != null) out.put(chain, new ChainShape(s.type(), s.hook(), s.priority(), s.rules() + 1));
        }
        return out;
    }

    private void routeLocalnet(String bridge, boolean on) {
        Path p = ipv4Conf.resolve(bridge).resolve("route_localnet");
        if (!on && !Files.exists(p)) return; // the bridge is gone, and its setting with it
        try {
            Files.writeString(p, on ? "1\n" : "0\n");
        } catch (IOException e) {
            if (on) throw BerthException.internal("cannot set net.ipv4.conf." + bridge + ".route_localnet: " + e.getMessage(), e);
            LOG.warning("cannot reset net.ipv4.conf." + bridge + ".route_localnet: " + e.getMessage());
        }
    }

    /** The current table as JSON, for diagnostics; empty when there is none. */
    public Optional<String> listJson() { return nft.listJson(table); }
}
