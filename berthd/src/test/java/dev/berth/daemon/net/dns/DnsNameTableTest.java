package dev.berth.daemon.net.dns;

import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsNameTableTest {
    static final String A = "0123456789ab" + "0".repeat(52), B = "abcdef012345" + "0".repeat(52);

    static Inet4Address v4(String s) { return (Inet4Address) InetAddress.ofLiteral(s); }

    @Test void dottedNamesTryEveryNetworkSplitLikeDocker() {
        NameTable t = new NameTable();
        // A container named with a dot, and a network whose name has one.
        t.connect("my.net", new NameTable.Endpoint(A, "a.b", List.of(), v4("10.0.0.2"), null));
        t.connect("my.net", new NameTable.Endpoint(B, "c", List.of("Alias"), v4("10.0.0.3"), null));
        List<String> scope = List.of("my.net");
        assertEquals(List.of(v4("10.0.0.2")), t.lookup(scope, "a.b").ipv4(), "the whole name first");
        assertEquals(List.of(v4("10.0.0.2")), t.lookup(scope, "a.b.my.net").ipv4(), "a.b on network my.net");
        assertEquals(List.of(v4("10.0.0.3")), t.lookup(scope, "c.my.net").ipv4());
        assertEquals(List.of(v4("10.0.0.3")), t.lookup(scope, "alias").ipv4(), "aliases compare in lower case");
        assertEquals(List.of(v4("10.0.0.3")), t.lookup(scope, "abcdef012345").ipv4(), "short ID");
        assertNull(t.lookup(scope, "abcdef01234"), "not a prefix match");
        assertNull(t.lookup(scope, "c.net"));
        assertNull(t.lookup(List.of(), "c"));
        assertEquals("a.b.my.net", t.reverse(scope, v4("10.0.0.2")));
    }

    @Test void connectReplacesAndDisconnectForgets() {
        NameTable t = new NameTable();
        t.connect("n1", new NameTable.Endpoint(A, "web", List.of(), v4("10.0.0.2"), null));
        t.connect("n1", new NameTable.Endpoint(A, "web", List.of(), v4("10.0.0.9"), null));
        t.connect("n2", new NameTable.Endpoint(A, "web", List.of(), v4("10.1.0.2"), null));
        assertEquals(List.of("n1", "n2"), t.networksOf(A));
        assertEquals(List.of(v4("10.0.0.9")), t.lookup(List.of("n1"), "web").ipv4());
        assertNull(t.reverse(List.of("n1"), v4("10.0.0.2")));
        t.removeNetwork("n1");
        assertEquals(List.of("n2"), t.networksOf(A));
        t.disconnect("n2", A);
        assertEquals(List.of(), t.networksOf(A));
        assertNull(t.lookup(List.of("n2"), "web"));
    }

    @Test void endpointsValidateThemselves() {
        assertThrows(IllegalArgumentException.class, () -> new NameTable.Endpoint("xyz", "web", List.of(), v4("10.0.0.2"), null));
        assertThrows(IllegalArgumentException.class, () -> new NameTable.Endpoint(A, " ", List.of(), v4("10.0.0.2"), null));
        assertThrows(IllegalArgumentException.class, () -> new NameTable.Endpoint(A, "web", List.of(), null, null));
        assertEquals("web", new NameTable.Endpoint(A, "/web", List.of(), v4("10.0.0.2"), null).name(), "Docker's leading slash");
    }
}
