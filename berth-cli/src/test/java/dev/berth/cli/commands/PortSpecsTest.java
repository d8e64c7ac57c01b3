package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.cli.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker 28's -p/--expose parsing (the end-to-end bodies are in Docker28FixturesTest). */
class PortSpecsTest {
    private static List<PortSpecs.Mapping> parse(String spec) throws OptionException { return PortSpecs.parse(spec); }

    private static PortSpecs.Mapping m(String port, String ip, String hostPort) { return new PortSpecs.Mapping(port, ip, hostPort); }

    private static String error(String spec) {
        return assertThrows(OptionException.class, () -> PortSpecs.parse(PortSpecs.standardNotation(spec)), spec).getMessage();
    }

    @Test
    void everySyntax() throws OptionException {
        assertEquals(List.of(m("80/tcp", "", "8080")), parse("8080:80"));
        assertEquals(List.of(m("80/udp", "127.0.0.1", "8080")), parse("127.0.0.1:8080:80/udp"));
        assertEquals(List.of(m("80/tcp", "", "")), parse("80"));
        assertEquals(List.of(m("80/tcp", "127.0.0.1", "")), parse("127.0.0.1::80"));
        assertEquals(List.of(m("80/tcp", "", "8000"), m("81/tcp", "", "8001")), parse("8000-8001:80-81"));
        assertEquals(List.of(m("80/tcp", "", "8000-8010")), parse("8000-8010:80")); // the daemon picks from the range
        assertEquals(List.of(m("80/tcp", "", ""), m("81/tcp", "", "")), parse("80-81"));
        assertEquals(List.of(m("80/tcp", "::1", "8080")), parse("[::1]:8080:80"));
        assertEquals(List.of(m("80/tcp", "::1", "8080")), parse("::1:8080:80"));
        assertEquals(List.of(m("80/sctp", "", "")), parse("80/SCTP"));
        assertEquals(List.of(m("80/tcp", "", "")), parse(":80"));
        assertEquals(List.of(m("80/tcp", "", "")), parse("80/"));
        assertEquals(List.of(m("80/tcp", "", "")), parse("80-80"));
        assertEquals(List.of(m("80/tcp", "", "1-2")), parse("1-2-3:80")); // docker reads only the first two numbers
        assertEquals("8080:80/tcp", PortSpecs.standardNotation("published=8080,target=80"));
        assertEquals(":80/udp", PortSpecs.standardNotation("target=80,protocol=udp,mode=host"));
    }

    @Test
    void dockersErrors() {
        assertEquals("invalid containerPort: 80000", error("8080:80000"));
        assertEquals("invalid hostPort: abc", error("abc:80"));
        assertEquals("invalid hostPort: 8001-8000", error("8001-8000:80"));
        assertEquals("invalid ranges specified for container and host Ports: 80-82 and 8000-8001", error("8000-8001:80-82"));
        assertEquals("invalid ranges specified for container and host Ports: 80-81 and 8000", error("8000:80-81"));
        assertEquals("invalid proto: xyz", error("80/xyz"));
        assertEquals("invalid IP address: 1.2.3", error("1.2.3:80:80"));
        assertEquals("invalid IP address: localhost", error("localhost:80:80"));
        assertEquals("invalid IP address: 127.0.0.1:8080", error("127.0.0.1:8080:80:90"));
        assertEquals("invalid IP address [::1: address [::1:: missing ']' in address", error("[::1:80:80"));
        assertEquals("invalid IP address [::1]x: address [::1]x:: missing port in address", error("[::1]x:80:80"));
        assertEquals("no port specified: 8080:<empty>", error("8080:"));
        assertEquals("no port specified: <empty>", error(""));
        assertEquals("no port specified: 80:/tcp<empty>", error("80:/tcp"));
        assertEquals("invalid publish opts format (should be name=value but got '=')", error("="));
        assertEquals("invalid publish opts format (should be name=value but got 'c')", error("a=b,c"));
    }

    @Test
    void exposeMergesAndSorts() throws OptionException {
        PortSpecs.Ports p = PortSpecs.collect(List.of("9090:90/udp", "8080:80", "8081:80"), List.of("7000-7001", "80", "80/XYZ"));
        assertEquals("{\"7000/tcp\":{},\"7001/tcp\":{},\"80/XYZ\":{},\"80/tcp\":{},\"90/udp\":{}}", Json.toJson(p.exposed()));
        assertEquals("{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"\",\"HostPort\":\"8081\"}],"
                + "\"90/udp\":[{\"HostIp\":\"\",\"HostPort\":\"9090\"}]}", Json.toJson(p.bindings()));
        assertEquals("invalid port format for --expose: 80:90", assertThrows(OptionException.class,
                () -> PortSpecs.collect(List.of(), List.of("80:90"))).getMessage());
        assertEquals("invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax",
                assertThrows(OptionException.class, () -> PortSpecs.collect(List.of(), List.of("abc"))).getMessage());
        assertEquals("invalid range format for --expose: 100000, error: strconv.ParseUint: parsing \"100000\": value out of range",
                assertThrows(OptionException.class, () -> PortSpecs.collect(List.of(), List.of("100000"))).getMessage());
        assertEquals("invalid range format for --expose: 80-70, error: invalid range specified for port: 80-70",
                assertThrows(OptionException.class, () -> PortSpecs.collect(List.of(), List.of("80-70"))).getMessage());
        assertEquals("invalid range format for --expose: /tcp, error: empty string specified for ports",
                assertThrows(OptionException.class, () -> PortSpecs.collect(List.of(), List.of("/tcp"))).getMessage());
    }

    @Test
    void parseUint16() throws OptionException {
        assertEquals(0, PortSpecs.parseUint16("0"));
        assertEquals(65535, PortSpecs.parseUint16("065535"));
        assertEquals("strconv.ParseUint: parsing \"65536\": value out of range",
                assertThrows(OptionException.class, () -> PortSpecs.parseUint16("65536")).getMessage());
        assertEquals("strconv.ParseUint: parsing \"99999999999999999999\": value out of range",
                assertThrows(OptionException.class, () -> PortSpecs.parseUint16("99999999999999999999")).getMessage());
        assertEquals("strconv.ParseUint: parsing \"+1\": invalid syntax",
                assertThrows(OptionException.class, () -> PortSpecs.parseUint16("+1")).getMessage());
        assertEquals("strconv.ParseUint: parsing \"\": invalid syntax",
                assertThrows(OptionException.class, () -> PortSpecs.parseUint16("")).getMessage());
    }
}
