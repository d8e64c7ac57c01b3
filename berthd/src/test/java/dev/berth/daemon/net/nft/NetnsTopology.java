package dev.berth.daemon.net.nft;

import static dev.berth.daemon.net.Commands.check;

import dev.berth.daemon.net.Commands;
import dev.berth.daemon.net.NetNs;
import dev.berth.daemon.net.Subnet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throw-away test network on this host (root only), every name unique to one run:
 * <pre>
 *   bridge bt&lt;id&gt;a 10.X.1.1/24: netns bt&lt;id&gt;a1 (.2), bt&lt;id&gt;a2 (.3), bt&lt;id&gt;z (.4)
 *   bridge bt&lt;id&gt;b 10.X.2.1/24: netns bt&lt;id&gt;b1 (.2)
 *   veth bt&lt;id&gt;xh 10.X.3.1/24 ─ netns bt&lt;id&gt;x 10.X.3.2 ("outside": a client arriving on a
 *        non-bridge interface, and somewhere to route out to; it routes 10.X/16 back via the host)
 * </pre>
 * X is chosen so that no route of the host touches 10.X.0.0/16. A guard table
 * ({@code berth_test_<id>_guard}) drops forwarded traffic towards the host's uplink (the
 * default route's interface), so nothing the test sends can leave the machine. Setup uses the
 * {@code ip} command; {@link #close} removes everything it created.
 */
final class NetnsTopology implements AutoCloseable {
    final String id;
    final int x;
    final String bridgeA, bridgeB, a1, a2, z, b1, outside, guardTable, uplink;
    private final List<String> created = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();

    private NetnsTopology(String id, int x, String uplink) {
        this.id = id;
        this.x = x;
        this.uplink = uplink;
        bridgeA = "bt" + id + "a";
        bridgeB = "bt" + id + "b";
        a1 = "bt" + id + "a1";
        a2 = "bt" + id + "a2";
        z = "bt" + id + "z";
        b1 = "bt" + id + "b1";
        outside = "bt" + id + "x";
        guardTable = "berth_test_" + id + "_guard";
    }

    String ip(int subnet, int host) { return "10." + x + "." + subnet + "." + host; }
    String gwA() { return ip(1, 1); }
    String gwB() { return ip(2, 1); }
    String hostOutside() { return ip(3, 1); }
    String ipA1() { return ip(1, 2); }
    String ipA2() { return ip(1, 3); }
    String ipB1() { return ip(2, 2); }
    String ipOutside() { return ip(3, 2); }

    BridgeNetwork networkA(boolean internal, boolean icc) {
        return new BridgeNetwork(bridgeA, Subnet.parse(ip(1, 0) + "/24"), Subnet.parseInet4(gwA()), internal, icc, false);
    }

    BridgeNetwork networkB() {
        return new BridgeNetwork(bridgeB, Subnet.parse(ip(2, 0) + "/24"), Subnet.parseInet4(gwB()), false, true, false);
    }

    static NetnsTopology create() throws Exception {
        String routes = check("ip", "-4", "route", "show", "table", "all");
        SecureRandom rnd = new SecureRandom();
        int x = -1;
        for (int i = 0; i < 50 && x < 0; i++) {
            int c = 100 + rnd.nextInt(150);
            if (!routes.contains("10." + c + ".")) x = c;
        }
        if (x < 0) throw new IllegalStateException("no free 10.X.0.0/16 for the test network");
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 5; i++) id.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(rnd.nextInt(36)));
        Matcher m = Pattern.compile("^default .*?dev (\\S+)", Pattern.MULTILINE).matcher(check("ip", "-4", "route", "show", "default"));
        NetnsTopology t = new NetnsTopology(id.toString(), x, m.find() ? m.group(1) : null);
        try {
            t.build();
        } catch (Exception e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void build() throws IOException {
        // the guard comes first: from here on, forwarded traffic cannot reach the uplink
        String guard = "table ip " + guardTable + " {\n\tchain forward {\n\t\ttype filter hook forward priority -10; policy accept;\n"
                + (uplink == null ? "" : "\t\toifname \"" + uplink + "\" drop\n") + "\t}\n}\n";
        created.add("table " + guardTable);
        nft(guard);
        for (String br : List.of(bridgeA, bridgeB)) {
            created.add("link " + br);
            check("ip", "link", "add", br, "type", "bridge");
            check("ip", "link", "set", br, "up");
        }
        check("ip", "addr", "add", gwA() + "/24", "dev", bridgeA);
        check("ip", "addr", "add", gwB() + "/24", "dev", bridgeB);
        container(a1, bridgeA, ipA1(), gwA());
        container(a2, bridgeA, ipA2(), gwA());
        container(z, bridgeA, ip(1, 4), gwA());
        container(b1, bridgeB, ipB1(), gwB());
        created.add("netns " + outside);
        check("ip", "netns", "add", outside);
        check("ip", "-n", outside, "link", "set", "lo", "up");
        String hostEnd = outside + "h";
        check("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", outside);
        check("ip", "addr", "add", hostOutside() + "/24", "dev", hostEnd);
        check("ip", "link", "set", hostEnd, "up");
        check("ip", "-n", outside, "addr", "add", ipOutside() + "/24", "dev", "eth0");
        check("ip", "-n", outside, "link", "set", "eth0", "up");
        check("ip", "-n", outside, "route", "add", "10." + x + ".0.0/16", "via", hostOutside());
        // z may route 127/8 to its gateway: the shape of a container probing the host's loopback
        check("ip", "-n", z, "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local");
        check("ip", "-n", z, "route", "del", "local", "127.0.0.1", "dev", "lo", "table", "local");
        check("ip", "netns", "exec", z, "sysctl", "-qw", "net.ipv4.conf.eth0.route_localnet=1");
        check("ip", "-n", z, "route", "add", "127.0.0.0/8", "via", gwA());
    }

    private void container(String ns, String bridge, String addr, String gw) throws IOException {
        created.add("netns " + ns);
        check("ip", "netns", "add", ns);
        check("ip", "-n", ns, "link", "set", "lo", "up");
        String hostEnd = ns + "h";
        check("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns);
        check("ip", "link", "set", hostEnd, "master", bridge);
        // hairpin: a container reaching its own published port is DNATed back out of its own port
        Files.writeString(Path.of("/sys/class/net", hostEnd, "brport", "hairpin_mode"), "1");
        check("ip", "link", "set", hostEnd, "up");
        check("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0");
        check("ip", "-n", ns, "link", "set", "eth0", "up");
        check("ip", "-n", ns, "route", "add", "default", "via", gw);
    }

    @Override
    public void close() {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // best effort
            }
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            String[] what = created.get(i).split(" ");
            try {
                switch (what[0]) {
                    case "netns" -> check("ip", "netns", "del", what[1]); // its veth and the host end go with it
                    case "link" -> check("ip", "link", "del", what[1]);
                    case "table" -> nft(NftRules.deleteScript(what[1]));
                    default -> throw new IllegalStateException(what[0]);
                }
            } catch (IOException e) {
                System.err.println("cleanup of " + created.get(i) + " failed: " + e.getMessage());
            }
        }
    }

    // ---- servers inside namespaces (Java sockets created on a thread that entered the namespace)

    /** The namespace {@code ip netns add name} made (its file, with /var/run resolved as mountinfo shows it). */
    static NetNs netns(String name) throws IOException {
        return NetNs.open(Path.of("/var/run/netns", name).toRealPath());
    }

    /** TCP on 0.0.0.0:port in {@code ns}: writes {@code identity} to each client and closes. */
    void tcpServer(String ns, int port, String identity) throws Exception {
        ServerSocketChannel s = netns(ns).call(() -> {
            ServerSocketChannel c = ServerSocketChannel.open();
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(new InetSocketAddress("0.0.0.0", port), 256);
            return c;
        });
        servers.add(s);
        byte[] reply = identity.getBytes(StandardCharsets.US_ASCII);
        Thread.ofPlatform().daemon().name("tcp-" + ns).start(() -> {
            while (s.isOpen()) {
                try (SocketChannel c = s.accept()) {
                    c.write(ByteBuffer.wrap(reply));
                } catch (IOException e) {
                    // closed, or the client left early
                }
            }
        });
    }

    /** UDP on 0.0.0.0:port in {@code ns}: answers each datagram with {@code identity}. */
    void udpServer(String ns, int port, String identity) throws Exception {
        DatagramChannel s = netns(ns).call(() -> DatagramChannel.open().bind(new InetSocketAddress("0.0.0.0", port)));
        servers.add(s);
        byte[] reply = identity.getBytes(StandardCharsets.US_ASCII);
        Thread.ofPlatform().daemon().name("udp-" + ns).start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            while (s.isOpen()) {
                try {
                    buf.clear();
                    var from = s.receive(buf);
                    s.send(ByteBuffer.wrap(reply), from);
                } catch (IOException e) {
                    // closed
                }
            }
        });
    }

    // ---- clients: null means "no answer" (refused, dropped, timed out)

    static final int TIMEOUT_MS = 1000;

    static String tcpGet(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    static String udpGet(String ip, int port) {
        try (var s = new java.net.DatagramSocket()) {
            s.setSoTimeout(TIMEOUT_MS);
            byte[] q = "?".getBytes(StandardCharsets.US_ASCII);
            s.send(new java.net.DatagramPacket(q, q.length, new InetSocketAddress(ip, port)));
            byte[] b = new byte[2048];
            var p = new java.net.DatagramPacket(b, b.length);
            s.receive(p);
            return new String(b, 0, p.getLength(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    static String tcpGet(String ns, String ip, int port) throws Exception {
        return netns(ns).call(() -> tcpGet(ip, port));
    }

    static String udpGet(String ns, String ip, int port) throws Exception {
        return netns(ns).call(() -> udpGet(ip, port));
    }

    // ---- commands

    static void nft(String script) throws IOException {
        Commands.Result r = Commands.run(script, "nft", "-f", "-");
        if (r.exit() != 0) throw new IOException("nft -f: " + r.output().strip() + "\n" + script);
    }
}
