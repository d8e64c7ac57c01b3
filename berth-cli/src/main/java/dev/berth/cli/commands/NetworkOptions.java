package dev.berth.cli.commands;

import dev.berth.cli.flags.Csv;
import dev.berth.cli.flags.FlagSpec;
import dev.berth.cli.format.GoStrings;
import dev.berth.cli.net.MacAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code run}/{@code create} networking as the docker CLI 28 sends it: {@code --network}
 * (repeatable; a name, {@code host}, {@code none}, {@code container:<id>}, or the long form
 * {@code name=n,alias=a,ip=…,ip6=…,mac-address=…,link-local-ip=…,driver-opt=k=v,gw-priority=N}),
 * with {@code --ip}, {@code --network-alias} and {@code --mac-address} applied to the first
 * network. Gives {@code HostConfig.NetworkMode} and {@code NetworkingConfig.EndpointsConfig}.
 */
public final class NetworkOptions {
    /** The {@code --network} flag's check (docker's NetworkOpt.Set); values are kept as given. */
    public static final FlagSpec.Validator FLAG = new FlagSpec.Validator() {
        @Override
        public String apply(String value) {
            parse(value);
            return value;
        }
    };

    private NetworkOptions() {}

    /** One {@code --network} value: the network and its endpoint settings. */
    record Attachment(String target, List<String> aliases, String ipv4, String ipv6, String mac,
                      List<String> linkLocalIps, Map<String, Object> driverOpts, long gwPriority) {}

    /** Docker's NetworkOpt.Set: the long form is lower-cased whole (values too), as docker does. */
    static Attachment parse(String value) {
        if (!isLongSyntax(value)) return new Attachment(value, List.of(), "", "", "", List.of(), Map.of(), 0);
        String target = "", ipv4 = "", ipv6 = "", mac = "";
        List<String> aliases = new ArrayList<>(), linkLocal = new ArrayList<>();
        Map<String, Object> driverOpts = new TreeMap<>();
        long gwPriority = 0;
        for (String field : Csv.fields(value)) {
            String lower = field.toLowerCase(Locale.ROOT);
            int eq = lower.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("invalid field " + field);
            String key = lower.substring(0, eq).strip(), val = lower.substring(eq + 1).strip();
            switch (key) {
                case "name" -> target = val;
                case "alias" -> aliases.add(val);
                case "ip" -> ipv4 = val;
                case "ip6" -> ipv6 = val;
                case "mac-address" -> mac = val;
                case "link-local-ip" -> linkLocal.add(val);
                case "driver-opt" -> {
                    int e = val.indexOf('=');
                    if (e <= 0) throw new IllegalArgumentException("invalid key value pair format in driver options");
                    driverOpts.put(val.substring(0, e).strip(), val.substring(e + 1).strip());
                }
                case "gw-priority" -> gwPriority = parseInt(val);
                default -> throw new IllegalArgumentException("invalid field key " + key);
            }
        }
        if (target.isEmpty()) throw new IllegalArgumentException("network name/id is not specified");
        return new Attachment(target, aliases, ipv4, ipv6, mac, linkLocal, driverOpts, gwPriority);
    }

    /** Docker's test for the long form, the regular expression {@code \w+=\w+} found anywhere. */
    private static boolean isLongSyntax(String v) {
        for (int i = 1; i + 1 < v.length(); i++) {
            if (v.charAt(i) == '=' && word(v.charAt(i - 1)) && word(v.charAt(i + 1))) return true;
        }
        return false;
    }

    private static boolean word(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** Go's {@code strconv.Atoi} for gw-priority, with docker's message. */
    private static long parseInt(String v) {
        String digits = v.startsWith("+") || v.startsWith("-") ? v.substring(1) : v;
        boolean ok = !digits.isEmpty();
        for (int i = 0; i < digits.length() && ok; i++) ok = digits.charAt(i) >= '0' && digits.charAt(i) <= '9';
        if (!ok) throw new IllegalArgumentException("invalid gw-priority (" + v + "): invalid syntax");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid gw-priority (" + v + "): value out of range");
        }
    }

    /** The first network's name, or "default". */
    static String networkMode(List<String> networks) {
        return networks.isEmpty() ? "default" : parse(networks.getFirst()).target();
    }

    /**
     * EndpointsConfig: "default" (always, when no --network is given), else every network by
     * name — except that a single network without settings is left out, as docker does.
     */
    static Map<String, Object> endpointsConfig(List<String> networks, List<String> aliases, String ip, String mac)
            throws OptionException {
        Map<String, Object> endpoints = new TreeMap<>();
        if (networks.isEmpty()) {
            endpoints.put("default", endpoint(withContainerOptions(parse("default"), aliases, ip, mac)));
            return endpoints;
        }
        boolean userDefined = false, other = false;
        for (int i = 0; i < networks.size(); i++) {
            Attachment n = parse(networks.get(i));
            if (isUserDefined(n.target())) userDefined = true;
            else other = true;
            if (i == 0) n = withContainerOptions(n, aliases, ip, mac);
            Map<String, Object> ep = endpoint(n);
            if (endpoints.containsKey(n.target())) {
                throw new OptionException("network " + GoStrings.quote(n.target()) + " is specified multiple times");
            }
            if (i == 0 && networks.size() == 1 && isEmpty(ep)) continue;
            endpoints.put(n.target(), ep);
        }
        if (userDefined && other) {
            throw new OptionException("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
        }
        return endpoints;
    }

    /** --network-alias, --ip and --mac-address on the first network; refused where the long form set them too. */
    private static Attachment withContainerOptions(Attachment n, List<String> aliases, String ip, String mac) throws OptionException {
        if (!n.aliases().isEmpty() && !aliases.isEmpty()) {
            throw new OptionException("conflicting options: cannot specify both --network-alias and per-network alias");
        }
        if (!n.ipv4().isEmpty() && !ip.isEmpty()) {
            throw new OptionException("conflicting options: cannot specify both --ip and per-network IPv4 address");
        }
        if (!n.mac().isEmpty() && !mac.isEmpty()) {
            throw new OptionException("conflicting options: cannot specify both --mac-address and per-network MAC address");
        }
        return new Attachment(n.target(), aliases.isEmpty() ? n.aliases() : List.copyOf(aliases), ip.isEmpty() ? n.ipv4() : ip,
                n.ipv6(), mac.isEmpty() ? n.mac() : mac, n.linkLocalIps(), n.driverOpts(), n.gwPriority());
    }

    /** EndpointSettings in docker's field order, zero values included. */
    static Map<String, Object> endpoint(Attachment n) throws OptionException {
        if (n.target().isBlank()) throw new OptionException("no name set for network");
        if (!isUserDefined(n.target()) && !n.aliases().isEmpty()) {
            throw new OptionException("network-scoped aliases are only supported for user-defined networks");
        }
        Map<String, Object> ep = new LinkedHashMap<>();
        Map<String, Object> ipam = null;
        if (!n.ipv4().isEmpty() || !n.ipv6().isEmpty() || !n.linkLocalIps().isEmpty()) {
            ipam = new LinkedHashMap<>();
            if (!n.ipv4().isEmpty()) ipam.put("IPv4Address", n.ipv4());
            if (!n.ipv6().isEmpty()) ipam.put("IPv6Address", n.ipv6());
            if (!n.linkLocalIps().isEmpty()) ipam.put("LinkLocalIPs", new ArrayList<Object>(n.linkLocalIps()));
        }
        if (!n.mac().isEmpty() && !MacAddress.valid(n.mac().strip())) throw new OptionException(n.mac() + " is not a valid mac address");
        ep.put("IPAMConfig", ipam);
        ep.put("Links", null);
        ep.put("Aliases", n.aliases().isEmpty() ? null : new ArrayList<Object>(n.aliases()));
        ep.put("MacAddress", n.mac());
        ep.put("DriverOpts", n.driverOpts().isEmpty() ? null : n.driverOpts());
        ep.put("GwPriority", n.gwPriority());
        putZeroState(ep);
        return ep;
    }

    /** The read-only half of EndpointSettings, which clients send empty. */
    static void putZeroState(Map<String, Object> ep) {
        ep.put("NetworkID", "");
        ep.put("EndpointID", "");
        ep.put("Gateway", "");
        ep.put("IPAddress", "");
        ep.put("IPPrefixLen", 0L);
        ep.put("IPv6Gateway", "");
        ep.put("GlobalIPv6Address", "");
        ep.put("GlobalIPv6PrefixLen", 0L);
        ep.put("DNSNames", null);
    }

    private static boolean isEmpty(Map<String, Object> ep) {
        return ep.get("IPAMConfig") == null && ep.get("Aliases") == null && "".equals(ep.get("MacAddress"))
                && ep.get("DriverOpts") == null && Long.valueOf(0).equals(ep.get("GwPriority"));
    }

    /** Docker's NetworkMode.IsUserDefined: not default, bridge, host, none or container:&lt;id&gt;. */
    static boolean isUserDefined(String mode) {
        return !mode.equals("default") && !mode.equals("bridge") && !mode.equals("host") && !mode.equals("none")
                && !mode.startsWith("container:");
    }
}
