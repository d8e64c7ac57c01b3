package dev.berth.daemon.net.dns;

import static dev.berth.daemon.net.dns.DnsMessage.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.net.Commands;
import dev.berth.daemon.net.NetNs;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Root only: berthd's wiring, end to end, in a fresh network namespace standing in for a
 * container's (it has loopback only, so nothing can leave the machine). The server's sockets
 * are opened inside it on 127.0.0.11, nftables in it sends port 53 there, and busybox nslookup
 * run inside it gets the answers. The only upstream is a fake one on the host's 127.0.0.1,
 * reachable because berthd forwards from the host's namespace.
 */
class DnsNetnsTest {
    private Process holder;
    private final DnsServer server = new DnsServer(new DnsServer.Options(Duration.ofMillis(500), 64, Duration.ofSeconds(2), 16));
    private final List<FakeUpstream> upstreams = new ArrayList<>();

    @AfterEach void cleanUp() throws Exception {
        server.close();
        for (FakeUpstream u : upstreams) u.close();
        if (holder != null) {
            holder.destroyForcibly();
            holder.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    @Test void busyboxInAContainerNamespaceAsks127_0_0_11() throws Exception {
        assumeTrue(Posix.getuid() == 0, "needs root");
        for (String tool : List.of("unshare", "nsenter", "ip", "nft", "busybox")) assumeTrue(onPath(tool), tool + " not installed");

        // The "container": a process in a new network namespace.
        holder = new ProcessBuilder("unshare", "--net", "sleep", "120").start();
        NetNs ns = NetNs.ofPid(holder.pid());
        String hostNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        for (int i = 0; i < 200 && Files.readSymbolicLink(ns.path()).toString().equals(hostNs); i++) Thread.sleep(10);
        assertNotEquals(hostNs, Files.readSymbolicLink(ns.path()).toString());
        String pid = Long.toString(holder.pid());
        Commands.output("nsenter", "-t", pid, "-n", "ip", "link", "set", "lo", "up");

        // berthd's part at container start: sockets inside the namespace, then the NAT rule.
        record Sockets(DatagramChannel udp, ServerSocketChannel tcp) {}
        NetNs.Task<Sockets, IOException> open = () -> {
            DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
            udp.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.11"), 0));
            ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcp.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.11"), ((InetSocketAddress) udp.getLocalAddress()).getPort()));
            return new Sockets(udp, tcp);
        };
        Sockets first = ns.call(open); // the first call pays for FFM linking and class loading
        first.udp().close();
        first.tcp().close();
        long t0 = System.nanoTime();
        Sockets sockets = ns.call(open);
        long t1 = System.nanoTime();
        int port = ((InetSocketAddress) sockets.udp().getLocalAddress()).getPort();
        String rules = """
                table ip berth_dns {
                  chain output {
                    type nat hook output priority -100; policy accept;
                    ip daddr 127.0.0.11 udp dport 53 dnat to 127.0.0.11:%1$d
                    ip daddr 127.0.0.11 tcp dport 53 dnat to 127.0.0.11:%1$d
                  }
                }
                """.formatted(port);
        String nftOut = Commands.run(rules, "nsenter", "-t", pid, "-n", "nft", "-f", "-").output();
        long t2 = System.nanoTime();
        assertEquals("", nftOut.strip());
        System.out.printf("dns netns: sockets in the namespace %.2f ms, nft rules via nsenter %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);

        NameTable table = new NameTable();
        table.connect("appnet", new NameTable.Endpoint(DnsServerTest.WEB, "web", List.of(), DnsServerTest.v4("172.18.0.2"), null));
        for (int i = 0; i < 100; i++) {
            table.connect("appnet", new NameTable.Endpoint(String.format("%012x", 0x100000 + i) + "0".repeat(52), "m" + i, List.of("many"),
                    DnsServerTest.v4("10.1.0." + (i + 1)), null));
        }
        FakeUpstream up = new FakeUpstream(q -> FakeUpstream.reply(q, NXDOMAIN, List.of()));
        upstreams.add(up);
        DnsServer.Listener l = server.serve(sockets.udp(), sockets.tcp(), table.containerResolver(DnsServerTest.WEB, List.of(up.address())));

        String a = Commands.output("nsenter", "-t", pid, "-n", "busybox", "nslookup", "-type=a", "web", "127.0.0.11");
        assertTrue(a.contains("Address: 172.18.0.2"), a);
        String ptr = Commands.output("nsenter", "-t", pid, "-n", "busybox", "nslookup", "172.18.0.2", "127.0.0.11");
        assertTrue(ptr.contains("name = web.appnet"), ptr);
        String aaaa = Commands.output("nsenter", "-t", pid, "-n", "busybox", "nslookup", "-type=aaaa", "web", "127.0.0.11");
        assertFalse(aaaa.contains("NXDOMAIN") || aaaa.contains("SERVFAIL"), aaaa);
        String nx = Commands.output("nsenter", "-t", pid, "-n", "busybox", "nslookup", "-type=a", "nosuch.test", "127.0.0.11");
        assertTrue(nx.contains("NXDOMAIN"), nx);
        assertEquals(1, up.received.size(), "forwarded to the host-loopback upstream from berthd's namespace");

        // Our client inside the namespace: UDP truncates, TCP (through the same DNAT) has it all.
        DnsMessage q = DnsMessage.query(7, "many", TYPE_A);
        InetSocketAddress embedded = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.11"), 53);
        DnsMessage viaUdp = ns.call(() -> TinyDnsClient.udp(embedded, q));
        assertTrue(viaUdp.truncated());
        DnsMessage viaTcp = ns.call(() -> TinyDnsClient.tcp(embedded, q));
        assertEquals(100, viaTcp.answers().size());

        // The socket is the container's: the host's 127.0.0.11 has nothing on that port.
        assertNull(TinyDnsClient.udpRaw(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.11"), port), null, q.encode(), 300));

        l.close();
        assertFalse(sockets.udp().isOpen());
    }
}
