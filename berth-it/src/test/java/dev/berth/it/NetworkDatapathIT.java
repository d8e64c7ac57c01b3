package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge datapath (issue #4) with real namespaces, veths, bridges and nft rules, driven by
 * the docker CLI and docker-java: names and addresses on user-defined networks, isolation,
 * published TCP and UDP ports reached from the host, live connect/disconnect, the other network
 * modes, and nothing left behind after rm, network rm, or a kill -9 and restart. All traffic
 * stays between the test's containers, its bridges and loopback (the daemon runs with
 * --ip-masq=false, a DNS server that does not forward, and bin/test-net-guard in place).
 */
class NetworkDatapathIT extends BusyboxDaemonTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void cleanUp() throws Exception {
        String ids = d.docker("ps", "-aq").out().strip();
        if (!ids.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("rm", "-f"));
            args.addAll(List.of(ids.split("\\s+")));
            d.docker(args.toArray(String[]::new));
        }
        d.docker("network", "prune", "-f");
    }

    /** Runs a container to completion and returns its output (stdout+stderr of the CLI). */
    private static String run(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "--rm"));
        a.addAll(List.of(args));
        Cmd.Result r = d.docker(a.toArray(String[]::new));
        return r.out() + r.err();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    /** Network state this daemon may leave: veths on its bridges, namespace files, leases, published ports. */
    static List<String> networkLeaks(BerthDaemon d) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/sys/class/net"))) {
            for (Path link : (Iterable<Path>) s::iterator) {
                String bridge;
                try {
                    bridge = Files.readSymbolicLink(link.resolve("master")).getFileName().toString();
                } catch (java.nio.file.NoSuchFileException | java.nio.file.NotLinkException e) {
                    continue; // no master, or the link went away while we looked (the kernel frees veths asynchronously)
                }
                if (bridge.equals(d.bridge) || bridge.startsWith("br-")) out.add("veth " + link.getFileName() + " on " + bridge);
            }
        }
        Path netns = d.execRoot.resolve("netns");
        if (Files.isDirectory(netns)) try (var s = Files.list(netns)) { s.forEach(p -> out.add("netns file " + p)); }
        try (var s = Files.list(d.dataRoot.resolve("networks"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.toString().endsWith(".leases.json") && !Files.readString(p).strip().equals("{}")) out.add("leases " + Files.readString(p));
            }
        }
        return out;
    }

    /** Waits (the kernel frees a namespace's veths a moment after its last user) until nothing is left. */
    static void assertNoNetworkLeaks(BerthDaemon d) throws Exception {
        List<String> leaks = List.of();
        for (int i = 0; i < 100; i++) {
            leaks = networkLeaks(d);
            if (leaks.isEmpty()) break;
            Thread.sleep(50);
        }
        assertEquals(List.of(), leaks);
        String table = Cmd.run(Map.of(), null, "nft", "list", "table", "ip", "berth_" + d.bridge).out();
        assertFalse(table.contains("dnat to"), "no published port is left in the nft table:\n" + table);
    }

    /** Waits until {@code url} answers {@code body} (a server just started may not listen yet). */
    private static void awaitHttp(String url, String body, String what) throws InterruptedException {
        eventually(() -> {
            try {
                return get(url).strip().equals(body);
            } catch (Exception e) {
                return false;
            }
        }, what);
    }

    private static void eventually(BooleanSupplier cond, String what) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (cond.getAsBoolean()) return;
            Thread.sleep(100);
        }
        fail(what);
    }

    @Test
    void userNetworkNamesAddressesAndIsolation() throws Exception {
        ok(d.docker("network", "create", "--subnet", "10.198.1.0/24", "front"));
        ok(d.docker("network", "create", "--subnet", "10.198.2.0/24", "back"));
        String web = ok(d.docker("run", "-d", "--name", "web", "--network", "front", "--network-alias", "www",
                "busybox", "httpd", "-f", "-p", "80", "-h", "/etc")).out().strip();
        String short12 = web.substring(0, 12);

        assertEquals("10.198.1.2", ok(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "web")).out().strip());
        assertEquals("10.198.1.1 24 02:42:0a:c6:01:02", ok(d.docker("inspect", "-f",
                "{{with .NetworkSettings.Networks.front}}{{.Gateway}} {{.IPPrefixLen}} {{.MacAddress}}{{end}}", "web")).out().strip());
        assertEquals("[web " + short12 + " www]", ok(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.front.DNSNames}}", "web")).out().strip());
        assertTrue(ok(d.docker("network", "inspect", "-f", "{{json .Containers}}", "front")).out().contains("\"IPv4Address\":\"10.198.1.2/24\""));
        assertEquals("web", ok(d.docker("ps", "--filter", "network=front", "--format", "{{.Names}}")).out().strip());
        assertEquals("", ok(d.docker("ps", "--filter", "network=back", "--format", "{{.Names}}")).out().strip());

        // by name, alias and short ID, ICMP and TCP, through the embedded DNS server
        String out = run("--network", "front", "busybox", "sh", "-c",
                "cat /etc/resolv.conf; ping -c1 -W2 web && wget -qO- http://www/hostname && wget -qO- http://" + short12 + "/hostname");
        assertTrue(out.contains("nameserver 127.0.0.11"), out);
        assertTrue(out.contains("1 packets received"), out);
        assertEquals(2, out.lines().filter(l -> l.equals(short12)).count(), out);
        String hosts = run("--network", "front", "--hostname", "client", "--add-host", "db.local:10.1.2.3", "busybox", "cat", "/etc/hosts");
        assertTrue(hosts.contains("10.1.2.3\tdb.local") && hosts.contains("10.198.1.3\tclient"), hosts);

        // another network cannot reach it, by name or by address; the default bridge has no names
        String other = run("--network", "back", "busybox", "sh", "-c",
                "nslookup web 127.0.0.11 >/dev/null 2>&1 && echo resolved; timeout 3 nc 10.198.1.2 80 </dev/null && echo connected; echo done");
        assertFalse(other.contains("resolved") || other.contains("connected"), other);
        String dflt = run("busybox", "sh", "-c", "cat /etc/resolv.conf; ping -c1 -W1 web >/dev/null 2>&1 && echo resolved; echo done");
        assertFalse(dflt.contains("resolved") || dflt.contains("127.0.0.11"), dflt);

        // internal networks have no way out: no default route
        ok(d.docker("network", "create", "--internal", "--subnet", "10.198.3.0/24", "sealed"));
        String sealed = run("--network", "sealed", "busybox", "ip", "route");
        assertFalse(sealed.contains("default"), sealed);

        ok(d.docker("rm", "-f", "web"));
        assertNoNetworkLeaks(d);
        ok(d.docker("network", "rm", "front", "back", "sealed"));
        try (var s = Files.list(Path.of("/sys/class/net"))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("br-")).toList(), "bridges go with their networks");
        }
    }

    @Test
    void publishedTcpAndUdpPortsFromTheHost() throws Exception {
        int tcp = freePort(), udp = freePort();
        Cmd.Result imported = d.docker("import", Fixtures.socatTar().toString(), "socat");
        assertEquals(0, imported.code(), imported::toString);
        ok(d.docker("run", "-d", "--name", "pub", "-p", tcp + ":80", "-p", "127.0.0.1::80", "-p", "127.0.0.1:" + udp + ":5353/udp",
                "--expose", "9000", "-P", "socat", "sh", "-c",
                "socat UDP-RECVFROM:5353,fork SYSTEM:'read x; echo pong-$x' & httpd -f -p 80 -h /etc"));
        String ports = ok(d.docker("port", "pub")).out();
        assertTrue(ports.contains("80/tcp -> 0.0.0.0:" + tcp) && ports.contains("5353/udp -> 127.0.0.1:" + udp)
                && ports.matches("(?s).*80/tcp -> 127\\.0\\.0\\.1:\\d+.*") && ports.matches("(?s).*9000/tcp -> 0\\.0\\.0\\.0:\\d+.*"), ports);
        String ps = ok(d.docker("ps", "--format", "{{.Ports}}", "--filter", "name=pub")).out();
        assertTrue(ps.contains("0.0.0.0:" + tcp + "->80/tcp") && ps.contains("127.0.0.1:" + udp + "->5353/udp"), ps);
        String hostname = ok(d.docker("inspect", "-f", "{{.Config.Hostname}}", "pub")).out().strip();
        assertEquals("pub", ok(d.docker("ps", "--filter", "publish=5353/udp", "--filter", "expose=8999-9001", "--format", "{{.Names}}")).out().strip());
        assertEquals("", ok(d.docker("ps", "--filter", "publish=9999", "--format", "{{.Names}}")).out().strip());

        // TCP: loopback, and a non-loopback address of the host (the default bridge's gateway)
        awaitHttp("http://127.0.0.1:" + tcp + "/hostname", hostname, "published TCP port answers on 127.0.0.1");
        String gateway = d.bip.substring(0, d.bip.indexOf('/'));
        assertEquals(hostname, get("http://" + gateway + ":" + tcp + "/hostname").strip());
        String ephemeral = ok(d.docker("port", "pub", "80/tcp")).out().lines().filter(l -> l.startsWith("127.0.0.1:")).findFirst().orElseThrow();
        assertEquals(hostname, get("http://" + ephemeral + "/hostname").strip());

        // UDP on loopback
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            String answer = null;
            for (int i = 0; i < 10 && answer == null; i++) {
                byte[] q = "ping\n".getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", udp)));
                DatagramPacket p = new DatagramPacket(new byte[100], 100);
                try {
                    s.receive(p);
                    answer = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).strip();
                } catch (java.net.SocketTimeoutException e) {
                    // the server may not be up yet
                }
            }
            assertEquals("pong-ping", answer);
        }

        // from another container, through the host's address (DNAT, not the bridge)
        String viaHost = run("busybox", "wget", "-qO-", "http://" + gateway + ":" + tcp + "/hostname");
        assertEquals(hostname, viaHost.strip());

        // a port taken is refused like dockerd; rm frees the ports
        Cmd.Result taken = d.docker("run", "-d", "-p", tcp + ":80", "busybox", "sleep", "5");
        assertNotEquals(0, taken.code());
        assertTrue(taken.err().contains("port is already allocated"), taken::toString);
        ok(d.docker("rm", "-f", "pub"));
        assertNoNetworkLeaks(d);
        try (ServerSocket s = new ServerSocket(tcp, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(tcp, s.getLocalPort(), "the host port is free again");
        }
    }

    @Test
    void networkOptionsAndEndpointSettings() throws Exception {
        ok(d.docker("network", "create", "-o", "com.docker.network.bridge.enable_icc=false", "-o", "com.docker.network.driver.mtu=1400",
                "--subnet", "10.198.7.0/24", "noicc"));
        int port = freePort();
        ok(d.docker("run", "-d", "--name", "s1", "--network", "noicc", "--ip", "10.198.7.50", "--mac-address", "02:00:00:00:00:50",
                "-p", "127.0.0.1:" + port + ":80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc"));
        assertEquals("10.198.7.50 02:00:00:00:00:50", ok(d.docker("inspect", "-f",
                "{{with .NetworkSettings.Networks.noicc}}{{.IPAddress}} {{.MacAddress}}{{end}}", "s1")).out().strip());
        String out = run("--network", "noicc", "--dns", "10.9.9.9", "--dns-search", "example.test", "--dns-option", "ndots:2",
                "busybox", "sh", "-c", "cat /etc/resolv.conf; ip link show eth0; timeout 3 nc 10.198.7.50 80 </dev/null && echo reached || echo blocked");
        assertTrue(out.contains("nameserver 127.0.0.11") && out.contains("search example.test") && out.contains("options ndots:2"), out);
        assertTrue(out.contains("mtu 1400"), out);
        assertTrue(out.contains("blocked") && !out.contains("reached"), "icc=false: neighbours cannot talk:\n" + out);
        String hostname = ok(d.docker("inspect", "-f", "{{.Config.Hostname}}", "s1")).out().strip();
        assertEquals(hostname, get("http://127.0.0.1:" + port + "/hostname").strip(), "its published port still works");
        Cmd.Result taken = d.docker("run", "--rm", "--network", "noicc", "--ip", "10.198.7.50", "busybox", "true");
        assertTrue(taken.err().contains("Address already in use"), taken::toString);
        Cmd.Result onDefault = d.docker("run", "--rm", "--ip", "10.198.7.51", "busybox", "true");
        assertTrue(onDefault.err().contains("user specified IP address is supported on user defined networks only"), onDefault::toString);
        ok(d.docker("rm", "-f", "s1"));
        assertNoNetworkLeaks(d);
    }

    @Test
    void connectAndDisconnectRunningContainers() throws Exception {
        ok(d.docker("network", "create", "left"));
        ok(d.docker("network", "create", "right"));
        ok(d.docker("run", "-d", "--name", "server", "--network", "right", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc"));
        ok(d.docker("run", "-d", "--name", "client", "--network", "left", "busybox", "sh", "-c",
                "until wget -qO- http://server/hostname >/dev/null 2>&1; do sleep 0.2; done; echo reached;"
                        + " while wget -qO- http://server/hostname >/dev/null 2>&1; do sleep 0.2; done; echo lost; sleep 60"));
        Thread.sleep(600);
        assertFalse(d.docker("logs", "client").out().contains("reached"), "not on the same network yet");

        ok(d.docker("network", "connect", "--alias", "cli", "right", "client"));
        eventually(() -> logsOf("client").contains("reached"), "client reaches server after connect");
        String ip = ok(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.right.IPAddress}}", "client")).out().strip();
        assertFalse(ip.isEmpty());
        assertTrue(run("--network", "right", "busybox", "nslookup", "cli", "127.0.0.11").contains("Address: " + ip));
        Cmd.Result twice = d.docker("network", "connect", "right", "client");
        assertTrue(twice.err().contains("already exists in network right"), twice::toString);

        ok(d.docker("network", "disconnect", "right", "client"));
        eventually(() -> logsOf("client").contains("lost"), "client loses server after disconnect");
        assertEquals("", ok(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.right}}", "client")).out().strip().replace("<no value>", ""));
        Cmd.Result notConnected = d.docker("network", "disconnect", "right", "client");
        assertTrue(notConnected.err().contains("is not connected to network right"), notConnected::toString);

        ok(d.docker("rm", "-f", "client", "server"));
        assertNoNetworkLeaks(d);
    }

    private static String logsOf(String c) {
        try {
            return d.docker("logs", c).out();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void containerHostAndNoneModes() throws Exception {
        ok(d.docker("run", "-d", "--name", "owner", "busybox", "sleep", "60"));
        String ip = ok(d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "owner")).out().strip();
        assertTrue(ip.startsWith(d.bip.substring(0, d.bip.lastIndexOf('.'))), ip);
        String shared = run("--network", "container:owner", "busybox", "ip", "addr", "show", "eth0");
        assertTrue(shared.contains("inet " + ip + "/"), shared);
        assertFalse(shared.contains("inet6"), "no IPv6 on an IPv4-only network:\n" + shared);
        String none = run("--network", "none", "busybox", "ip", "addr");
        assertTrue(none.contains("127.0.0.1") && !none.contains("eth0"), none);
        String host = run("--network", "host", "busybox", "ip", "link");
        assertTrue(host.contains(d.bridge), "host mode sees the host's interfaces:\n" + host);
        Cmd.Result stopped = d.docker("run", "--rm", "--network", "container:nosuch", "busybox", "true");
        assertNotEquals(0, stopped.code());
        ok(d.docker("rm", "-f", "owner"));
        assertNoNetworkLeaks(d);
    }

    @Test
    void dockerJavaStaticAddressAliasesAndPorts() throws Exception {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        int port = freePort();
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            client.createNetworkCmd().withName("jnet")
                    .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet("10.198.9.0/24"))).exec();
            ExposedPort http80 = ExposedPort.tcp(80);
            Ports bindings = new Ports();
            bindings.bind(http80, Ports.Binding.bindIpAndPort("127.0.0.1", port));
            String id = client.createContainerCmd("busybox").withName("jweb").withCmd("httpd", "-f", "-p", "80", "-h", "/etc")
                    .withExposedPorts(http80).withHostConfig(HostConfig.newHostConfig().withPortBindings(bindings)).exec().getId();
            client.startContainerCmd(id).exec();
            client.connectToNetworkCmd().withNetworkId("jnet").withContainerId(id)
                    .withContainerNetwork(new ContainerNetwork().withAliases("api").withIpamConfig(new ContainerNetwork.Ipam().withIpv4Address("10.198.9.77")))
                    .exec();
            var inspect = client.inspectContainerCmd(id).exec();
            assertEquals("10.198.9.77", inspect.getNetworkSettings().getNetworks().get("jnet").getIpAddress());
            assertFalse(inspect.getNetworkSettings().getNetworks().get("bridge").getIpAddress().isEmpty());
            Ports.Binding[] b = inspect.getNetworkSettings().getPorts().getBindings().get(http80);
            assertEquals("127.0.0.1", b[0].getHostIp());
            assertEquals(Integer.toString(port), b[0].getHostPortSpec());
            assertEquals(inspect.getConfig().getHostName(), get("http://127.0.0.1:" + port + "/hostname").strip());
            assertTrue(run("--network", "jnet", "busybox", "wget", "-qO-", "http://api/hostname").contains(inspect.getConfig().getHostName()));
            client.disconnectFromNetworkCmd().withNetworkId("jnet").withContainerId(id).exec();
            client.removeContainerCmd(id).withForce(true).exec();
            client.removeNetworkCmd("jnet").exec();
        }
        assertNoNetworkLeaks(d);
    }

    @Test
    void killNineAndRestartLeavesNoNetworkState() throws Exception {
        ok(d.docker("network", "create", "--subnet", "10.198.5.0/24", "survive"));
        int port = freePort();
        ok(d.docker("run", "-d", "--name", "k1", "--network", "survive", "-p", "127.0.0.1:" + port + ":80", "busybox",
                "httpd", "-f", "-p", "80", "-h", "/etc"));
        ok(d.docker("run", "-d", "--name", "k2", "busybox", "sleep", "60"));
        assertFalse(networkLeaks(d).isEmpty(), "running containers have network state");
        d.kill9();
        d.start();
        assertNoNetworkLeaks(d);
        // the leases are free again: the same first address is handed out
        ok(d.docker("start", "k1"));
        assertEquals("10.198.5.2", ok(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.survive.IPAddress}}", "k1")).out().strip());
        String hostname = ok(d.docker("inspect", "-f", "{{.Config.Hostname}}", "k1")).out().strip();
        awaitHttp("http://127.0.0.1:" + port + "/hostname", hostname, "the published port works after the restart");
        ok(d.docker("rm", "-f", "k1", "k2"));
        assertNoNetworkLeaks(d);
    }
}
