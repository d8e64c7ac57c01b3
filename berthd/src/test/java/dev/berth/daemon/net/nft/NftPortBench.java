package dev.berth.daemon.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.net.proxy.PortProxy;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Port publishing cost: kernel DNAT (the nft table) against the userland {@link PortProxy},
 * between this JVM on the host (or the "outside" namespace) and a server in a container
 * namespace. Not part of the normal suite: {@code bench/port-bench} runs it with
 * {@code -Dberth.bench=true} (root). Prints a table and writes it to
 * {@code target/port-bench.txt}.
 *
 * <p>Throughput: 1 GiB (berth.bench.mib) written through one connection, the server counts and
 * acknowledges the bytes; median of 3. Setup rate: sequential connect, read the server's
 * two-byte greeting to end of stream, close; 2000 connections after 200 warm-up. CPU is the
 * whole JVM's (client, server and proxy share it; the kernel's work for this process is
 * included, softirq work elsewhere is not).
 */
@EnabledIfSystemProperty(named = "berth.bench", matches = "true")
class NftPortBench {
    static final int SINK = 5001, HELLO = 80;
    static final long BYTES = Long.getLong("berth.bench.mib", 1024) * 1024 * 1024;
    static final int CONNS = Integer.getInteger("berth.bench.conns", 2000);

    record Path_(String name, String ns, String ip, int sinkPort, int helloPort) {}

    @Test
    void dnatVersusUserlandProxy() throws Exception {
        assumeTrue(Posix.getuid() == 0, "needs root");
        try (NetnsTopology t = NetnsTopology.create()) {
            sink(t);
            t.tcpServer(t.a1, HELLO, "a1");
            NftFirewall fw = new NftFirewall(new NftCommand("/usr/sbin/nft"), "berth_test_" + t.id, Path.of("/proc/sys/net/ipv4/conf"));
            int dSink = freePort(), dHello = freePort();
            List<PortProxy> proxies = new ArrayList<>();
            try {
                fw.apply(List.of(t.networkA(false, true), t.networkB()), List.of(
                        PublishedPort.tcp("0.0.0.0", dSink, t.ipA1(), SINK), PublishedPort.tcp("0.0.0.0", dHello, t.ipA1(), HELLO)));
                InetSocketAddress sinkTarget = new InetSocketAddress(t.ipA1(), SINK), helloTarget = new InetSocketAddress(t.ipA1(), HELLO);
                PortProxy loSink = add(proxies, PortProxy.tcp(new InetSocketAddress("127.0.0.1", 0), sinkTarget));
                PortProxy loHello = add(proxies, PortProxy.tcp(new InetSocketAddress("127.0.0.1", 0), helloTarget));
                PortProxy exSink = add(proxies, PortProxy.tcp(new InetSocketAddress(t.hostOutside(), 0), sinkTarget));
                PortProxy exHello = add(proxies, PortProxy.tcp(new InetSocketAddress(t.hostOutside(), 0), helloTarget));
                List<Path_> paths = List.of(
                        new Path_("host → container, no NAT (floor)", null, t.ipA1(), SINK, HELLO),
                        new Path_("host → gateway:port, DNAT (nat output)", null, t.gwA(), dSink, dHello),
                        new Path_("host → 127.0.0.1:port, DNAT + masquerade", null, "127.0.0.1", dSink, dHello),
                        new Path_("host → 127.0.0.1:port, PortProxy", null, "127.0.0.1", loSink.listenAddress().getPort(), loHello.listenAddress().getPort()),
                        new Path_("outside ns → host:port, DNAT (prerouting+forward)", t.outside, t.hostOutside(), dSink, dHello),
                        new Path_("outside ns → host:port, PortProxy", t.outside, t.hostOutside(), exSink.listenAddress().getPort(), exHello.listenAddress().getPort()));
                StringBuilder out = new StringBuilder();
                out.append(String.format(Locale.ROOT, "%d MiB per transfer, median of 3; %d connections; load average %s%n",
                        BYTES >> 20, CONNS, Files.readString(Path.of("/proc/loadavg")).strip()));
                out.append(String.format(Locale.ROOT, "%-52s %12s %16s %14s %16s%n", "path", "MiB/s", "CPU s per GiB", "conn/s", "CPU ms per 1000"));
                for (Path_ p : paths) {
                    double[] mibs = new double[3];
                    double cpuPerGib = 0;
                    transfer(p, 64L << 20); // warm-up
                    for (int i = 0; i < 3; i++) {
                        long cpu0 = cpuNanos(), t0 = System.nanoTime();
                        transfer(p, BYTES);
                        double s = (System.nanoTime() - t0) / 1e9;
                        mibs[i] = (BYTES >> 20) / s;
                        cpuPerGib += (cpuNanos() - cpu0) / 1e9 / (BYTES / (double) (1L << 30)) / 3;
                    }
                    Arrays.sort(mibs);
                    connections(p, 200);
                    long cpu0 = cpuNanos(), t0 = System.nanoTime();
                    connections(p, CONNS);
                    double rate = CONNS / ((System.nanoTime() - t0) / 1e9);
                    double cpuPer1000 = (cpuNanos() - cpu0) / 1e6 / (CONNS / 1000.0);
                    out.append(String.format(Locale.ROOT, "%-52s %12.0f %16.2f %14.0f %16.0f%n", p.name, mibs[1], cpuPerGib, rate, cpuPer1000));
                    System.out.print(out.substring(out.lastIndexOf("\n", out.length() - 2) + 1));
                }
                System.out.println();
                System.out.print(out);
                Files.writeString(Path.of("target/port-bench.txt"), out);
            } finally {
                for (PortProxy p : proxies) p.close();
                fw.remove();
            }
        }
    }

    static PortProxy add(List<PortProxy> l, PortProxy p) {
        l.add(p);
        return p;
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** In the container: counts each connection's bytes to end of stream, answers the count. */
    static void sink(NetnsTopology t) throws Exception {
        ServerSocketChannel s = NetnsTopology.netns(t.a1).call(() -> {
            ServerSocketChannel c = ServerSocketChannel.open();
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            return c.bind(new InetSocketAddress("0.0.0.0", SINK));
        });
        Thread.ofPlatform().daemon().start(() -> {
            while (s.isOpen()) {
                try {
                    SocketChannel c = s.accept();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (c) {
                            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                            long n = 0;
                            for (int r; (r = c.read(buf)) >= 0; buf.clear()) n += r;
                            c.write(ByteBuffer.allocate(8).putLong(0, n));
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    static void transfer(Path_ p, long bytes) throws Exception {
        Runnable r = () -> {
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress(p.ip, p.sinkPort))) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                for (long left = bytes; left > 0; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), left));
                    left -= c.write(buf);
                }
                c.shutdownOutput();
                ByteBuffer ack = ByteBuffer.allocate(8);
                while (ack.hasRemaining() && c.read(ack) >= 0) { }
                assertEquals(bytes, ack.getLong(0), p.name);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(p.name, e);
            }
        };
        run(p, r);
    }

    static void connections(Path_ p, int n) throws Exception {
        Runnable r = () -> {
            ByteBuffer buf = ByteBuffer.allocate(16);
            InetSocketAddress a = new InetSocketAddress(p.ip, p.helloPort);
            for (int i = 0; i < n; i++) {
                try (SocketChannel c = SocketChannel.open(a)) {
                    buf.clear();
                    while (c.read(buf) >= 0) { }
                    if (buf.position() != 2) throw new IllegalStateException(p.name + ": got " + buf.position() + " bytes");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(p.name + ", connection " + i, e);
                }
            }
        };
        run(p, r);
    }

    static void run(Path_ p, Runnable r) throws Exception {
        if (p.ns == null) {
            r.run();
        } else {
            NetnsTopology.netns(p.ns).run(r::run);
        }
    }
}
