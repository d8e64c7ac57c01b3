package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.NaturalOrder;
import dev.berth.cli.json.Json;
import dev.berth.cli.net.IpAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code berth port CONTAINER [PRIVATE_PORT[/PROTO]]}: the container's published ports from
 * {@code NetworkSettings.Ports}, as docker 28 prints them: every binding as
 * {@code 80/tcp -> 0.0.0.0:8080}, or for one port just {@code 0.0.0.0:8080}; lines in natural
 * order; a port without host bindings is "Error: No public port '81/tcp' published for c".
 */
public final class PortCommand {
    private PortCommand() {}

    public static int run(Cli cli, ParsedArgs a) throws IOException, CliException {
        String container = a.positionals().get(0);
        Object c = cli.client().json("GET", ContainerCommands.path(container, "/json"), null);
        List<String> lines = a.positionals().size() > 1
                ? bindings(Json.obj(c, "NetworkSettings", "Ports"), a.positionals().get(1), container)
                : all(Json.obj(c, "NetworkSettings", "Ports"));
        lines.sort(NaturalOrder.INSTANCE);
        for (String l : lines) cli.out.println(l);
        return 0;
    }

    /** Every host binding as "80/tcp -> 0.0.0.0:8080" (unsorted). */
    static List<String> all(Map<String, Object> ports) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : ports.entrySet()) {
            for (Object b : Json.list(e.getValue())) out.add(e.getKey() + " -> " + hostAddress(b));
        }
        return out;
    }

    /** The host addresses of one private port ("80", "80/tcp", "53/udp"; tcp when no protocol is given). */
    static List<String> bindings(Map<String, Object> ports, String spec, String container) throws CliException {
        int slash = spec.indexOf('/');
        String port = slash < 0 ? spec : spec.substring(0, slash);
        String proto = slash < 0 || slash == spec.length() - 1 ? "tcp" : spec.substring(slash + 1);
        try {
            PortSpecs.parseUint16(port);
        } catch (OptionException e) {
            throw new CliException("Error: invalid port (" + port + "): " + e.getMessage(), 1);
        }
        List<String> out = new ArrayList<>();
        for (Object b : Json.list(ports.get(port + "/" + proto))) out.add(hostAddress(b));
        if (out.isEmpty()) throw new CliException("Error: No public port '" + spec + "' published for " + container, 1);
        return out;
    }

    private static String hostAddress(Object binding) {
        return IpAddress.joinHostPort(Json.str(binding, "HostIp"), Json.str(binding, "HostPort"));
    }
}
