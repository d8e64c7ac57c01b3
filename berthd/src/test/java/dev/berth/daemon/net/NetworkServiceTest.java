package dev.berth.daemon.net;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkServiceTest {
    @TempDir Path root;

    private NetworkService service(List<Subnet> routes) throws Exception {
        return new NetworkService(root, new EventBus(), List::of, () -> routes, null);
    }

    private Network create(NetworkService s, String json) throws Exception {
        return s.create(Json.parse(json.getBytes()));
    }

    @Test void defaultPoolsSkipHostRoutesAndOtherNetworks() throws Exception {
        NetworkService s = service(List.of(Subnet.parse("172.17.0.0/16"), Subnet.parse("172.18.5.0/24")));
        assertEquals("172.19.0.0/16", s.resolve("bridge").subnet().toString(), "172.17 and 172.18 are routed on the host");
        assertEquals("172.20.0.0/16", create(s, "{\"Name\":\"a\"}").subnet().toString());
    }

    @Test void defaultAddressPoolsAndBipAndBridgeName() throws Exception {
        var pools = List.of(NetworkService.AddressPool.parse("base=10.10.0.0/16,size=24"));
        NetworkService s = new NetworkService(root, new EventBus(), List::of, () -> List.of(Subnet.parse("10.10.0.0/24")), null, "br9", pools);
        assertEquals("10.10.1.0/24", s.resolve("bridge").subnet().toString(), "the default bridge takes the first free pool subnet");
        assertEquals("br9", s.resolve("bridge").options().get("com.docker.network.bridge.name"));
        assertEquals("10.10.2.0/24", create(s, "{\"Name\":\"a\"}").subnet().toString());
        String id = s.resolve("bridge").id();
        NetworkService again = new NetworkService(root, new EventBus(), List::of, List::of, "10.77.0.1/24", "br8", pools);
        assertEquals(id, again.resolve("bridge").id(), "--bip changes the default bridge, not its identity");
        assertEquals("10.77.0.0/24", again.resolve("bridge").subnet().toString());
        assertEquals("10.77.0.1", Subnet.formatIp(again.resolve("bridge").gateway()));
        assertEquals("br8", again.resolve("bridge").options().get("com.docker.network.bridge.name"));
        assertThrows(BerthException.InvalidArgument.class, () -> NetworkService.AddressPool.parse("base=10.0.0.0/16,size=8"));
        assertThrows(BerthException.InvalidArgument.class, () -> NetworkService.AddressPool.parse("base=10.0.0.0/16"));
    }

    @Test void leasesAreUniqueRespectRangesAndSurviveARestart() throws Exception {
        NetworkService s = service(List.of());
        Network n = create(s, "{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.9.0.0/29\",\"IPRange\":\"10.9.0.4/30\"}]}}");
        assertEquals("10.9.0.4", Subnet.formatIp(s.lease(n, "c1", null)));
        assertEquals("10.9.0.5", Subnet.formatIp(s.lease(n, "c2", null)));
        assertEquals("10.9.0.4", Subnet.formatIp(s.lease(n, "c1", null)), "asking again returns the same lease");
        assertEquals("10.9.0.2", Subnet.formatIp(s.lease(n, "c3", "10.9.0.2")));
        assertThrows(BerthException.Forbidden.class, () -> s.lease(n, "c4", "10.9.0.2"));
        assertThrows(BerthException.Forbidden.class, () -> s.lease(n, "c4", "10.9.0.1"), "the gateway");
        assertThrows(BerthException.InvalidArgument.class, () -> s.lease(n, "c4", "10.8.0.2"));
        assertEquals("10.9.0.6", Subnet.formatIp(s.lease(n, "c5", null)));
        assertThrows(BerthException.Forbidden.class, () -> s.lease(n, "c6", null), "the range is full (.7 is broadcast)");

        NetworkService again = service(List.of());
        Network m = again.resolve("n");
        assertThrows(BerthException.Forbidden.class, () -> again.lease(m, "c6", "10.9.0.5"), "leases persisted");
        again.release(m, "c2");
        assertEquals("10.9.0.5", Subnet.formatIp(again.lease(m, "c6", null)));
        again.releaseAllExcept(Set.of());
        assertEquals("10.9.0.4", Subnet.formatIp(again.lease(m, "c9", null)));
        assertThrows(BerthException.InvalidArgument.class, () -> again.lease(again.resolve("bridge"), "x", "172.17.0.9"));
    }
}
