package dev.berth.daemon.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.net.Subnet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftRulesTest {
    static BridgeNetwork net(String bridge, String subnet, String gw, boolean internal, boolean icc, boolean masq) {
        return new BridgeNetwork(bridge, Subnet.parse(subnet), Subnet.parseInet4(gw), internal, icc, masq);
    }

    static final BridgeNetwork WEB = net("br-web", "172.18.0.0/16", "172.18.0.1", false, true, true);
    static final BridgeNetwork DB = net("br-db", "172.19.0.0/16", "172.19.0.1", true, false, true);
    static final BridgeNetwork DEF = net("docker0", "172.17.0.0/16", "172.17.0.1", false, false, false);
    static final List<PublishedPort> PORTS = List.of(
            PublishedPort.tcp("0.0.0.0", 8080, "172.18.0.2", 80),
            PublishedPort.udp("0.0.0.0", 5353, "172.18.0.2", 53),
            PublishedPort.tcp("192.168.1.10", 8443, "172.17.0.5", 443),
            PublishedPort.tcp("127.0.0.1", 5432, "172.17.0.6", 5432));

    static final String GOLDEN = """
            table ip berth {
            	chain guard {
            		type filter hook prerouting priority raw; policy accept;
            		iifname "br-db" ip saddr 127.0.0.0/8 drop
            		iifname "br-web" ip saddr 127.0.0.0/8 drop
            		iifname "docker0" ip saddr 127.0.0.0/8 drop
            	}

            	chain prerouting {
            		type nat hook prerouting priority dstnat; policy accept;
            		ip daddr != 127.0.0.0/8 fib daddr type local jump published
            	}

            	chain output {
            		type nat hook output priority -100; policy accept;
            		fib daddr type local jump published
            	}

            	chain published {
            		ip daddr 127.0.0.1 tcp dport 5432 dnat to 172.17.0.6:5432
            		tcp dport 8080 dnat to 172.18.0.2:80
            		ip daddr 192.168.1.10 tcp dport 8443 dnat to 172.17.0.5:443
            		udp dport 5353 dnat to 172.18.0.2:53
            	}

            	chain postrouting {
            		type nat hook postrouting priority srcnat; policy accept;
            		oifname "br-web" ip saddr 127.0.0.0/8 masquerade
            		oifname "br-web" ip saddr 172.18.0.0/16 ct status dnat masquerade
            		ip saddr 172.18.0.0/16 oifname != "br-web" masquerade
            		oifname "docker0" ip saddr 127.0.0.0/8 masquerade
            		oifname "docker0" ip saddr 172.17.0.0/16 ct status dnat masquerade
            	}

            	chain input {
            		type filter hook input priority filter; policy accept;
            		iifname "br-db" ip daddr 127.0.0.0/8 ct direction original drop
            		iifname "br-web" ip daddr 127.0.0.0/8 ct direction original drop
            		iifname "docker0" ip daddr 127.0.0.0/8 ct direction original drop
            	}

            	chain forward {
            		type filter hook forward priority filter; policy accept;
            		ct state established,related accept
            		ct status dnat oifname "docker0" ip daddr 172.17.0.6 tcp dport 5432 accept
            		ct status dnat oifname "br-web" ip daddr 172.18.0.2 tcp dport 80 accept
            		ct status dnat oifname "docker0" ip daddr 172.17.0.5 tcp dport 443 accept
            		ct status dnat oifname "br-web" ip daddr 172.18.0.2 udp dport 53 accept
            		iifname "br-db" oifname "br-db" drop
            		iifname "br-web" oifname "br-web" accept
            		iifname "docker0" oifname "docker0" drop
            		oifname "br-db" drop
            		oifname "br-web" drop
            		oifname "docker0" drop
            		iifname "br-db" drop
            		iifname "br-web" accept
            		iifname "docker0" accept
            	}
            }
            """;

    @Test
    void rendersTheWholeTableInCanonicalForm() {
        NftRules rules = NftRules.of(List.of(WEB, DB, DEF), PORTS);
        assertEquals(GOLDEN, rules.text());
        // the 127.0.0.1 mapping puts docker0 on the list (its host address 192.168.1.10 would not)
        assertEquals(Set.of("br-web", "docker0"), rules.localnetBridges());
    }

    @Test
    void theSameInputInAnyOrderGivesTheSameBytes() {
        List<BridgeNetwork> nets = new ArrayList<>(List.of(WEB, DB, DEF));
        List<PublishedPort> ports = new ArrayList<>(PORTS);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(nets);
            Collections.shuffle(ports);
            assertEquals(GOLDEN, NftRules.of(nets, ports).text());
        }
    }

    @Test
    void replaceScriptCreatesDeletesAndRedefinesInOneTransaction() {
        NftRules rules = NftRules.of("berth_test_x1", List.of(WEB), List.of());
        String script = rules.replaceScript();
        assertTrue(script.startsWith("table ip berth_test_x1\ndelete table ip berth_test_x1\ntable ip berth_test_x1 {\n"), script);
        assertEquals("table ip berth_test_x1\ndelete table ip berth_test_x1\n", NftRules.deleteScript("berth_test_x1"));
    }

    @Test
    void noNetworksMeansNoTable() {
        NftRules rules = NftRules.of(List.of(), List.of());
        assertTrue(rules.isEmpty());
        assertTrue(rules.chains().isEmpty());
        assertEquals(NftRules.deleteScript("berth"), rules.replaceScript());
    }

    @Test
    void aNetworkWithoutPortsHasNoNatRulesOfItsOwn() {
        NftRules rules = NftRules.of(List.of(net("br-x", "10.9.0.0/24", "10.9.0.1", false, true, false)), List.of());
        String postrouting = rules.chains().stream().filter(c -> c.name().equals("postrouting")).findFirst().orElseThrow().rules().toString();
        assertEquals("[]", postrouting);
        assertTrue(rules.localnetBridges().isEmpty());
    }

    @Test
    void masqueradeIsOnlyTowardsOtherInterfacesAndNeverForInternalNetworks() {
        NftRules rules = NftRules.of(List.of(net("br-in", "10.9.0.0/24", "10.9.0.1", true, true, true)), List.of());
        assertTrue(!rules.text().contains("masquerade"), rules.text());
    }

    @Test
    void conflictingBindingsAreRefusedWithDockersMessage() {
        var e = assertThrows(BerthException.Conflict.class, () -> NftRules.of(List.of(WEB),
                List.of(PublishedPort.tcp("0.0.0.0", 80, "172.18.0.2", 80), PublishedPort.tcp("127.0.0.1", 80, "172.18.0.3", 80))));
        assertTrue(e.getMessage().startsWith("Bind for ") && e.getMessage().endsWith(":80 failed: port is already allocated"), e.getMessage());
        assertThrows(BerthException.Conflict.class, () -> NftRules.of(List.of(WEB),
                List.of(PublishedPort.tcp("10.0.0.1", 80, "172.18.0.2", 80), PublishedPort.tcp("10.0.0.1", 80, "172.18.0.3", 81))));
        // different host addresses, or different protocols, may share a port number
        NftRules.of(List.of(WEB), List.of(PublishedPort.tcp("10.0.0.1", 80, "172.18.0.2", 80), PublishedPort.tcp("10.0.0.2", 80, "172.18.0.3", 80),
                PublishedPort.udp("0.0.0.0", 80, "172.18.0.3", 80)));
    }

    @Test
    void portsMustBelongToANonInternalNetwork() {
        assertThrows(BerthException.InvalidArgument.class, () -> NftRules.of(List.of(WEB), List.of(PublishedPort.tcp("0.0.0.0", 80, "10.1.1.1", 80))));
        var e = assertThrows(BerthException.InvalidArgument.class, () -> NftRules.of(List.of(DB), List.of(PublishedPort.tcp("0.0.0.0", 80, "172.19.0.2", 80))));
        assertTrue(e.getMessage().contains("internal"), e.getMessage());
    }

    @Test
    void networksMustBeDistinct() {
        assertThrows(BerthException.Conflict.class, () -> NftRules.of(List.of(WEB, net("br-web", "10.1.0.0/16", "10.1.0.1", false, true, true)), List.of()));
        assertThrows(BerthException.Conflict.class, () -> NftRules.of(List.of(WEB, net("br-b", "172.18.5.0/24", "172.18.5.1", false, true, true)), List.of()));
    }

    @Test
    void valueTypesRejectBadInput() {
        // host bits cannot reach the rules: the subnet type clears them, so its text is canonical
        assertEquals("10.0.0.0/24", Subnet.parse("10.0.0.1/24").toString());
        assertThrows(BerthException.InvalidArgument.class, () -> Subnet.parse("10.0.0.0/33"));
        assertThrows(BerthException.InvalidArgument.class, () -> Subnet.parse("example.com/8"));
        assertThrows(BerthException.InvalidArgument.class, () -> Subnet.parseInet4("::1"));
        assertThrows(BerthException.InvalidArgument.class, () -> net("br\"; flush ruleset", "10.0.0.0/24", "10.0.0.1", false, true, true));
        assertThrows(BerthException.InvalidArgument.class, () -> net("a-very-long-bridge-name", "10.0.0.0/24", "10.0.0.1", false, true, true));
        assertThrows(BerthException.InvalidArgument.class, () -> net("br0", "10.0.0.0/24", "10.0.1.1", false, true, true));
        assertThrows(BerthException.InvalidArgument.class, () -> PublishedPort.tcp("0.0.0.0", 0, "10.0.0.2", 80));
        assertThrows(BerthException.InvalidArgument.class, () -> PublishedPort.tcp("0.0.0.0", 80, "10.0.0.2", 65536));
        assertThrows(BerthException.InvalidArgument.class, () -> NftRules.of("berth; flush ruleset", List.of(), List.of()));
        assertTrue(Subnet.parse("10.0.0.0/8").overlaps(Subnet.parse("10.200.0.0/16")));
        assertTrue(!Subnet.parse("10.0.0.0/16").overlaps(Subnet.parse("10.1.0.0/16")));
    }
}
