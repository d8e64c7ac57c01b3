package dev.berth.cli.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CidrTest {
    private static boolean contains(String cidr, String ip) { return Cidr.parse(cidr).contains(IpAddress.parse(ip)); }

    @Test
    void containsLikeGo() {
        assertTrue(contains("10.5.0.0/16", "10.5.255.1"));
        assertTrue(contains("10.5.0.7/16", "10.5.0.1")); // the address part need not be the network
        assertFalse(contains("10.5.0.0/16", "10.6.0.1"));
        assertTrue(contains("10.5.0.0/16", "::ffff:10.5.0.1")); // IPv4-mapped counts as IPv4
        assertTrue(contains("0.0.0.0/0", "1.2.3.4"));
        assertTrue(contains("10.5.0.1/32", "10.5.0.1"));
        assertFalse(contains("10.5.0.1/32", "10.5.0.2"));
        assertTrue(contains("2001:db8::/64", "2001:db8::1"));
        assertFalse(contains("2001:db8::/64", "2001:db9::1"));
        assertFalse(contains("::/0", "1.2.3.4")); // an IPv6 network never holds an IPv4 address
        assertTrue(contains("10.5.0.0/17", "10.5.127.255"));
        assertFalse(contains("10.5.0.0/17", "10.5.128.0"));
    }

    @Test
    void rejectsWithGosMessage() {
        for (String bad : new String[] {"bad", "10.5.0.0", "10.5.0.0/33", "10.5.0.0/", "10.5.0.0/a", "::/129", "010.5.0.0/16", "/16"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertEquals("invalid CIDR address: " + bad, e.getMessage());
        }
        assertEquals(Cidr.parse("10.5.0.0/16"), Cidr.parse("10.5.1.2/16"));
    }
}
