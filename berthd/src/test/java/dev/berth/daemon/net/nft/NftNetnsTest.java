package dev.berth.daemon.net.nft;

import static dev.berth.daemon.net.nft.NetnsTopology.tcpGet;
import static dev.berth.daemon.net.nft.NetnsTopology.udpGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.net.Commands;
import dev.berth.daemon.os.Posix;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The nft ruleset against real bridges, namespaces and traffic (root only; skipped otherwise).
 * Servers in the namespaces answer with their name, so every check says who answered, if anyone.
 * Masquerading towards other interfaces stays off (the daemon's {@code --ip-masq=false}); the
 * topology's guard table drops forwarded traffic towards the uplink.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NftNetnsTest {
    static final int HTTP = 80, ECHO = 9000;
    NetnsTopology t;
    NftFirewall fw;

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(Posix.getuid() == 0, "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")) && Files.isExecutable(Path.of("/usr/sbin/ip")), "needs nft and ip");
        t = NetnsTopology.create();
        for (String ns : List.of(t.a1, t.a2, t.b1, t.outside)) {
            String name = ns.substring(2 + t.id.length());
            t.tcpServer(ns, HTTP, name);
            t.udpServer(ns, ECHO, name);
        }
        fw = new NftFirewall(new NftCommand("/usr/sbin/nft"), "berth_test_" + t.id, Path.of("/proc/sys/net/ipv4/conf"));
    }

    @AfterAll
    void tearDown() {
        try {
            if (fw != null) fw.remove();
        } finally {
            if (t != null) t.close();
        }
    }

    @AfterEach
    void removeRules() {
        fw.remove();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String localnet(String bridge) throws Exception {
        return Files.readString(Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet")).strip();
    }

    @Test
    void publishedTcpAndUdpPortsReachTheContainerFromLoopbackGatewaysAndOutside() throws Exception {
        int p1 = freePort(), p2 = freePort(), p3 = freePort(), p4 = freePort(), p5 = freePort();
        NftRules rules = NftRules.of(fw.table(), List.of(t.networkA(false, true), t.networkB()), List.of(
                PublishedPort.tcp("0.0.0.0", p1, t.ipA1(), HTTP),
                PublishedPort.udp("0.0.0.0", p2, t.ipA1(), ECHO),
                PublishedPort.tcp(t.hostOutside(), p3, t.ipB1(), HTTP),
                PublishedPort.tcp("127.0.0.1", p4, t.ipA2(), HTTP),
                PublishedPort.udp("127.0.0.1", p5, t.ipB1(), ECHO)));
        fw.apply(rules);
        // the rendered text is what nft itself lists (exact on this nft version)
        assertEquals(rules.text(), Commands.check("nft", "list", "table", "ip", fw.table()));
        assertEquals("1", localnet(t.bridgeA));
        assertEquals("1", localnet(t.bridgeB));

        // 0.0.0.0:p1/tcp: every host address, from the host and from outside
        assertEquals("a1", tcpGet("127.0.0.1", p1));
        assertEquals("a1", tcpGet(t.gwA(), p1));
        assertEquals("a1", tcpGet(t.gwB(), p1));
        assertEquals("a1", tcpGet(t.hostOutside(), p1));
        assertEquals("a1", tcpGet(t.outside, t.hostOutside(), p1));
        // 0.0.0.0:p2/udp
        assertEquals("a1", udpGet("127.0.0.1", p2));
        assertEquals("a1", udpGet(t.gwA(), p2));
        assertEquals("a1", udpGet(t.outside, t.hostOutside(), p2));
        // a specific host address: only there
        assertEquals("b1", tcpGet(t.hostOutside(), p3));
        assertEquals("b1", tcpGet(t.outside, t.hostOutside(), p3));
        assertNull(tcpGet("127.0.0.1", p3));
        assertNull(tcpGet(t.gwA(), p3));
        // 127.0.0.1 only: the host's loopback, nobody else
        assertEquals("a2", tcpGet("127.0.0.1", p4));
        assertEquals("b1", udpGet("127.0.0.1", p5));
        assertNull(tcpGet(t.gwA(), p4));
        assertNull(tcpGet(t.outside, t.hostOutside(), p4));
        // hairpin: a container to its own published port, a neighbour, and another network
        assertEquals("a1", tcpGet(t.a1, t.gwA(), p1));
        assertEquals("a1", tcpGet(t.a2, t.gwA(), p1));
        assertEquals("a1", tcpGet(t.b1, t.gwB(), p1));
        assertEquals("a1", udpGet(t.a1, t.gwA(), p2));
    }

    @Test
    void bridgesAreIsolatedAndContainersReachTheOutside() throws Exception {
        // without rules everything is routed: the drops below are the table's doing
        assertEquals("b1", tcpGet(t.a1, t.ipB1(), HTTP));
        assertEquals("a1", tcpGet(t.outside, t.ipA1(), HTTP));

        fw.apply(List.of(t.networkA(false, true), t.networkB()), List.of());
        assertEquals("a1", tcpGet(t.a2, t.ipA1(), HTTP));
        assertEquals("a1", udpGet(t.a2, t.ipA1(), ECHO));
        assertNull(tcpGet(t.a1, t.ipB1(), HTTP));
        assertNull(udpGet(t.a1, t.ipB1(), ECHO));
        assertNull(tcpGet(t.b1, t.ipA1(), HTTP));
        assertNull(tcpGet(t.outside, t.ipA1(), HTTP), "unpublished ports are closed to the outside");
        assertEquals("x", tcpGet(t.a1, t.ipOutside(), HTTP));
        assertEquals("x", udpGet(t.b1, t.ipOutside(), ECHO));
        assertEquals("a1", tcpGet(t.ipA1(), HTTP), "the host itself reaches containers");
    }

    @Test
    void anInternalNetworkHasNoRouteOut() throws Exception {
        fw.apply(List.of(t.networkA(true, true), t.networkB()), List.of());
        assertNull(tcpGet(t.a1, t.ipOutside(), HTTP));
        assertNull(udpGet(t.a1, t.ipOutside(), ECHO));
        assertNull(tcpGet(t.outside, t.ipA1(), HTTP));
        assertNull(tcpGet(t.b1, t.ipA1(), HTTP));
        assertEquals("a1", tcpGet(t.a2, t.ipA1(), HTTP));
        assertEquals("x", tcpGet(t.b1, t.ipOutside(), HTTP));
    }

    @Test
    void iccOffBlocksTheSameBridgeButNotPublishedPorts() throws Exception {
        assumeTrue("1".equals(Files.readString(Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables")).strip()),
                "bridged traffic reaches nft's forward hook only with bridge-nf-call-iptables=1");
        int p1 = freePort();
        fw.apply(List.of(t.networkA(false, false), t.networkB()), List.of(PublishedPort.tcp("0.0.0.0", p1, t.ipA1(), HTTP)));
        assertNull(tcpGet(t.a2, t.ipA1(), HTTP));
        assertNull(udpGet(t.a2, t.ipA1(), ECHO));
        assertEquals("a1", tcpGet(t.a2, t.gwA(), p1));
        assertEquals("a1", tcpGet("127.0.0.1", p1));
        assertEquals("x", tcpGet(t.a1, t.ipOutside(), HTTP));
    }

    @Test
    void containersCannotReachTheHostsLoopbackThoughRouteLocalnetIsOn() throws Exception {
        int p1 = freePort();
        fw.apply(List.of(t.networkA(false, true), t.networkB()), List.of(PublishedPort.udp("0.0.0.0", p1, t.ipA1(), ECHO)));
        assertEquals("1", localnet(t.bridgeA));
        try (DatagramChannel host = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            host.socket().setSoTimeout(NetnsTopology.TIMEOUT_MS);
            int port = host.socket().getLocalPort();
            udpGet(t.z, "127.0.0.1", port); // z routes 127/8 to its gateway
            assertNull(receive(host), "the input guard drops a container's datagram to 127.0.0.1");

            // take the guard away and the same datagram arrives: route_localnet alone exposes loopback
            String listing = Commands.check("nft", "-a", "list", "chain", "ip", fw.table(), "input");
            Matcher m = Pattern.compile("iifname \"" + t.bridgeA + "\" .* # handle (\\d+)").matcher(listing);
            assertTrue(m.find(), listing);
            Commands.check("nft", "delete", "rule", "ip", fw.table(), "input", "handle", m.group(1));
            udpGet(t.z, "127.0.0.1", port);
            assertEquals("?", receive(host));
        }
    }

    static String receive(DatagramChannel c) throws Exception {
        byte[] b = new byte[64];
        var p = new java.net.DatagramPacket(b, b.length);
        try {
            c.socket().receive(p);
            return new String(b, 0, p.getLength(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    @Test
    void replacingTheTableLeavesNoGap() throws Exception {
        int p1 = freePort(), p2 = freePort();
        List<BridgeNetwork> nets = List.of(t.networkA(false, true), t.networkB());
        NftRules one = NftRules.of(fw.table(), nets, List.of(PublishedPort.tcp("0.0.0.0", p1, t.ipA1(), HTTP)));
        NftRules two = NftRules.of(fw.table(), nets, List.of(PublishedPort.tcp("0.0.0.0", p1, t.ipA1(), HTTP),
                PublishedPort.tcp("0.0.0.0", p2, t.ipB1(), HTTP)));
        fw.apply(one);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ok = new AtomicInteger(), failed = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clients.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    if ("a1".equals(tcpGet(t.gwA(), p1))) ok.incrementAndGet();
                    else failed.incrementAndGet();
                }
            }));
        }
        for (int i = 0; i < 40; i++) fw.apply(i % 2 == 0 ? two : one);
        stop.set(true);
        for (Thread c : clients) c.join();
        assertEquals(0, failed.get(), "connections failed while the table was replaced (" + ok.get() + " succeeded)");
        assertTrue(ok.get() > 40, "only " + ok.get() + " connections");
    }

    @Test
    void removingTheTableRemovesEveryEffect() throws Exception {
        int p1 = freePort();
        fw.apply(List.of(t.networkA(false, true), t.networkB()), List.of(PublishedPort.tcp("0.0.0.0", p1, t.ipA1(), HTTP)));
        assertTrue(Commands.check("nft", "list", "tables").contains("table ip " + fw.table() + "\n"));
        assertEquals("a1", tcpGet("127.0.0.1", p1));
        assertNull(tcpGet(t.a1, t.ipB1(), HTTP));

        fw.remove();
        assertFalse(Commands.check("nft", "list", "tables").contains("table ip " + fw.table() + "\n"));
        assertTrue(fw.listJson().isEmpty());
        assertEquals("0", localnet(t.bridgeA));
        assertNull(tcpGet("127.0.0.1", p1));
        assertNull(tcpGet(t.gwA(), p1));
        assertEquals("b1", tcpGet(t.a1, t.ipB1(), HTTP));
        assertEquals("a1", tcpGet(t.outside, t.ipA1(), HTTP));
        fw.remove(); // idempotent
    }
}
