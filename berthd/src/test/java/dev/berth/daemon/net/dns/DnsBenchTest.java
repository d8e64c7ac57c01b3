package dev.berth.daemon.net.dns;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Queries per second on loopback: {@code -Ddns.bench=true} runs it (skipped otherwise). Each
 * client thread keeps a window of queries outstanding on its own UDP socket.
 */
class DnsBenchTest {
    static final int SECONDS = Integer.getInteger("dns.bench.seconds", 5);

    @Test void queriesPerSecondOnLoopback() throws Exception {
        assumeTrue(Boolean.getBoolean("dns.bench"), "benchmark: -Ddns.bench=true");
        NameTable table = new NameTable();
        String id = "0123456789ab" + "0".repeat(52);
        table.connect("appnet", new NameTable.Endpoint(id, "web", List.of(), (Inet4Address) InetAddress.ofLiteral("172.18.0.2"), null));
        for (int i = 0; i < 200; i++) {
            table.connect("appnet", new NameTable.Endpoint(String.format("%012x", 0x100000 + i) + "0".repeat(52), "c" + i, List.of(),
                    (Inet4Address) InetAddress.ofLiteral("172.18." + (1 + i / 250) + "." + (i % 250 + 1)), null));
        }
        Resolver resolver = table.containerResolver(id, List.of());
        try (DnsServer server = new DnsServer()) {
            InetSocketAddress s = server.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), resolver).address();

            // In-process: parse, look up, encode, no sockets.
            byte[] q = DnsMessage.query(1, "c17.appnet", DnsMessage.TYPE_A).encode();
            long n = 0, t0 = System.nanoTime(), end = t0 + SECONDS * 1_000_000_000L;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) assertNotNull(server.prepare(q, InetAddress.getLoopbackAddress(), false, resolver).reply());
                n += 1000;
            }
            System.out.printf("dns bench: in-process prepare: %.0f queries/s%n", n / ((System.nanoTime() - t0) / 1e9));

            for (int clients : new int[]{1, 2, 4}) {
                for (int window : new int[]{1, 16}) {
                    System.out.printf("dns bench: UDP, %d client thread(s), window %d: %.0f queries/s%n", clients, window, udp(s, clients, window));
                }
            }
        }
    }

    private static double udp(InetSocketAddress server, int clients, int window) throws Exception {
        AtomicLong answered = new AtomicLong();
        long t0 = System.nanoTime(), end = t0 + SECONDS * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int cc = c;
            threads.add(Thread.ofPlatform().start(() -> {
                try (DatagramSocket sock = new DatagramSocket()) {
                    sock.connect(server);
                    sock.setSoTimeout(500);
                    byte[][] queries = new byte[200][];
                    for (int i = 0; i < 200; i++) queries[i] = DnsMessage.query(i, "c" + i, DnsMessage.TYPE_A).encode();
                    int next = cc;
                    for (int w = 0; w < window; w++, next++) sock.send(new DatagramPacket(queries[next % 200], queries[next % 200].length));
                    byte[] buf = new byte[512];
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    long local = 0;
                    while (System.nanoTime() < end) {
                        try {
                            sock.receive(p);
                            if ((buf[3] & 0xf) == 0 && buf[7] == 1) local++;
                        } catch (SocketTimeoutException e) {
                            // a lost datagram: send another to keep the window full
                        }
                        byte[] qq = queries[next++ % 200];
                        sock.send(new DatagramPacket(qq, qq.length));
                    }
                    answered.addAndGet(local);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        return answered.get() / ((System.nanoTime() - t0) / 1e9);
    }
}
