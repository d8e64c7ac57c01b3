package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Networks as API objects (issue #4, first part): create, list, inspect, remove, prune, persistence. */
class NetworkIT extends BusyboxDaemonTest {
    @Test
    void predefinedNetworksAndUserNetworks() throws Exception {
        String ls = ok(d.docker("network", "ls", "--format", "{{.Name}} {{.Driver}}")).out();
        assertTrue(ls.contains("bridge bridge") && ls.contains("host host") && ls.contains("none null"), ls);
        String net = d.bip.replaceFirst("\\.1/", ".0/");
        assertEquals(net + " " + d.bip.substring(0, d.bip.indexOf('/')), ok(d.docker("network", "inspect", "-f",
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "bridge")).out().strip());

        String id = ok(d.docker("network", "create", "--label", "team=a", "app")).out().strip();
        assertEquals(64, id.length());
        String subnet = ok(d.docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "app")).out().strip();
        assertTrue(subnet.matches("172\\.(1[789]|2\\d|3[01])\\.0\\.0/16"), "a free default pool: " + subnet);
        ok(d.docker("network", "create", "--subnet", "10.77.0.0/24", "--gateway", "10.77.0.254", "--ip-range", "10.77.0.128/25",
                "--internal", "fixed"));
        assertEquals("10.77.0.0/24 10.77.0.128/25 10.77.0.254 true", ok(d.docker("network", "inspect", "-f",
                "{{range .IPAM.Config}}{{.Subnet}} {{.IPRange}} {{.Gateway}}{{end}} {{.Internal}}", "fixed")).out().strip());

        Cmd.Result dup = d.docker("network", "create", "app");
        assertTrue(dup.err().contains("network with name app already exists"), dup::toString);
        Cmd.Result overlap = d.docker("network", "create", "--subnet", "10.77.0.64/26", "clash");
        assertTrue(overlap.err().contains("Pool overlaps with other one on this address space"), overlap::toString);
        Cmd.Result driver = d.docker("network", "create", "-d", "overlay", "o");
        assertTrue(driver.err().contains("plugin \"overlay\" not found"), driver::toString);
        Cmd.Result missing = d.docker("network", "inspect", "nosuch");
        assertTrue(missing.err().contains("network nosuch not found"), missing::toString);
        assertEquals("app\n", ok(d.docker("network", "ls", "-q", "--no-trunc", "--filter", "label=team=a", "--format", "{{.Name}}")).out());
        assertEquals("app\n", ok(d.docker("network", "inspect", "-f", "{{.Name}}", id.substring(0, 12))).out());

        // in use by a container: not removable; the container records the network
        ok(d.docker("create", "--name", "user", "--network", "app", "busybox", "true"));
        assertEquals("app", ok(d.docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", "user")).out().strip());
        Cmd.Result inUse = d.docker("network", "rm", "app");
        assertNotEquals(0, inUse.code());
        assertTrue(inUse.err().contains("has active endpoints"), inUse::toString);
        assertTrue(ok(d.docker("network", "inspect", "-f", "{{json .Containers}}", "app")).out().contains("\"Name\":\"user\""));
        Cmd.Result predefined = d.docker("network", "rm", "bridge");
        assertTrue(predefined.err().contains("bridge is a pre-defined network and cannot be removed"), predefined::toString);

        // networks survive a daemon restart with their IDs
        d.stop();
        d.start();
        assertEquals(id, ok(d.docker("network", "inspect", "-f", "{{.Id}}", "app")).out().strip());

        ok(d.docker("rm", "user"));
        Cmd.Result pruned = ok(d.docker("network", "prune", "-f", "--filter", "label=team=a"));
        assertTrue(pruned.out().contains("app") && !pruned.out().contains("fixed"), pruned::toString);
        ok(d.docker("network", "rm", "fixed"));
        assertEquals(3, ok(d.docker("network", "ls", "-q")).out().lines().count());
    }

    @Test
    void dockerJavaCreatesAndListsNetworks() throws Exception {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            String id = client.createNetworkCmd().withName("java-net").withLabels(Map.of("k", "v"))
                    .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet("10.88.0.0/24"))).exec().getId();
            Network n = client.inspectNetworkCmd().withNetworkId("java-net").exec();
            assertEquals(id, n.getId());
            assertEquals("10.88.0.0/24", n.getIpam().getConfig().getFirst().getSubnet());
            assertEquals("10.88.0.1", n.getIpam().getConfig().getFirst().getGateway());
            assertTrue(client.listNetworksCmd().exec().stream().anyMatch(x -> x.getName().equals("java-net")));
            client.removeNetworkCmd("java-net").exec();
        }
    }
}
