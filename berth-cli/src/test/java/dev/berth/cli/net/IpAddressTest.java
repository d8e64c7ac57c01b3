package dev.berth.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Go's net.ParseIP / IP.String() behaviour, which docker validates --dns, --add-host and -p with. */
class IpAddressTest {
    private static String roundTrip(String s) {
        byte[] ip = IpAddress.parse(s);
        return ip == null ? null : IpAddress.format(ip);
    }

    @Test
    void ipv4() {
        assertEquals("1.2.3.4", roundTrip("1.2.3.4"));
        assertEquals("0.0.0.0", roundTrip("0.0.0.0"));
        assertEquals("255.255.255.255", roundTrip("255.255.255.255"));
        for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "256.1.1.1", "010.5.0.1", "1.2.3.04", "1..2.3", "1.2.3.4 ", "",
            "localhost", "1.2.3.a", "1234.1.1.1", "+1.2.3.4", "١.2.3.4"}) {
            assertNull(IpAddress.parse(bad), bad);
        }
    }

    @Test
    void ipv6() {
        assertEquals("::", roundTrip("::"));
        assertEquals("::1", roundTrip("::0001"));
        assertEquals("::1", roundTrip("0:0:0:0:0:0:0:1"));
        assertEquals("2001:db8::1", roundTrip("2001:DB8:0:0:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", roundTrip("2001:db8:0:0:1:0:0:1")); // the first of two equal zero runs
        assertEquals("2001:db8:0:1:1:1:1:1", roundTrip("2001:db8:0:1:1:1:1:1")); // a single zero group stays
        assertEquals("fe80::", roundTrip("fe80::"));
        assertEquals("1.2.3.4", roundTrip("::ffff:1.2.3.4")); // IPv4-mapped prints as IPv4
        assertEquals("::102:304", roundTrip("::1.2.3.4"));
        assertEquals("1:2:3:4:5:6:102:304", roundTrip("1:2:3:4:5:6:1.2.3.4"));
        for (String bad : new String[] {":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
            "::g", "fe80::1%eth0", "1:2:3:4:5:6:7:8::", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "[::1]", "1:"}) {
            assertNull(IpAddress.parse(bad), bad);
        }
    }

    @Test
    void loopbackAndJoin() {
        assertTrue(IpAddress.isLoopback(IpAddress.parse("127.1.2.3")));
        assertTrue(IpAddress.isLoopback(IpAddress.parse("::1")));
        assertTrue(IpAddress.isLoopback(IpAddress.parse("::ffff:127.0.0.1")));
        assertFalse(IpAddress.isLoopback(IpAddress.parse("::")));
        assertFalse(IpAddress.isLoopback(IpAddress.parse("10.0.0.1")));
        assertEquals("[::]:8080", IpAddress.joinHostPort("::", "8080"));
        assertEquals("0.0.0.0:8080", IpAddress.joinHostPort("0.0.0.0", "8080"));
        assertEquals(":5353", IpAddress.joinHostPort("", "5353"));
    }
}
