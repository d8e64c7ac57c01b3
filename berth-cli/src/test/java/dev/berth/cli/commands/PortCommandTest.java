package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.cli.CliException;
import dev.berth.cli.format.NaturalOrder;
import dev.berth.cli.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** berth port's lines (end to end against docker's captured output: Docker28FixturesTest). */
class PortCommandTest {
    private static final Map<String, Object> PORTS = Json.obj(Json.parse("""
            {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}],
             "9/tcp":[{"HostIp":"0.0.0.0","HostPort":"9000"}],"443/tcp":null,"82/sctp":[],
             "53/udp":[{"HostIp":"","HostPort":"5353"}]}"""));

    @Test
    void allBindingsInNaturalOrder() {
        List<String> lines = PortCommand.all(PORTS);
        lines.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("9/tcp -> 0.0.0.0:9000", "53/udp -> :5353", "80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080"), lines);
    }

    @Test
    void onePort() throws CliException {
        assertEquals(List.of("0.0.0.0:8080", "[::]:8080"), PortCommand.bindings(PORTS, "80", "c"));
        assertEquals(List.of("0.0.0.0:8080", "[::]:8080"), PortCommand.bindings(PORTS, "80/tcp", "c"));
        assertEquals(List.of(":5353"), PortCommand.bindings(PORTS, "53/udp", "c"));
        assertEquals("Error: No public port '443/tcp' published for c",
                assertThrows(CliException.class, () -> PortCommand.bindings(PORTS, "443/tcp", "c")).getMessage());
        assertEquals("Error: No public port '82/sctp' published for web",
                assertThrows(CliException.class, () -> PortCommand.bindings(PORTS, "82/sctp", "web")).getMessage());
        assertEquals("Error: No public port '53' published for c",
                assertThrows(CliException.class, () -> PortCommand.bindings(PORTS, "53", "c")).getMessage());
        assertEquals("Error: invalid port (abc): strconv.ParseUint: parsing \"abc\": invalid syntax",
                assertThrows(CliException.class, () -> PortCommand.bindings(PORTS, "abc/udp", "c")).getMessage());
        assertEquals(1, assertThrows(CliException.class, () -> PortCommand.bindings(PORTS, "81", "c")).exitCode());
    }
}
