package dev.berth.daemon.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root and {@code -Dnetlink.bench=true} only: the datapath of one container (netns, bridge with
 * its address, veth with the peer in the namespace, both addresses, links up, loopback, default
 * route) built and removed through the library, and the same through {@code ip} commands (11
 * processes to build, 3 to remove), alternating, on a private subnet; prints the figures.
 *
 * <pre>mvn -pl berth-api,berthd test -Dtest=NetlinkBenchTest -Dnetlink.bench=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class NetlinkBenchTest {
    private static final int WARMUP = 3, ROUNDS = 20;

    @TempDir Path tmp;

    @Test
    void libraryVersusIpCommands() throws Exception {
        assumeTrue(Boolean.getBoolean("netlink.bench"), "set -Dnetlink.bench=true");
        assumeTrue(Posix.getuid() == 0, "needs root");
        String id = "bnl" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        try (Netlink host = Netlink.open()) {
            int[] ab = NetlinkNetnsTest.freeSubnet(host);
            Inet4Address gw = NetlinkNetnsTest.ip(10, ab[0], ab[1], 1), peer = NetlinkNetnsTest.ip(10, ab[0], ab[1], 2);
            List<double[]> lib = new ArrayList<>(), ip = new ArrayList<>();
            double libFirst = 0;
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                double[] l = library(host, id, i, gw, peer);
                double[] c = ipCommands(id, i, gw, peer);
                if (i == 0) libFirst = l[0];
                if (i >= WARMUP) {
                    lib.add(l);
                    ip.add(c);
                }
            }
            System.out.printf("netlink bench, one container's datapath, %d rounds after %d warm-up (ms, median / mean):%n",
                    ROUNDS, WARMUP);
            System.out.printf("  library      build %6.2f / %6.2f   remove %6.2f / %6.2f   (first build, cold JVM: %.2f)%n",
                    median(lib, 0), mean(lib, 0), median(lib, 1), mean(lib, 1), libFirst);
            System.out.printf("               remove = veth %.2f + bridge %.2f + netns file %.2f (medians; link deletion waits for RCU in the kernel)%n",
                    median(lib, 2), median(lib, 3), median(lib, 4));
            System.out.printf("  ip commands  build %6.2f / %6.2f   remove %6.2f / %6.2f%n",
                    median(ip, 0), mean(ip, 0), median(ip, 1), mean(ip, 1));
        } finally {
            String links = Commands.output("ip", "-br", "link");
            for (String line : links.lines().toList()) {
                if (line.startsWith(id)) Commands.output("ip", "link", "del", line.split("[ @]")[0]);
            }
            for (String n : Commands.output("ip", "netns", "list").lines().toList()) {
                if (n.startsWith(id)) Commands.output("ip", "netns", "del", n.split(" ")[0]);
            }
            assertFalse(Commands.output("ip", "-br", "link").contains(id));
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(id));
        }
    }

    /** {build ms, remove ms} through the library. */
    private double[] library(Netlink host, String id, int round, Inet4Address gw, Inet4Address peer) throws IOException {
        String bridge = id + "b", veth = id + "h";
        long t0 = System.nanoTime();
        NetNs ns = NetNs.create(tmp.resolve(id + "-" + round));
        host.createBridge(bridge);
        host.addAddress(bridge, gw, 24);
        host.setUp(bridge);
        host.createVeth(veth, "eth0", ns);
        host.setMaster(veth, bridge);
        host.setUp(veth);
        try (Netlink inside = Netlink.open(ns)) {
            inside.addAddress("eth0", peer, 24);
            inside.setUp("eth0");
            inside.loopbackUp();
            inside.addDefaultRoute(gw);
        }
        long t1 = System.nanoTime();
        host.deleteLink(veth);
        long tv = System.nanoTime();
        host.deleteLink(bridge);
        long tb = System.nanoTime();
        ns.delete();
        long t2 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (tv - t1) / 1e6, (tb - tv) / 1e6, (t2 - tb) / 1e6};
    }

    /** {build ms, remove ms} through ip(8), one process per step as a shell script would. */
    private double[] ipCommands(String id, int round, Inet4Address gw, Inet4Address peer) throws Exception {
        String bridge = id + "b", veth = id + "h", ns = id + "n" + round;
        String g = gw.getHostAddress() + "/24", p = peer.getHostAddress() + "/24";
        long t0 = System.nanoTime();
        ip("netns", "add", ns);
        ip("link", "add", bridge, "type", "bridge");
        ip("addr", "add", g, "brd", "+", "dev", bridge);
        ip("link", "set", bridge, "up");
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("link", "set", veth, "master", bridge);
        ip("link", "set", veth, "up");
        ip("-n", ns, "addr", "add", p, "brd", "+", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "route", "add", "default", "via", gw.getHostAddress());
        long t1 = System.nanoTime();
        ip("link", "del", veth);
        ip("link", "del", bridge);
        ip("netns", "del", ns);
        long t2 = System.nanoTime();
        return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6};
    }

    private static void ip(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Commands.Result r = Commands.run(null, cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.output());
    }

    private static double median(List<double[]> xs, int i) {
        double[] v = xs.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double mean(List<double[]> xs, int i) {
        return Arrays.stream(xs.stream().mapToDouble(x -> x[i]).toArray()).average().orElse(0);
    }
}
