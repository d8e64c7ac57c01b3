package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The berth CLI against a real berthd: Docker's verbs, flags and output shapes. */
class BerthCliIT {
    static BerthDaemon d;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        d = new BerthDaemon().start();
        Cmd.Result r = d.berth("import", Fixtures.busyboxTar().toString(), "busybox");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().strip().startsWith("sha256:"), r::toString);
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
    }


    /** The networking verbs and flags (issue #4), checked against what the docker CLI prints for the same daemon. */
    @Test
    void networksPortsAndConnect() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String id = ok(d.berth("network", "create", "--subnet", "10.198.20.0/24", "--label", "k=v", "clinet")).out().strip();
        assertEquals(64, id.length());
        assertEquals(ok(d.docker("network", "ls")).out(), ok(d.berth("network", "ls")).out());
        assertEquals("10.198.20.0/24", ok(d.berth("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "clinet")).out().strip());
        ok(d.berth("run", "-d", "--name", "cweb", "--network", "clinet", "--network-alias", "api", "--ip", "10.198.20.9",
                "-p", "127.0.0.1:" + port + ":80", "--expose", "81", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc"));
        assertEquals(ok(d.docker("port", "cweb")).out(), ok(d.berth("port", "cweb")).out());
        assertEquals("127.0.0.1:" + port + "\n", ok(d.berth("port", "cweb", "80")).out());
        assertEquals(ok(d.docker("ps", "--format", "{{.Names}} {{.Ports}}")).out(), ok(d.berth("ps", "--format", "{{.Names}} {{.Ports}}")).out());
        String ps = ok(d.berth("ps")).out();
        assertTrue(ps.contains("127.0.0.1:" + port + "->80/tcp") && ps.contains("81/tcp"), ps);
        String body = ok(d.berth("run", "--rm", "--network", "clinet", "--add-host", "db:10.1.1.1", "--dns-search", "corp.test",
                "busybox", "sh", "-c", "wget -qO- http://api/hostname; grep db /etc/hosts; grep search /etc/resolv.conf")).out();
        String hostname = ok(d.berth("inspect", "-f", "{{.Config.Hostname}}", "cweb")).out().strip();
        assertTrue(body.contains(hostname) && body.contains("10.1.1.1\tdb") && body.contains("search corp.test"), body);

        Cmd.Result alias = d.berth("network", "connect", "--alias", "second", "bridge", "cweb");
        assertTrue(alias.err().contains("network-scoped alias is supported only for containers in user defined networks"), alias::toString);
        ok(d.berth("network", "connect", "bridge", "cweb"));
        assertFalse(ok(d.berth("inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", "cweb")).out().isBlank());
        ok(d.berth("network", "disconnect", "bridge", "cweb"));
        Cmd.Result inUse = d.berth("network", "rm", "clinet");
        assertNotEquals(0, inUse.code());
        ok(d.berth("rm", "-f", "cweb"));
        assertEquals("clinet\n", ok(d.berth("network", "rm", "clinet")).out());
        assertEquals(List.of(), NetworkDatapathIT.networkLeaks(d));
    }

    @Test
    void versionAndInfo() throws Exception {
        Cmd.Result v = ok(d.berth("version"));
        assertTrue(v.out().contains("Server: Berth Engine"), v::toString);
        assertTrue(v.out().contains("API version:       1.47"), v::toString);
        assertEquals("1.47", ok(d.berth("version", "--format", "{{.Server.APIVersion}}")).out().strip());
        assertTrue(ok(d.berth("info")).out().contains("Storage Driver: overlay2"));
    }

    @Test
    void runVariants() throws Exception {
        assertEquals("hello from berth\n", ok(d.berth("run", "--rm", "busybox", "echo", "hello from berth")).out());
        assertEquals(5, d.berth("run", "--rm", "busybox", "sh", "-c", "exit 5").code());
        assertEquals("piped\n", ok(d.berthIn("piped\n", "run", "-i", "--rm", "busybox", "cat")).out());
        Cmd.Result split = ok(d.berth("run", "--rm", "busybox", "sh", "-c", "echo o; echo e >&2"));
        assertEquals("o\n", split.out());
        assertEquals("e\n", split.err());
        assertEquals("v /tmp\n", ok(d.berth("run", "--rm", "-e", "K=v", "-w", "/tmp", "busybox", "sh", "-c", "echo $K $(pwd)")).out());
        Cmd.Result missing = d.berth("run", "--rm", "nosuchimage");
        assertEquals(125, missing.code(), missing::toString);
        assertTrue(missing.err().contains("Unable to find image 'nosuchimage:latest' locally"), missing::toString);
    }

    @Test
    void detachedLifecycle() throws Exception {
        String id = ok(d.berth("run", "-d", "--name", "bsvc", "--label", "k=v", "busybox", "sh", "-c", "echo up; sleep 300")).out().strip();
        assertEquals(64, id.length());
        for (int i = 0; i < 400 && !d.berth("logs", "bsvc").out().contains("up"); i++) Thread.sleep(50);
        assertEquals("up\n", ok(d.berth("logs", "bsvc")).out());
        Cmd.Result ps = ok(d.berth("ps"));
        assertTrue(ps.out().startsWith("CONTAINER ID   IMAGE     COMMAND"), ps::toString);
        assertTrue(ps.out().contains(id.substring(0, 12)) && ps.out().contains("bsvc"), ps::toString);
        assertEquals(id.substring(0, 12) + "\n", ok(d.berth("ps", "-q", "--filter", "label=k=v")).out());
        assertEquals("running\n", ok(d.berth("inspect", "-f", "{{.State.Status}}", "bsvc")).out());
        ok(d.berth("rename", "bsvc", "bsvc2"));
        assertEquals("bsvc2\n", ok(d.berth("restart", "-t", "0", "bsvc2")).out());
        assertEquals("bsvc2\n", ok(d.berth("kill", "bsvc2")).out());
        assertEquals("137\n", ok(d.berth("wait", "bsvc2")).out());
        assertEquals("bsvc2\n", ok(d.berth("rm", "bsvc2")).out());
        assertEquals(List.of(), Leaks.of(d, id));
        Cmd.Result gone = d.berth("rm", "bsvc2");
        assertEquals(1, gone.code());
        assertTrue(gone.err().contains("Error response from daemon: No such container: bsvc2"), gone::toString);
    }

    @Test
    void imagesTagRmi() throws Exception {
        ok(d.berth("tag", "busybox", "mine:1"));
        Cmd.Result images = ok(d.berth("images"));
        assertTrue(images.out().startsWith("REPOSITORY   TAG       IMAGE ID       CREATED"), images::toString);
        assertTrue(images.out().contains("mine "), images::toString);
        Cmd.Result rmi = ok(d.berth("rmi", "mine:1"));
        assertEquals("Untagged: mine:1\n", rmi.out());
        assertTrue(ok(d.berth("image", "inspect", "-f", "{{.Os}}", "busybox")).out().contains("linux"));
    }

    @Test
    void eventsSinceUntil() throws Exception {
        long since = System.currentTimeMillis() / 1000 - 1;
        ok(d.berth("run", "--rm", "--name", "bev", "busybox", "true"));
        long until = System.currentTimeMillis() / 1000 + 1;
        Cmd.Result ev = ok(d.berth("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "container=bev", "--format", "{{.Action}}"));
        assertTrue(ev.out().lines().toList().containsAll(List.of("create", "start", "die", "destroy")), ev::toString);
    }

    @Test
    void cannotReachDaemon() throws Exception {
        Cmd.Result r = Cmd.run(java.util.Map.of("BERTH_HOST", "unix://" + d.dir.resolve("nothing.sock")), null,
                BerthDaemon.HOME.resolve("bin/berth").toString(), "ps");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Cannot connect to the Berth daemon"), r::toString);
    }
}
