package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.cli.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --network and friends (bodies captured from docker are replayed in Docker28FixturesTest). */
class NetworkOptionsTest {
    private static String endpoints(List<String> networks, List<String> aliases, String ip, String mac) throws OptionException {
        return Json.toJson(NetworkOptions.endpointsConfig(networks, aliases, ip, mac));
    }

    private static final String ZERO = "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
            + "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null";

    @Test
    void singleNetworkWithoutSettingsIsLeftOut() throws OptionException {
        assertEquals("{}", endpoints(List.of("n1"), List.of(), "", ""));
        assertEquals("{}", endpoints(List.of("host"), List.of(), "", ""));
        assertEquals("{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,"
                + "\"GwPriority\":0," + ZERO + "}}", endpoints(List.of(), List.of(), "", ""));
        assertEquals("{\"n1\":{\"IPAMConfig\":{\"IPv4Address\":\"10.0.0.2\"},\"Links\":null,\"Aliases\":[\"a\"],"
                + "\"MacAddress\":\"02:42:ac:11:00:02\",\"DriverOpts\":null,\"GwPriority\":0," + ZERO + "}}",
                endpoints(List.of("n1"), List.of("a"), "10.0.0.2", "02:42:ac:11:00:02"));
    }

    @Test
    void longSyntax() {
        NetworkOptions.Attachment a = NetworkOptions.parse("name=N1,Alias=X,alias=y,ip=10.0.0.5,ip6=fe80::1,driver-opt=K=V,gw-priority=-3");
        assertEquals("n1", a.target()); // docker lower-cases the whole field, values included
        assertEquals(List.of("x", "y"), a.aliases());
        assertEquals("10.0.0.5", a.ipv4());
        assertEquals("fe80::1", a.ipv6());
        assertEquals("{k=v}", a.driverOpts().toString());
        assertEquals(-3, a.gwPriority());
        assertEquals("My-Net", NetworkOptions.parse("My-Net").target()); // the short form is kept as given
        assertEquals("container:x", NetworkOptions.parse("container:x").target());
        assertEquals("invalid field key foo", assertThrows(IllegalArgumentException.class, () -> NetworkOptions.parse("name=n,foo=bar")).getMessage());
        assertEquals("invalid field x", assertThrows(IllegalArgumentException.class, () -> NetworkOptions.parse("name=n,x")).getMessage());
        assertEquals("network name/id is not specified", assertThrows(IllegalArgumentException.class, () -> NetworkOptions.parse("alias=a")).getMessage());
        assertEquals("invalid gw-priority (x): invalid syntax", assertThrows(IllegalArgumentException.class, () -> NetworkOptions.parse("name=n,gw-priority=x")).getMessage());
        assertEquals("invalid key value pair format in driver options",
                assertThrows(IllegalArgumentException.class, () -> NetworkOptions.parse("name=n,driver-opt=x")).getMessage());
    }

    @Test
    void conflicts() {
        assertEquals("conflicting options: cannot specify both --mac-address and per-network MAC address",
                assertThrows(OptionException.class, () -> endpoints(List.of("name=n1,mac-address=02:42:ac:11:00:02"), List.of(), "", "02:42:ac:11:00:03")).getMessage());
        assertEquals("network \"n1\" is specified multiple times",
                assertThrows(OptionException.class, () -> endpoints(List.of("n1", "name=n1,alias=x"), List.of(), "", "")).getMessage());
        assertEquals("conflicting options: cannot attach both user-defined and non-user-defined network-modes",
                assertThrows(OptionException.class, () -> endpoints(List.of("n1", "none"), List.of(), "", "")).getMessage());
        assertEquals("network-scoped aliases are only supported for user-defined networks",
                assertThrows(OptionException.class, () -> endpoints(List.of("container:x"), List.of("a"), "", "")).getMessage());
        assertEquals("bad is not a valid mac address",
                assertThrows(OptionException.class, () -> endpoints(List.of("name=n1,mac-address=bad"), List.of(), "", "")).getMessage());
    }
}
