package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.commands.FakeDaemon.Response;
import dev.berth.cli.json.Json;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the docker-captured cases (Docker28FixturesTest) do not cover: Berth's deliberate
 * differences and the config.json settings the network commands read.
 */
class NetworkCommandsTest {
    @Test
    void severalSubnetsKeepTheirFlagOrderAndEachRangeOrGatewayOneSubnet() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            d.answer(r -> Response.json(201, "{\"Id\":\"abc\"}"));
            FakeDaemon.Result ok = d.berth("", "network", "create", "--subnet", "10.6.0.0/16,10.5.0.0/16", "--gateway", "10.5.0.1",
                    "--ip-range", "10.6.1.0/24", "--aux-address", "b=10.5.0.9", "--aux-address", "a=10.5.0.8", "n1");
            assertEquals(0, ok.code(), ok.err());
            assertEquals("abc\n", ok.out());
            assertEquals("{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":\"10.6.0.0/16\",\"IPRange\":\"10.6.1.0/24\"},"
                    + "{\"Subnet\":\"10.5.0.0/16\",\"Gateway\":\"10.5.0.1\",\"AuxiliaryAddresses\":{\"a\":\"10.5.0.8\",\"b\":\"10.5.0.9\"}}]}",
                    Json.toJson(Json.get(Json.parse(d.requests.getFirst().body()), "IPAM")));

            FakeDaemon.Result ranges = d.berth("", "network", "create", "--subnet", "10.5.0.0/16", "--subnet", "10.6.0.0/16",
                    "--ip-range", "10.5.1.0/24", "--ip-range", "10.5.2.0/24", "n1");
            assertEquals(1, ranges.code());
            assertEquals("cannot configure multiple ranges (10.5.2.0/24, 10.5.1.0/24) on the same subnet (10.5.0.0/16)\n", ranges.err());
            FakeDaemon.Result gateways = d.berth("", "network", "create", "--subnet", "10.5.0.0/16,10.6.0.0/16",
                    "--gateway", "10.5.0.1,10.5.0.2", "n1");
            assertEquals("cannot configure multiple gateways (10.5.0.2, 10.5.0.1) for the same subnet (10.5.0.0/16)\n", gateways.err());
            assertEquals(1, d.requests.size()); // refused before asking the daemon
        }
    }

    @Test
    void connectRefusesIpv6AndLinks() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            FakeDaemon.Result ip6 = d.berth("", "network", "connect", "--ip6", "2001:db8::33", "n1", "c1");
            assertEquals(1, ip6.code());
            assertEquals("berth: IPv6 is not supported: --ip6 2001:db8::33\n", ip6.err());
            FakeDaemon.Result link = d.berth("", "network", "connect", "--link", "db:db", "n1", "c1");
            assertEquals(1, link.code());
            assertTrue(link.err().startsWith("berth: legacy links are not supported: --link db:db"), link.err());
            FakeDaemon.Result opt = d.berth("", "network", "connect", "--driver-opt", "=x", "n1", "c1");
            assertEquals("invalid key/value pair format in driver options\n", opt.err());
            assertEquals(List.of(), d.requests);
        }
    }

    @Test
    void configFileFormatsAndPruneFilters() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            Files.createDirectories(d.configDir);
            Files.writeString(d.configDir.resolve("config.json"),
                    "{\"networksFormat\":\"{{.Name}}/{{.Driver}}\",\"pruneFilters\":[\"label=keep!=yes\",\"until=24h\"]}");
            d.answer(r -> r.method().equals("GET")
                    ? Response.json(200, "[{\"Name\":\"b\",\"Id\":\"2\",\"Driver\":\"bridge\"},{\"Name\":\"a\",\"Id\":\"1\",\"Driver\":\"null\"}]")
                    : Response.json(200, "{\"NetworksDeleted\":[]}"));
            assertEquals("a/null\nb/bridge\n", d.berth("", "network", "ls").out());
            assertEquals("1\n2\n", d.berth("", "network", "ls", "-q").out()); // -q ignores networksFormat
            FakeDaemon.Result prune = d.berth("", "network", "prune", "-f");
            assertEquals("", prune.out()); // nothing deleted: no report
            assertEquals("/v1.47/networks/prune?filters=%7B%22label%22%3A%7B%22keep%21%3Dyes%22%3Atrue%7D%2C%22until%22%3A%7B%2224h%22%3Atrue%7D%7D",
                    d.requests.getLast().target());
        }
    }

    @Test
    void inspectVerbose() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            d.answer(r -> Response.json(200, "{\"Name\":\"n1\"}"));
            assertEquals("n1\n", d.berth("", "network", "inspect", "-v", "-f", "{{.Name}}", "n1").out());
            assertEquals("/v1.47/networks/n1?verbose=true", d.requests.getLast().target());
        }
    }
}
