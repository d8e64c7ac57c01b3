package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.Csv;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoTemplate;
import dev.berth.cli.format.GoTime;
import dev.berth.cli.format.ListFormatter;
import dev.berth.cli.format.NaturalOrder;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.net.Cidr;
import dev.berth.cli.net.IpAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code berth network create|ls|inspect|rm|prune|connect|disconnect}: docker CLI 28's flags,
 * request bodies and output (fixtures: src/test/resources/docker28/network.json). Differences,
 * on purpose: several {@code --subnet}s keep their flag order in {@code IPAM.Config} (docker's
 * order is a Go map's, random); {@code rm} does not inspect each network first (docker does, to
 * warn before removing a swarm ingress network, which Berth has none of); {@code connect}
 * refuses {@code --ip6} and {@code --link} (Berth has no IPv6 and no legacy links).
 */
public final class NetworkCommands {
    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
    static final String PRUNE_WARNING = "WARNING! This will remove all custom networks not used by at least one container.\n"
            + "Are you sure you want to continue?";

    private NetworkCommands() {}

    public static int create(Cli cli, ParsedArgs a) throws IOException, CliException {
        Map<String, Object> ipam;
        try {
            ipam = ipam(a);
        } catch (OptionException e) {
            throw new CliException(e.getMessage(), 1);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Driver", a.str("driver", "bridge"));
        body.put("Scope", a.str("scope", ""));
        if (a.has("ipv4")) body.put("EnableIPv4", a.bool("ipv4"));
        if (a.has("ipv6")) body.put("EnableIPv6", a.bool("ipv6"));
        body.put("IPAM", ipam);
        body.put("Internal", a.bool("internal"));
        body.put("Attachable", a.bool("attachable"));
        body.put("Ingress", a.bool("ingress"));
        body.put("ConfigOnly", a.bool("config-only"));
        String from = a.str("config-from", "");
        body.put("ConfigFrom", from.isEmpty() ? null : new LinkedHashMap<String, Object>(Map.of("Network", from)));
        body.put("Options", keyValues(a.list("opt")));
        body.put("Labels", keyValues(a.list("label")));
        body.put("Name", a.positionals().get(0));
        cli.out.println(Json.str(cli.client().json("POST", "/networks/create", body), "Id"));
        return 0;
    }

    /**
     * IPAM from --subnet, --ip-range, --gateway and --aux-address (each range, gateway and
     * auxiliary address must fall in one subnet; subnets must not overlap), checked as docker
     * 28 does and with its messages. Values are sent as given.
     */
    static Map<String, Object> ipam(ParsedArgs a) throws OptionException {
        List<String> subnets = Csv.all(a.list("subnet"));
        List<String> ranges = Csv.all(a.list("ip-range"));
        List<String> gateways = Csv.all(a.list("gateway"));
        if (subnets.size() < ranges.size() || subnets.size() < gateways.size()) {
            throw new OptionException("every ip-range or gateway must have a corresponding subnet");
        }
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        for (String s : subnets) {
            for (String k : configs.keySet()) {
                if (subnetMatches(s, k) || subnetMatches(k, s)) throw new OptionException("multiple overlapping subnet configuration is not supported");
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Subnet", s);
            configs.put(s, c);
        }
        for (String r : ranges) {
            boolean match = false;
            for (String s : subnets) {
                try {
                    Cidr.parse(r);
                } catch (IllegalArgumentException e) {
                    throw new OptionException(e.getMessage());
                }
                if (!subnetMatches(s, r)) continue;
                Object previous = configs.get(s).get("IPRange");
                if (previous != null) throw new OptionException("cannot configure multiple ranges (" + r + ", " + previous + ") on the same subnet (" + s + ")");
                configs.get(s).put("IPRange", r);
                match = true;
            }
            if (!match) throw new OptionException("no matching subnet for range " + r);
        }
        for (String g : gateways) {
            boolean match = false;
            for (String s : subnets) {
                if (!subnetMatches(s, g)) continue;
                Object previous = configs.get(s).get("Gateway");
                if (previous != null) throw new OptionException("cannot configure multiple gateways (" + g + ", " + previous + ") for the same subnet (" + s + ")");
                configs.get(s).put("Gateway", g);
                match = true;
            }
            if (!match) throw new OptionException("no matching subnet for gateway " + g);
        }
        Map<String, Map<String, Object>> aux = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : keyValues(a.list("aux-address")).entrySet()) {
            String address = (String) e.getValue();
            boolean match = false;
            for (String s : subnets) {
                if (!subnetMatches(s, address)) continue;
                aux.computeIfAbsent(s, k -> new TreeMap<>()).put(e.getKey(), address);
                match = true;
            }
            if (!match) throw new OptionException("no matching subnet for aux-address " + address);
        }
        List<Object> config = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : configs.entrySet()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Subnet", e.getKey());
            if (e.getValue().containsKey("IPRange")) c.put("IPRange", e.getValue().get("IPRange"));
            if (e.getValue().containsKey("Gateway")) c.put("Gateway", e.getValue().get("Gateway"));
            if (aux.containsKey(e.getKey())) c.put("AuxiliaryAddresses", aux.get(e.getKey()));
            config.add(c);
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", a.str("ipam-driver", "default"));
        ipam.put("Options", keyValues(a.list("ipam-opt")));
        ipam.put("Config", config);
        return ipam;
    }

    /** Whether {@code data} (an address, or the address of a CIDR) lies in {@code subnet}. */
    private static boolean subnetMatches(String subnet, String data) throws OptionException {
        Cidr net;
        try {
            net = Cidr.parse(subnet);
        } catch (IllegalArgumentException e) {
            throw new OptionException("invalid subnet: " + e.getMessage());
        }
        byte[] ip;
        int slash = data.indexOf('/');
        if (slash >= 0) {
            try {
                Cidr.parse(data);
            } catch (IllegalArgumentException e) {
                throw new OptionException(e.getMessage());
            }
            ip = IpAddress.parse(data.substring(0, slash));
        } else {
            ip = IpAddress.parse(data);
        }
        return ip != null && net.contains(ip);
    }

    /** Docker's map flags (-o, --label, --ipam-opt, --aux-address): "k=v", or "k" for an empty value; sorted as Go marshals maps. */
    private static Map<String, Object> keyValues(List<String> values) {
        Map<String, Object> m = new TreeMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            m.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
        }
        return m;
    }

    public static int ls(Cli cli, ParsedArgs a) throws IOException {
        Object list = cli.client().json("GET", "/networks" + new Query().opt("filters", Filters.toJson(a.list("filter"))), null);
        List<Object> networks = new ArrayList<>(Json.list(list));
        networks.sort((x, y) -> NaturalOrder.INSTANCE.compare(Json.str(x, "Name"), Json.str(y, "Name")));
        boolean quiet = a.bool("quiet");
        String format = a.str("format", "");
        if (format.isEmpty() && !quiet) format = cli.config().string("networksFormat");
        if (quiet && (format.isEmpty() || format.equals("table"))) format = "{{.ID}}";
        boolean trunc = !a.bool("no-trunc");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object n : networks) rows.add(row(n, trunc));
        cli.out.print(ListFormatter.render(format, DEFAULT_TABLE, rows, headers()));
        return 0;
    }

    static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("ID", "NETWORK ID");
        h.put("Name", "NAME");
        h.put("Driver", "DRIVER");
        h.put("Scope", "SCOPE");
        h.put("IPv4", "IPV4");
        h.put("IPv6", "IPV6");
        h.put("Internal", "INTERNAL");
        h.put("Labels", "LABELS");
        h.put("CreatedAt", "CREATED AT");
        h.put("Label", (Function<Object, Object>) k -> "LABEL");
        return h;
    }

    /** The fields of one network row (docker's networkContext). */
    static Map<String, Object> row(Object n, boolean trunc) {
        Map<String, Object> r = new LinkedHashMap<>();
        String id = Json.str(n, "Id");
        r.put("ID", trunc ? Units.shortId(id) : id);
        r.put("Name", Json.str(n, "Name"));
        r.put("Driver", Json.str(n, "Driver"));
        r.put("Scope", Json.str(n, "Scope"));
        r.put("IPv4", Boolean.toString(Json.bool(n, "EnableIPv4")));
        r.put("IPv6", Boolean.toString(Json.bool(n, "EnableIPv6")));
        r.put("Internal", Boolean.toString(Json.bool(n, "Internal")));
        Map<String, Object> labels = Json.obj(n, "Labels");
        List<String> lv = new ArrayList<>();
        for (Map.Entry<String, Object> e : labels.entrySet()) lv.add(e.getKey() + "=" + e.getValue());
        r.put("Labels", String.join(",", lv));
        r.put("CreatedAt", GoTime.string(Json.str(n, "Created")));
        r.put("Label", (Function<Object, Object>) k -> {
            Object v = labels.get(String.valueOf(k));
            return v == null ? "" : v;
        });
        return r;
    }

    /**
     * Without a format, the networks as the daemon sent them, in one JSON array indented like
     * docker's; {@code json}: the same compacted; a template: applied to each. Every failure is
     * reported after the output, exit 1.
     */
    public static int inspect(Cli cli, ParsedArgs a) throws IOException {
        String format = a.str("format", "");
        GoTemplate template = format.isEmpty() || format.equals("json") ? null : GoTemplate.parse(GoTemplate.unescape(format));
        String q = new Query().add("verbose", a.bool("verbose") ? "true" : null).toString();
        List<String> raws = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : a.positionals()) {
            String raw;
            try {
                raw = cli.client().text("GET", "/networks/" + Query.seg(name) + q).trim();
            } catch (DaemonException e) {
                errors.add(e.display());
                continue;
            }
            if (template != null) cli.out.println(template.execute(Json.parse(raw)));
            else raws.add(raw);
        }
        if (template == null) {
            String all = "[" + String.join(",", raws) + "]";
            cli.out.println(format.equals("json") ? Json.compact(all) : raws.isEmpty() ? "[]" : Json.indent(all, "    "));
        }
        if (errors.isEmpty()) return 0;
        cli.out.flush();
        for (String e : errors) cli.err.println(e);
        return 1;
    }

    /** Each name printed once removed; with -f a missing network is not an error. */
    public static int rm(Cli cli, ParsedArgs a) throws IOException {
        boolean failed = false;
        for (String name : a.positionals()) {
            try {
                cli.client().expectOk("DELETE", "/networks/" + Query.seg(name));
                cli.out.println(name);
            } catch (DaemonException e) {
                if (a.bool("force") && e.status() == 404) continue;
                failed = true;
                cli.out.flush();
                cli.err.println(e.display());
            }
        }
        if (!failed) return 0;
        cli.err.println("exit status 1"); // docker prints its StatusError's text too
        return 1;
    }

    public static int prune(Cli cli, ParsedArgs a) throws IOException {
        List<String> filters = ImagePrune.withConfiguredFilters(a.list("filter"), cli.config().strings("pruneFilters"));
        if (!a.bool("force") && !ImagePrune.confirm(cli, PRUNE_WARNING)) return 0; // docker: cancelled quietly
        Object report = cli.client().json("POST", "/networks/prune" + new Query().opt("filters", Filters.toJson(filters)), null);
        List<Object> deleted = Json.list(report, "NetworksDeleted");
        if (deleted.isEmpty()) return 0;
        StringBuilder sb = new StringBuilder("Deleted Networks:\n");
        for (Object n : deleted) sb.append(n).append('\n');
        cli.out.println(sb);
        return 0;
    }

    public static int connect(Cli cli, ParsedArgs a) throws IOException, CliException {
        if (!a.str("ip6", "").isEmpty()) throw new CliException("berth: IPv6 is not supported: --ip6 " + a.str("ip6"), 1);
        if (!a.list("link").isEmpty()) {
            throw new CliException("berth: legacy links are not supported: --link " + a.list("link").getFirst()
                    + " (containers on a user-defined network reach each other by name and --alias)", 1);
        }
        Map<String, Object> driverOpts = new TreeMap<>();
        for (String o : Csv.all(a.list("driver-opt"))) {
            int eq = o.indexOf('=');
            if (eq < 0 || o.substring(0, eq).isBlank()) throw new CliException("invalid key/value pair format in driver options", 1);
            driverOpts.put(o.substring(0, eq).strip(), o.substring(eq + 1).strip());
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        if (!a.str("ip", "").isEmpty()) ipam.put("IPv4Address", a.str("ip"));
        List<String> linkLocal = Csv.all(a.list("link-local-ip"));
        if (!linkLocal.isEmpty()) ipam.put("LinkLocalIPs", new ArrayList<Object>(linkLocal));
        Map<String, Object> ep = new LinkedHashMap<>();
        ep.put("IPAMConfig", ipam);
        ep.put("Links", null);
        ep.put("Aliases", new ArrayList<Object>(Csv.all(a.list("alias"))));
        ep.put("MacAddress", "");
        ep.put("DriverOpts", driverOpts);
        ep.put("GwPriority", a.integer("gw-priority", 0));
        NetworkOptions.putZeroState(ep);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", a.positionals().get(1));
        body.put("EndpointConfig", ep);
        cli.client().json("POST", "/networks/" + Query.seg(a.positionals().get(0)) + "/connect", body);
        return 0;
    }

    public static int disconnect(Cli cli, ParsedArgs a) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", a.positionals().get(1));
        body.put("Force", a.bool("force"));
        cli.client().json("POST", "/networks/" + Query.seg(a.positionals().get(0)) + "/disconnect", body);
        return 0;
    }
}
