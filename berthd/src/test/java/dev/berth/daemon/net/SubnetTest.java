package dev.berth.daemon.net;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.errors.BerthException;
import org.junit.jupiter.api.Test;

class SubnetTest {
    @Test void parsesAndNormalises() {
        Subnet s = Subnet.parse("172.18.3.4/16");
        assertEquals("172.18.0.0/16", s.toString());
        assertEquals("172.18.0.1", Subnet.formatIp(s.firstHost()));
        assertEquals(65536, s.size());
        assertTrue(s.contains(Subnet.parseIp("172.18.255.255")));
        assertFalse(s.contains(Subnet.parseIp("172.19.0.0")));
    }

    @Test void overlapAndContainment() {
        Subnet a = Subnet.parse("10.0.0.0/8");
        Subnet b = Subnet.parse("10.77.0.0/24");
        assertTrue(a.overlaps(b) && b.overlaps(a) && a.contains(b) && !b.contains(a));
        assertFalse(Subnet.parse("10.77.1.0/24").overlaps(b));
    }

    @Test void inet4AddressesAtTheEdges() {
        Subnet s = Subnet.parse("192.168.0.0/16");
        assertEquals(Subnet.parseIp("192.168.255.1"), Subnet.ip(Subnet.parseInet4("192.168.255.1")));
        assertTrue(s.contains(Subnet.parseInet4("192.168.255.1")));
        assertFalse(s.contains(Subnet.parseInet4("192.169.0.0")));
        for (String bad : new String[] {"::1", "fd00::1", "example.com", ""}) {
            assertThrows(BerthException.InvalidArgument.class, () -> Subnet.parseInet4(bad), bad);
        }
    }

    @Test void badInputIsA400() {
        for (String bad : new String[] {"10.0.0.0", "10.0.0/8", "10.0.0.256/8", "10.0.0.0/33", "fd00::/64", "x/8"}) {
            assertThrows(BerthException.InvalidArgument.class, () -> Subnet.parse(bad), bad);
        }
    }

    @Test void hostRoutesAreRead() {
        // whatever this machine has, parsing must not fail and the default route has prefix 0
        var routes = NetworkService.hostRoutes();
        assertTrue(routes.stream().allMatch(r -> r.prefix() >= 0 && r.prefix() <= 32));
    }
}
