package dev.berth.daemon.net.dns;

import static dev.berth.daemon.net.dns.DnsMessage.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.DataInputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server on 127.0.0.1:<free port>, asked by {@link TinyDnsClient}. The only upstreams are
 * {@link FakeUpstream}s on 127.0.0.1: nothing leaves the machine.
 */
class DnsServerTest {
    static final String WEB = "aaaaaaaaaaaa" + "0".repeat(52), DB = "bbbbbbbbbbbb" + "0".repeat(52),
            API1 = "cccccccccccc" + "0".repeat(52), API2 = "dddddddddddd" + "0".repeat(52),
            SECRET = "eeeeeeeeeeee" + "0".repeat(52), BOTH = "ffffffffffff" + "0".repeat(52);

    final NameTable table = new NameTable();
    final DnsServer server = new DnsServer(new DnsServer.Options(Duration.ofMillis(300), 1024, Duration.ofSeconds(2), 64));
    final List<FakeUpstream> upstreams = new ArrayList<>();

    static Inet4Address v4(String s) { return (Inet4Address) InetAddress.ofLiteral(s); }

    @BeforeEach void names() {
        table.connect("appnet", new NameTable.Endpoint(WEB, "web", List.of("www"), v4("172.18.0.2"), (Inet6Address) InetAddress.ofLiteral("fd00::2")));
        table.connect("appnet", new NameTable.Endpoint(DB, "db", List.of(), v4("172.18.0.3"), null));
        table.connect("appnet", new NameTable.Endpoint(API1, "api-1", List.of("api"), v4("172.18.0.4"), null));
        table.connect("appnet", new NameTable.Endpoint(API2, "api-2", List.of("api"), v4("172.18.0.5"), null));
        table.connect("other", new NameTable.Endpoint(SECRET, "secret", List.of(), v4("172.19.0.2"), null));
        table.connect("other", new NameTable.Endpoint(BOTH, "both", List.of(), v4("172.19.0.3"), null));
        table.connect("appnet", new NameTable.Endpoint(BOTH, "both", List.of(), v4("172.18.0.9"), null));
        List<NameTable.Endpoint> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = String.format("%012x", 0x100000 + i) + "0".repeat(52);
            table.connect("appnet", new NameTable.Endpoint(id, "many-" + i, List.of("many"), v4("10.1." + i / 250 + "." + (i % 250 + 1)), null));
        }
    }

    @AfterEach void close() throws Exception {
        server.close();
        for (FakeUpstream u : upstreams) u.close();
    }

    FakeUpstream upstream(java.util.function.Function<DnsMessage, byte[]> answer) throws Exception {
        FakeUpstream u = new FakeUpstream(answer);
        upstreams.add(u);
        return u;
    }

    InetSocketAddress start(String container, List<InetSocketAddress> up) throws Exception {
        return server.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), table.containerResolver(container, up)).address();
    }

    static Set<String> addresses(DnsMessage m) {
        return m.answers().stream().map(r -> r.address().getHostAddress()).collect(Collectors.toSet());
    }

    @Test void answersContainerNamesAliasesAndShortIds() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        for (String name : List.of("db", "DB", "db.", "bbbbbbbbbbbb", "db.appnet", "Db.AppNet.")) {
            DnsMessage q = DnsMessage.query(TinyDnsClient.newId(), name, TYPE_A);
            DnsMessage a = TinyDnsClient.udp(s, q);
            assertEquals(NOERROR, a.rcode(), name);
            assertEquals(Set.of("172.18.0.3"), addresses(a), name);
            assertTrue(a.isResponse());
            assertTrue(a.recursionAvailable(), "Docker sets RA");
            assertTrue(a.recursionDesired(), "RD is echoed");
            assertFalse(a.authoritative(), "Docker does not set AA");
            ResourceRecord rr = a.answers().getFirst();
            assertEquals(600, rr.ttl());
            assertEquals(q.questions().getFirst(), a.questions().getFirst(), "the question comes back as asked, case and all");
            assertEquals(stripTrailingDot(name), rr.name(), "the owner name is the name as asked");
        }
        assertEquals(Set.of("172.18.0.2"), addresses(TinyDnsClient.udp(s, DnsMessage.query(1, "www", TYPE_A))));
        assertEquals(Set.of("172.18.0.4", "172.18.0.5"), addresses(TinyDnsClient.udp(s, DnsMessage.query(2, "api", TYPE_A))));
    }

    @Test void severalAddressesComeInRandomOrder() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 40; i++) firsts.add(TinyDnsClient.udp(s, DnsMessage.query(i, "api", TYPE_A)).answers().getFirst().address().getHostAddress());
        assertEquals(Set.of("172.18.0.4", "172.18.0.5"), firsts);
    }

    @Test void aaaaForAnIpv4OnlyNameIsEmptyNoerrorAndMxToo() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        DnsMessage a = TinyDnsClient.udp(s, DnsMessage.query(5, "db", TYPE_AAAA));
        assertEquals(NOERROR, a.rcode());
        assertTrue(a.answers().isEmpty());
        assertTrue(a.recursionAvailable());
        DnsMessage six = TinyDnsClient.udp(s, DnsMessage.query(6, "web", TYPE_AAAA));
        assertEquals(Set.of("fd00:0:0:0:0:0:0:2"), addresses(six));
        DnsMessage mx = TinyDnsClient.udp(s, DnsMessage.query(7, "web", TYPE_MX));
        assertEquals(NOERROR, mx.rcode());
        assertTrue(mx.answers().isEmpty());
    }

    @Test void ptrGivesNameDotNetwork() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        DnsMessage a = TinyDnsClient.udp(s, DnsMessage.query(8, "3.0.18.172.in-addr.arpa", TYPE_PTR));
        assertEquals(NOERROR, a.rcode());
        assertEquals("db.appnet", a.answers().getFirst().target());
        assertEquals(600, a.answers().getFirst().ttl());
        String v6 = "2.0.0.0." + "0.0.0.0.".repeat(6) + "0.0.d.f.ip6.arpa";
        assertEquals("web.appnet", TinyDnsClient.udp(s, DnsMessage.query(9, v6, TYPE_PTR)).answers().getFirst().target());
        // Not ours: no upstream, so SERVFAIL (an address on a network web is not on included).
        assertEquals(SERVFAIL, TinyDnsClient.udp(s, DnsMessage.query(10, "2.0.19.172.in-addr.arpa", TYPE_PTR)).rcode());
    }

    @Test void reverseNamesParseStrictly() {
        assertEquals("1.2.3.4", DnsServer.reverseName("4.3.2.1.in-addr.arpa").getHostAddress());
        assertNull(DnsServer.reverseName("3.2.1.in-addr.arpa"));
        assertNull(DnsServer.reverseName("256.3.2.1.in-addr.arpa"));
        assertNull(DnsServer.reverseName("04.3.2.1.in-addr.arpa"));
        assertNull(DnsServer.reverseName("x.3.2.1.in-addr.arpa"));
        assertNull(DnsServer.reverseName("1.2.ip6.arpa"));
        assertNull(DnsServer.reverseName("web"));
    }

    @Test void onlyNamesOnTheContainersNetworksAreSeen() throws Exception {
        InetSocketAddress web = start(WEB, List.of());
        for (String hidden : List.of("secret", "secret.other", "eeeeeeeeeeee")) {
            DnsMessage a = TinyDnsClient.udp(web, DnsMessage.query(11, hidden, TYPE_A));
            assertEquals(SERVFAIL, a.rcode(), hidden + ": not ours, and no upstream to ask");
            assertFalse(a.recursionAvailable(), "Docker's SERVFAIL has no RA");
        }
        InetSocketAddress both = start(BOTH, List.of());
        assertEquals(Set.of("172.19.0.2"), addresses(TinyDnsClient.udp(both, DnsMessage.query(12, "secret", TYPE_A))));
        assertEquals(Set.of("172.18.0.3"), addresses(TinyDnsClient.udp(both, DnsMessage.query(13, "db", TYPE_A))));
        // Its own name: the first network connected (other) answers first.
        assertEquals(Set.of("172.19.0.3"), addresses(TinyDnsClient.udp(both, DnsMessage.query(14, "both", TYPE_A))));
        assertEquals(Set.of("172.18.0.9"), addresses(TinyDnsClient.udp(both, DnsMessage.query(15, "both.appnet", TYPE_A))));
        // network connect/disconnect shows at the next query: no rewiring.
        table.disconnect("other", BOTH);
        assertEquals(SERVFAIL, TinyDnsClient.udp(both, DnsMessage.query(16, "secret", TYPE_A)).rcode());
        table.connect("other", new NameTable.Endpoint(WEB, "web", List.of(), v4("172.19.0.7"), null));
        assertEquals(Set.of("172.19.0.2"), addresses(TinyDnsClient.udp(web, DnsMessage.query(17, "secret", TYPE_A))));
    }

    @Test void unknownNamesAreForwardedAndTheAnswerComesBackAsSent() throws Exception {
        FakeUpstream up = upstream(q -> {
            byte[] b = FakeUpstream.reply(q, NXDOMAIN, List.of());
            b[2] |= 0x04; // AA, as an authoritative upstream would send it
            return b;
        });
        InetSocketAddress s = start(WEB, List.of(up.address()));
        DnsMessage q = DnsMessage.query(0x4242, "nosuch.example", TYPE_A).withEdns(1232);
        DnsMessage a = TinyDnsClient.udp(s, q);
        assertEquals(NXDOMAIN, a.rcode());
        assertTrue(a.authoritative(), "the upstream's flags reach the client");
        assertEquals(1, up.received.size());
        assertArrayEquals(q.encode(), up.received.getFirst().raw(), "the query goes upstream byte for byte");
        assertFalse(up.received.getFirst().tcp());
        // Other types for known names, and other classes, go upstream too (Docker forwards them).
        TinyDnsClient.udp(s, DnsMessage.query(1, "web", TYPE_TXT));
        TinyDnsClient.udp(s, new DnsMessage(2, FLAG_RD, List.of(new Question("version.bind", TYPE_TXT, 3)), List.of(), List.of(), List.of(), 0));
        assertEquals(3, up.received.size());
        // A short name with a search domain appended is not ours either (Docker forwards it too):
        // with ndots:0 the client asked "web" as it is first, and got it from us.
        assertEquals(NXDOMAIN, TinyDnsClient.udp(s, DnsMessage.query(3, "web.corp.example", TYPE_A)).rcode());
        assertEquals(4, up.received.size());
    }

    @Test void servfailAndSilenceMoveOnToTheNextUpstream() throws Exception {
        FakeUpstream failing = upstream(q -> FakeUpstream.reply(q, SERVFAIL, List.of()));
        FakeUpstream silent = upstream(q -> null);
        FakeUpstream good = upstream(q -> FakeUpstream.reply(q, NOERROR, List.of(ResourceRecord.a(q.questions().getFirst().name(), v4("192.0.2.1"), 30))));
        InetSocketAddress s = start(WEB, List.of(failing.address(), silent.address(), good.address()));
        long t0 = System.nanoTime();
        DnsMessage a = TinyDnsClient.udp(s, DnsMessage.query(21, "example.test", TYPE_A));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Set.of("192.0.2.1"), addresses(a));
        assertEquals(30, a.answers().getFirst().ttl());
        assertTrue(ms >= 250 && ms < 2000, "waited for the silent one's 300 ms timeout: " + ms);
        assertEquals(1, failing.received.size());
        assertEquals(1, silent.received.size());
    }

    @Test void noUsableUpstreamIsServfailAndAtMostThreeAreTried() throws Exception {
        List<FakeUpstream> ups = new ArrayList<>();
        for (int i = 0; i < 4; i++) ups.add(upstream(q -> FakeUpstream.reply(q, REFUSED, List.of())));
        InetSocketAddress s = start(WEB, ups.stream().map(FakeUpstream::address).toList());
        DnsMessage a = TinyDnsClient.udp(s, DnsMessage.query(22, "example.test", TYPE_A));
        assertEquals(SERVFAIL, a.rcode());
        assertEquals(List.of(1, 1, 1, 0), ups.stream().map(u -> u.received.size()).toList());
    }

    @Test void aMismatchedUpstreamAnswerIsIgnored() throws Exception {
        FakeUpstream liar = upstream(q -> {
            byte[] b = FakeUpstream.reply(q, NOERROR, List.of(ResourceRecord.a("evil.test", v4("192.0.2.66"), 30)));
            b[0] ^= 0x55; // another ID
            return b;
        });
        InetSocketAddress s = start(WEB, List.of(liar.address()));
        assertEquals(SERVFAIL, TinyDnsClient.udp(s, DnsMessage.query(23, "example.test", TYPE_A)).rcode());
    }

    @Test void largeAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        DnsMessage q = DnsMessage.query(31, "many", TYPE_A);
        byte[] raw = TinyDnsClient.udpRaw(s, null, q.encode(), 3000);
        assertTrue(raw.length <= 512, "UDP answer fits 512 bytes: " + raw.length);
        DnsMessage udp = DnsMessage.parse(raw);
        assertTrue(udp.truncated());
        assertTrue(udp.answers().size() < 100);
        DnsMessage tcp = TinyDnsClient.tcp(s, q);
        assertFalse(tcp.truncated());
        assertEquals(100, tcp.answers().size());
        assertEquals(100, TinyDnsClient.ask(s, q).answers().size(), "a stub retries over TCP");
        // An EDNS client that accepts 4096 bytes gets it all over UDP.
        DnsMessage edns = TinyDnsClient.udp(s, q.withEdns(4096));
        assertFalse(edns.truncated());
        assertEquals(100, edns.answers().size());
    }

    @Test void forwardedTcpQueriesGoUpstreamOverTcpAndBigUdpAnswersAreCut() throws Exception {
        List<ResourceRecord> big = new ArrayList<>();
        for (int i = 0; i < 60; i++) big.add(ResourceRecord.a("big.test", v4("192.0.2." + (i + 1)), 30));
        FakeUpstream up = upstream(q -> FakeUpstream.reply(q, NOERROR, big));
        InetSocketAddress s = start(WEB, List.of(up.address()));
        DnsMessage q = DnsMessage.query(41, "big.test", TYPE_A);
        DnsMessage udp = TinyDnsClient.udp(s, q);
        assertTrue(udp.truncated(), "60 records do not fit 512 bytes");
        assertTrue(udp.answers().isEmpty(), "only the header and question are kept");
        assertEquals(q.questions(), udp.questions());
        DnsMessage tcp = TinyDnsClient.tcp(s, q);
        assertEquals(60, tcp.answers().size());
        assertTrue(up.received.getLast().tcp(), "a TCP query is forwarded over TCP");
    }

    @Test void tcpConnectionsCarrySeveralQueries() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        try (Socket sock = new Socket()) {
            sock.connect(s, 2000);
            sock.setSoTimeout(2000);
            TinyDnsClient.write(sock.getOutputStream(), DnsMessage.query(51, "db", TYPE_A).encode());
            TinyDnsClient.write(sock.getOutputStream(), DnsMessage.query(52, "web", TYPE_A).encode());
            DataInputStream in = new DataInputStream(sock.getInputStream());
            DnsMessage a1 = DnsMessage.parse(TinyDnsClient.read(in)), a2 = DnsMessage.parse(TinyDnsClient.read(in));
            assertEquals(51, a1.id());
            assertEquals(Set.of("172.18.0.3"), addresses(a1));
            assertEquals(52, a2.id());
            assertEquals(Set.of("172.18.0.2"), addresses(a2));
        }
    }

    @Test void malformedQueriesGetFormerrAndNonQueriesNothing() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'e'};
        DnsMessage a = DnsMessage.parse(TinyDnsClient.udpRaw(s, null, garbage, 2000));
        assertEquals(0x1234, a.id());
        assertEquals(FORMERR, a.rcode());
        assertNull(TinyDnsClient.udpRaw(s, null, new byte[]{1, 2, 3}, 300), "shorter than a header: dropped");
        byte[] response = DnsMessage.reply(DnsMessage.query(5, "db", TYPE_A), NOERROR, true, List.of()).encode();
        assertNull(TinyDnsClient.udpRaw(s, null, response, 300), "an answer is never answered");
        DnsMessage two = new DnsMessage(6, FLAG_RD, List.of(new Question("db", TYPE_A, CLASS_IN), new Question("web", TYPE_A, CLASS_IN)), List.of(), List.of(), List.of(), 0);
        assertEquals(FORMERR, TinyDnsClient.udp(s, two).rcode());
        DnsMessage status = new DnsMessage(7, 2 << 11, List.of(new Question("db", TYPE_A, CLASS_IN)), List.of(), List.of(), List.of(), 0);
        assertEquals(NOTIMP, TinyDnsClient.udp(s, status).rcode());
        // The server still answers after all that.
        assertEquals(Set.of("172.18.0.3"), addresses(TinyDnsClient.udp(s, DnsMessage.query(8, "db", TYPE_A))));
    }

    @Test void randomPacketsNeverBreakTheServer() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        Random rnd = new Random(3);
        byte[] seed = DnsMessage.query(9, "db.appnet", TYPE_A).withEdns(1232).encode();
        Resolver r = table.containerResolver(WEB, List.of());
        for (int i = 0; i < 100_000; i++) {
            byte[] b = seed.clone();
            for (int e = 0; e < 3; e++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            DnsServer.Pending p = server.prepare(b, InetAddress.getLoopbackAddress(), false, r);
            if (p != null && p.reply() != null) DnsMessage.parse(p.reply()); // whatever it says parses
        }
        assertEquals(Set.of("172.18.0.3"), addresses(TinyDnsClient.udp(s, DnsMessage.query(8, "db", TYPE_A))));
    }

    @Test void concurrentQueries() throws Exception {
        InetSocketAddress s = start(WEB, List.of());
        AtomicInteger ok = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String name = switch ((tt + i) % 3) { case 0 -> "db"; case 1 -> "web"; default -> "api"; };
                        DnsMessage a = tt % 2 == 0 ? TinyDnsClient.udp(s, DnsMessage.query(i, name, TYPE_A)) : TinyDnsClient.tcp(s, DnsMessage.query(i, name, TYPE_A));
                        assertEquals(i, a.id());
                        assertEquals(name.equals("api") ? 2 : 1, a.answers().size());
                        ok.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        assertEquals(2400, ok.get());
    }

    @Test void forwardedQueriesDoNotHoldUpLocalOnes() throws Exception {
        FakeUpstream silent = upstream(q -> null);
        InetSocketAddress s = start(WEB, List.of(silent.address()));
        Thread slow = Thread.ofVirtual().start(() -> {
            try {
                TinyDnsClient.udp(s, DnsMessage.query(61, "slow.test", TYPE_A));
            } catch (Exception e) {
                // SERVFAIL after the timeout; not what this test looks at
            }
        });
        Thread.sleep(50);
        long t0 = System.nanoTime();
        assertEquals(Set.of("172.18.0.3"), addresses(TinyDnsClient.udp(s, DnsMessage.query(62, "db", TYPE_A))));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 200, "a local answer does not wait for a forward");
        slow.join();
    }

    @Test void servesAChannelOpenedElsewhere() throws Exception {
        DatagramChannel udp = DatagramChannel.open();
        udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DnsServer.Listener l = server.serve(udp, null, table.containerResolver(WEB, List.of()));
        assertEquals(Set.of("172.18.0.3"), addresses(TinyDnsClient.udp(l.address(), DnsMessage.query(71, "db", TYPE_A))));
        l.close();
        assertFalse(udp.isOpen(), "the listener owns the channel");
        assertNull(TinyDnsClient.udpRaw(l.address(), null, DnsMessage.query(72, "db", TYPE_A).encode(), 300));
    }

    @Test void aNetworkWideListenerKnowsClientsBySourceAddress() throws Exception {
        // Wiring (b): one socket per network; the source address says which container asks.
        String c1 = "123456789abc" + "0".repeat(52);
        table.connect("lonet", new NameTable.Endpoint(c1, "client1", List.of(), v4("127.0.0.2"), null));
        table.connect("other", new NameTable.Endpoint(c1, "client1", List.of(), v4("172.19.0.50"), null));
        FakeUpstream up = upstream(q -> FakeUpstream.reply(q, NXDOMAIN, List.of()));
        InetSocketAddress s = server.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                table.networkResolver("lonet", List.of(up.address()))).address();
        byte[] q = DnsMessage.query(81, "secret", TYPE_A).encode();
        DnsMessage known = DnsMessage.parse(TinyDnsClient.udpRaw(s, InetAddress.ofLiteral("127.0.0.2"), q, 2000));
        assertEquals(Set.of("172.19.0.2"), addresses(known), "client1 sees all its networks");
        DnsMessage stranger = DnsMessage.parse(TinyDnsClient.udpRaw(s, InetAddress.ofLiteral("127.0.0.3"), q, 2000));
        assertEquals(SERVFAIL, stranger.rcode(), "an unknown source gets no names and no forwarding");
        assertTrue(up.received.isEmpty());
    }
}
