package dev.berth.daemon.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.errors.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NftFirewall's sequencing against a fake nft and a fake sysctl tree (no root needed). */
class NftFirewallTest {
    @TempDir Path conf;
    final List<String> log = new ArrayList<>();
    /** What the fake kernel lists: the JSON of the last applied rules, or nothing. */
    String listed;
    boolean tamper;

    final Nft fake = new Nft() {
        @Override
        public void run(String script) {
            log.add("nft " + script.lines().skip(1).findFirst().orElse("") + (script.contains("{") ? " +define" : ""));
            listed = script.contains("{") ? script : null;
        }

        @Override
        public Optional<String> listJson(String table) {
            log.add("list");
            return Optional.ofNullable(listed).map(s -> json(s, table));
        }
    };

    /** Turns a rendered table into the JSON shape nft prints (chains with hooks, one item per rule). */
    String json(String script, String table) {
        StringBuilder sb = new StringBuilder("{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"" + table + "\"}}");
        String chain = null;
        for (String line : script.lines().toList()) {
            String t = line.strip();
            if (t.startsWith("chain ")) {
                chain = t.substring(6, t.indexOf(' ', 6));
                sb.append(", {\"chain\": {\"table\": \"").append(table).append("\", \"name\": \"").append(chain).append('"');
                sb.append("}}");
            } else if (t.startsWith("type ")) {
                String[] w = t.replace(";", "").split(" ");
                int prio = switch (w[5]) { case "raw" -> -300; case "dstnat" -> -100; case "srcnat" -> 100; case "filter" -> 0; default -> Integer.parseInt(w[5]); };
                sb.setLength(sb.length() - 2);
                sb.append(", \"type\": \"").append(w[1]).append("\", \"hook\": \"").append(w[3]).append("\", \"prio\": ").append(prio).append("}}");
            } else if (chain != null && !t.isEmpty() && !t.equals("}") && !(tamper && chain.equals("forward"))) {
                sb.append(", {\"rule\": {\"table\": \"").append(table).append("\", \"chain\": \"").append(chain).append("\"}}");
            }
        }
        return sb.append("]}").toString();
    }

    NftFirewall fw;
    final BridgeNetwork a = NftRulesTest.net("bta", "10.50.1.0/24", "10.50.1.1", false, true, false);
    final BridgeNetwork b = NftRulesTest.net("btb", "10.50.2.0/24", "10.50.2.1", false, true, false);

    @BeforeEach
    void setUp() throws IOException {
        for (String br : List.of("bta", "btb")) {
            Files.createDirectories(conf.resolve(br));
            Files.writeString(conf.resolve(br).resolve("route_localnet"), "0\n");
        }
        fw = new NftFirewall(fake, "berth_unit", conf);
    }

    String localnet(String br) throws IOException { return Files.readString(conf.resolve(br).resolve("route_localnet")).strip(); }

    @Test
    void applyReplacesVerifiesThenRaisesRouteLocalnet() throws IOException {
        fw.apply(List.of(a, b), List.of(PublishedPort.tcp("0.0.0.0", 8080, "10.50.1.2", 80)));
        assertEquals(List.of("nft delete table ip berth_unit +define", "list"), log);
        assertEquals("1", localnet("bta"));
        assertEquals("0", localnet("btb"));

        // the port moves to btb on a specific, non-loopback address: bta is lowered, btb stays low
        fw.apply(List.of(a, b), List.of(PublishedPort.tcp("10.9.9.9", 8080, "10.50.2.2", 80)));
        assertEquals("0", localnet("bta"));
        assertEquals("0", localnet("btb"));
    }

    @Test
    void removeLowersTheSysctlBeforeDeletingTheGuard() throws IOException {
        fw.apply(List.of(a), List.of(PublishedPort.udp("127.0.0.1", 53, "10.50.1.2", 53)));
        assertEquals("1", localnet("bta"));
        log.clear();
        fw.close();
        assertEquals("0", localnet("bta"));
        assertEquals(List.of("nft delete table ip berth_unit"), log);
        assertEquals(null, listed);
    }

    @Test
    void applyingNothingRemovesTheTable() {
        fw.apply(List.of(a), List.of());
        log.clear();
        fw.apply(List.of(), List.of());
        assertEquals(List.of("nft delete table ip berth_unit"), log);
    }

    @Test
    void aMissingBridgeFailsBeforeNftIsTouched() {
        BridgeNetwork ghost = NftRulesTest.net("btghost", "10.50.3.0/24", "10.50.3.1", false, true, false);
        assertThrows(BerthException.InvalidArgument.class,
                () -> fw.apply(List.of(ghost), List.of(PublishedPort.tcp("0.0.0.0", 1, "10.50.3.2", 1))));
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void aTableThatDoesNotReadBackAsAppliedIsAnError() throws IOException {
        tamper = true;
        var e = assertThrows(BerthException.Internal.class,
                () -> fw.apply(List.of(a), List.of(PublishedPort.tcp("0.0.0.0", 80, "10.50.1.2", 80))));
        assertTrue(e.getMessage().contains("chain forward"), e.getMessage());
        assertEquals("0", localnet("bta"), "route_localnet is raised only under a verified guard");
    }

    @Test
    void shapesReadsNftJson() {
        String json = """
                {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "ip", "name": "t", "handle": 1}},
                 {"chain": {"family": "ip", "table": "t", "name": "published", "handle": 1}},
                 {"chain": {"family": "ip", "table": "t", "name": "postrouting", "handle": 2, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
                 {"rule": {"family": "ip", "table": "t", "chain": "published", "handle": 4, "expr": []}},
                 {"rule": {"family": "ip", "table": "t", "chain": "published", "handle": 5, "expr": []}}]}""";
        var shapes = NftFirewall.shapes(json, "t");
        assertEquals(List.of("published", "postrouting"), List.copyOf(shapes.keySet()));
        assertEquals(new NftFirewall.ChainShape(null, null, null, 2), shapes.get("published"));
        assertEquals(new NftFirewall.ChainShape("nat", "postrouting", 100, 0), shapes.get("postrouting"));
    }
}
