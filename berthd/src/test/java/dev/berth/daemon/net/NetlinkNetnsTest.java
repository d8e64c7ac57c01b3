package dev.berth.daemon.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.net.Netlink.Address;
import dev.berth.daemon.net.Netlink.Link;
import dev.berth.daemon.net.Netlink.Route;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root only: builds a container's datapath with the library (bridge on the host, a persistent
 * namespace, a veth with its peer created inside, addresses, routes) and proves it carries
 * real packets between the bridge address and the namespace. Everything it creates is named
 * {@code bnl<4 random chars>...}, lives on a private 10.x.y.0/24 that no host route covers,
 * is removed in {@link #cleanUp} and checked for leaks ({@code ip -br link}, mountinfo).
 * Nothing touches eth0, host routes or the firewall; no packet leaves the bridge.
 */
class NetlinkNetnsTest {
    @TempDir Path tmp;

    private String id;
    private String bridge, hostVeth;
    private Inet4Address subnet, gateway, peerIp;
    private Netlink host;
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<String> hostLinks = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Posix.getuid() == 0, "needs root");
        id = "bnl" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        bridge = id + "b";
        hostVeth = id + "h";
        host = Netlink.open();
        int[] ab = freeSubnet(host);
        subnet = ip(10, ab[0], ab[1], 0);
        gateway = ip(10, ab[0], ab[1], 1);
        peerIp = ip(10, ab[0], ab[1], 2);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (host == null) return;
        List<Throwable> failures = new ArrayList<>();
        for (String l : hostLinks.reversed()) {
            try {
                if (host.findLink(l).isPresent()) host.deleteLink(l);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        for (NetNs ns : namespaces) {
            try {
                ns.delete();
            } catch (IOException e) {
                failures.add(e);
            }
        }
        host.close();
        // Nothing of ours is left: no interface, no namespace file, no mount.
        String links = Commands.output("ip", "-br", "link");
        assertFalse(links.contains(id), "leaked interfaces:\n" + links);
        for (NetNs ns : namespaces) assertFalse(Files.exists(ns.path()), "leaked " + ns.path());
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(tmp.toString()), "leaked mounts under " + tmp);
        if (!failures.isEmpty()) throw new AssertionError("cleanup failed: " + failures, failures.getFirst());
    }

    /** The whole datapath of one container, then packets both ways, then inspection. */
    @Test
    void containerDatapathCarriesPackets() throws Exception {
        long t0 = System.nanoTime();
        NetNs ns = newNetns("c1");
        long tNs = System.nanoTime();
        createBridge(1500);
        host.addAddress(bridge, gateway, 24);
        host.setUp(bridge);
        createVeth(hostVeth, "eth0", ns);
        host.setMaster(hostVeth, bridge);
        host.setUp(hostVeth);
        try (Netlink inside = Netlink.open(ns)) {
            inside.addAddress("eth0", peerIp, 24);
            inside.setUp("eth0");
            inside.loopbackUp();
            inside.addDefaultRoute(gateway);
        }
        long t1 = System.nanoTime();
        System.out.printf("netlink: one container's datapath (netns %.2f ms + bridge, veth, 2 addresses, up, route) in %.2f ms%n",
                (tNs - t0) / 1e6, (t1 - t0) / 1e6);

        // UDP: host (bridge address) -> namespace, and the answer back.
        try (DatagramSocket inNs = ns.call(() -> new DatagramSocket(new InetSocketAddress(peerIp, 0)));
                DatagramSocket onHost = new DatagramSocket(new InetSocketAddress(gateway, 0))) {
            inNs.setSoTimeout(3000);
            onHost.setSoTimeout(3000);
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            onHost.send(new DatagramPacket(ping, ping.length, new InetSocketAddress(peerIp, inNs.getLocalPort())));
            DatagramPacket got = new DatagramPacket(new byte[64], 64);
            inNs.receive(got);
            assertEquals("ping", new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII));
            assertEquals(gateway, got.getAddress());
            byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
            inNs.send(new DatagramPacket(pong, pong.length, got.getSocketAddress()));
            DatagramPacket back = new DatagramPacket(new byte[64], 64);
            onHost.receive(back);
            assertEquals("pong", new String(back.getData(), 0, back.getLength(), StandardCharsets.US_ASCII));
            assertEquals(peerIp, back.getAddress());
        }

        // TCP: the namespace connects to a server on the bridge address (the socket is created
        // and connected on the namespace thread: a Java Socket gets its fd at connect time).
        try (ServerSocket server = new ServerSocket(0, 1, gateway)) {
            server.setSoTimeout(3000);
            try (Socket client = ns.call(() -> {
                        Socket s = new Socket();
                        s.connect(new InetSocketAddress(gateway, server.getLocalPort()), 3000);
                        return s;
                    });
                    Socket accepted = server.accept()) {
                assertEquals(peerIp, accepted.getInetAddress());
                client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = accepted.getInputStream().readNBytes(5);
                assertEquals("hello", new String(buf, StandardCharsets.US_ASCII));
            }
        }

        // A separate process in the namespace (nsenter by file) reaches the bridge too.
        String ping = Commands.output("nsenter", "--net=" + ns.path(), "busybox", "ping", "-c", "1", "-W", "2", gateway.getHostAddress());
        assertTrue(ping.contains("1 packets received"), ping);

        // Inspection from both sides.
        Link br = host.link(bridge);
        Link hv = host.link(hostVeth);
        assertEquals("bridge", br.kind());
        assertTrue(br.up());
        assertEquals(1500, br.mtu());
        assertEquals("veth", hv.kind());
        assertTrue(hv.up());
        assertEquals(br.index(), hv.masterIndex());
        assertEquals(br.index(), host.linkIndex(bridge));
        assertTrue(host.links().stream().anyMatch(l -> l.name().equals(hostVeth) && l.masterIndex() == br.index()));
        assertTrue(host.links().stream().noneMatch(l -> l.name().equals("eth0") && l.kind().equals("veth")),
                "the peer must not appear on the host");
        assertEquals(List.of(new Address(br.index(), gateway, 24, ip(10, b(subnet, 1), b(subnet, 2), 255))),
                host.addresses(bridge));
        assertTrue(host.routes().contains(new Route(subnet, 24, null, br.index())), host.routes().toString());
        try (Netlink inside = Netlink.open(ns)) {
            List<Link> links = inside.links();
            assertEquals(List.of("lo", "eth0"), links.stream().map(Link::name).toList());
            assertTrue(links.stream().allMatch(Link::up));
            Link eth0 = inside.link("eth0");
            assertEquals("veth", eth0.kind());
            assertEquals(0, eth0.masterIndex());
            assertTrue(inside.routes().contains(new Route(ip(0, 0, 0, 0), 0, gateway, eth0.index())), inside.routes().toString());
            assertEquals(peerIp, inside.addresses("eth0").getFirst().address());
        }
        // The process's namespace, by pid: NetNs.host() is where the bridge is.
        try (Netlink viaPid = Netlink.open(NetNs.host())) {
            assertEquals(br.index(), viaPid.linkIndex(bridge));
        }
    }

    @Test
    void linkSettingsRenameMoveAndDelete() throws Exception {
        NetNs ns = newNetns("c2");
        createBridge(0);
        createVeth(id + "a", id + "z", null);
        hostLinks.add(id + "z");
        host.setMtu(id + "a", 1400);
        host.setMac(id + "a", "02:42:ac:11:00:99");
        Link a = host.link(id + "a");
        assertEquals(1400, a.mtu());
        assertEquals("02:42:ac:11:00:99", a.mac());
        assertFalse(a.up());

        host.setMaster(id + "a", bridge);
        assertEquals(host.linkIndex(bridge), host.link(id + "a").masterIndex());
        host.clearMaster(id + "a");
        assertEquals(0, host.link(id + "a").masterIndex());

        host.setUp(id + "a");
        assertTrue(host.link(id + "a").up());
        host.setDown(id + "a");
        assertFalse(host.link(id + "a").up());
        host.rename(id + "a", id + "r");
        hostLinks.add(id + "r");
        assertTrue(host.findLink(id + "a").isEmpty());
        assertEquals(a.index(), host.linkIndex(id + "r"));

        // Move one end into the namespace: gone from the host, present (down) inside.
        host.moveToNetns(id + "z", ns);
        assertTrue(host.findLink(id + "z").isEmpty());
        try (Netlink inside = Netlink.open(ns)) {
            Link z = inside.link(id + "z");
            assertEquals("veth", z.kind());
            assertFalse(z.up());
            // Addresses and routes inside: a subnet route via a gateway, then deleted again.
            inside.setUp(id + "z");
            inside.addAddress(id + "z", peerIp, 24);
            Inet4Address other = ip(192, 168, 77, 0);
            inside.addRoute(other, 24, gateway, null);
            assertTrue(inside.routes().contains(new Route(other, 24, gateway, z.index())), inside.routes().toString());
            NetlinkException again = assertThrows(NetlinkException.class, () -> inside.addRoute(other, 24, gateway, null));
            assertTrue(again.alreadyExists());
            inside.deleteRoute(other, 24);
            assertFalse(inside.routes().stream().anyMatch(r -> r.destination().equals(other)));
            NetlinkException hostBits = assertThrows(NetlinkException.class,
                    () -> inside.addRoute(ip(192, 168, 77, 5), 24, gateway, null));
            assertEquals(Posix.EINVAL, hostBits.errno());
            inside.deleteAddress(id + "z", peerIp, 24);
            assertEquals(List.of(), inside.addresses(id + "z"));
        }
        host.deleteLink(id + "r"); // takes its peer, inside the namespace, with it
        try (Netlink inside = Netlink.open(ns)) {
            assertEquals(List.of("lo"), inside.links().stream().map(Link::name).toList());
        }
    }

    @Test
    void refusalsBecomeClearExceptions() throws Exception {
        createBridge(0);
        NetlinkException dup = assertThrows(NetlinkException.class, () -> host.createBridge(bridge));
        assertEquals("create bridge " + bridge + ": RTNETLINK: File exists", dup.getMessage());
        assertTrue(dup.alreadyExists());

        NetlinkException missing = assertThrows(NetlinkException.class, () -> host.deleteLink(id + "x"));
        assertEquals("delete link " + id + "x: RTNETLINK: No such device", missing.getMessage());
        assertTrue(missing.notFound());
        assertTrue(host.findLink(id + "x").isEmpty());
        assertThrows(NetlinkException.class, () -> host.setMaster(bridge, id + "x"));

        host.addAddress(bridge, gateway, 24);
        NetlinkException dupAddr = assertThrows(NetlinkException.class, () -> host.addAddress(bridge, gateway, 24));
        assertTrue(dupAddr.getMessage().startsWith("add address " + gateway.getHostAddress() + "/24 to " + bridge
                + ": RTNETLINK: File exists"), dupAddr.getMessage());
        assertThrows(IllegalArgumentException.class, () -> host.setMtu(bridge, 70000));

        assertThrows(IllegalArgumentException.class, () -> host.createBridge("a-name-far-too-long"));
        UnsupportedOperationException v6 = assertThrows(UnsupportedOperationException.class,
                () -> host.addAddress(bridge, InetAddress.getByName("fd00::1"), 64));
        assertTrue(v6.getMessage().startsWith("IPv6 is not supported yet"));

        // A namespace file is never created over an existing file, and nothing is left behind.
        Path taken = Files.createFile(tmp.resolve(id + "-taken"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> NetNs.create(taken));
        IOException notNs = assertThrows(IOException.class, () -> NetNs.open(taken));
        assertEquals(taken + " is not a namespace file (not a mount)", notNs.getMessage());
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(taken.toString()));
    }

    @Test
    void namespacesAreSeparateAndSysctlsArePerNamespace() throws Exception {
        NetNs a = newNetns("a"), b = newNetns("b");
        assertNotEquals(Files.getAttribute(a.path(), "unix:ino"), Files.getAttribute(b.path(), "unix:ino"));
        // A new namespace starts with init_net's IPv4 settings (net.core.devconf_inherit_init_net
        // 0), so flip a's value and check that neither b nor the host sees the change.
        String hostForward = Sysctl.get("net.ipv4.ip_forward");
        String initial = Sysctl.get(a, "net.ipv4.ip_forward");
        String flipped = initial.equals("1") ? "0" : "1";
        Sysctl.set(a, "net.ipv4.ip_forward", flipped);
        assertEquals(flipped, Sysctl.get(a, "net.ipv4.ip_forward"));
        assertEquals(initial, Sysctl.get(b, "net.ipv4.ip_forward"));
        assertEquals(hostForward, Sysctl.get("net.ipv4.ip_forward"));

        try (Netlink inA = Netlink.open(NetNs.open(a.path()))) { // opened again by its file
            inA.loopbackUp();
            assertTrue(inA.link("lo").up());
        }
        Sysctl.set(a, Sysctl.ipv4Conf("lo", "route_localnet"), "1");
        assertEquals("1", Sysctl.get(a, Sysctl.ipv4Conf("lo", "route_localnet")));
        // Present only with br_netfilter; either way the answer is clean.
        boolean present = Files.exists(Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables"));
        if (present) assertTrue(Sysctl.setIfPresent(a, "net.bridge.bridge-nf-call-iptables", "1"));
        assertFalse(Sysctl.setIfPresent(a, "net.bridge.no-such-setting", "1"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Sysctl.set(a, "net.ipv4.no_such_setting", "1"));

        // A task's own exception comes back as is; the namespace thread is a fresh platform thread.
        IllegalStateException boom = assertThrows(IllegalStateException.class, () -> a.run(() -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals("boom", boom.getMessage());
        assertFalse(a.call(() -> Thread.currentThread().isVirtual()));
        assertNotEquals(Thread.currentThread(), a.call(Thread::currentThread));

        // A process's namespace by pid sees what the namespace file sees.
        Process sleeper = new ProcessBuilder("nsenter", "--net=" + a.path(), "sleep", "10").start();
        try {
            try (Netlink byPid = Netlink.open(waitForNetns(sleeper.pid(), a))) {
                assertEquals(List.of("lo"), byPid.links().stream().map(Link::name).toList());
            }
        } finally {
            sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        a.delete();
        a.delete(); // deleting again is fine
        assertFalse(Files.exists(a.path()));
    }

    // ---------------------------------------------------------------- helpers

    private NetNs newNetns(String name) throws IOException {
        NetNs ns = NetNs.create(tmp.resolve(id + "-" + name));
        namespaces.add(ns);
        return ns;
    }

    private void createBridge(int mtu) throws IOException {
        hostLinks.add(bridge);
        host.createBridge(bridge, mtu);
    }

    private void createVeth(String name, String peer, NetNs ns) throws IOException {
        hostLinks.add(name);
        host.createVeth(name, peer, ns);
    }

    /** nsenter joins the namespace just after it starts: wait until the pid's netns is ours. */
    private static NetNs waitForNetns(long pid, NetNs want) throws Exception {
        NetNs byPid = NetNs.ofPid(pid);
        Object ino = Files.getAttribute(want.path(), "unix:ino");
        for (int i = 0; i < 200; i++) {
            if (ino.equals(Files.getAttribute(byPid.path(), "unix:ino"))) return byPid;
            Thread.sleep(5);
        }
        throw new AssertionError("process " + pid + " never joined " + want);
    }

    /** A 10.a.b.0/24 that no host route overlaps, so test packets can only go to our bridge. */
    static int[] freeSubnet(Netlink host) throws IOException {
        List<Route> routes = host.routes();
        for (int attempt = 0; attempt < 100; attempt++) {
            int a = 200 + ThreadLocalRandom.current().nextInt(50), b = ThreadLocalRandom.current().nextInt(256);
            long net = ((10L << 24) | (a << 16) | (b << 8));
            boolean clash = routes.stream().filter(r -> !r.isDefault()).anyMatch(r -> {
                long rnet = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(r.destination().getAddress()).getInt());
                int len = Math.min(r.prefixLength(), 24);
                long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
                return (rnet & mask) == (net & mask);
            });
            if (!clash) return new int[] {a, b};
        }
        throw new IllegalStateException("no free 10.x.y.0/24");
    }

    static Inet4Address ip(int a, int b, int c, int d) throws IOException {
        return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    private static int b(Inet4Address a, int i) {
        return Byte.toUnsignedInt(a.getAddress()[i]);
    }
}
