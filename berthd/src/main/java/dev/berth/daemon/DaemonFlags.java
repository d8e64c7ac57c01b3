package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.api.ApiVersion;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * dockerd-compatible flags plus the JSON config file ({@code --config-file}, default
 * /etc/berth/daemon.json, dockerd's keys). A setting given both ways is an error, as in dockerd.
 */
public final class DaemonFlags {
    /** Thrown to end the program: help, version, or a usage error. */
    public static final class Exit extends Exception {
        final int code;
        final String message;
        Exit(int code, String message) {
            super(message, null, false, false);
            this.code = code;
            this.message = message;
        }
    }

    private record Flag(String key, boolean bool, boolean repeat, String help) {}

    private static final Map<String, Flag> FLAGS = new LinkedHashMap<>();
    private static final Map<String, String> NAMES = new LinkedHashMap<>();
    static {
        flag("hosts", false, true, "Daemon socket(s) to connect to", "-H", "--host");
        flag("data-root", false, false, "Root directory of persistent Berth state (default /var/lib/berth)", "--data-root");
        flag("exec-root", false, false, "Root directory for execution state files (default /run/berth)", "--exec-root");
        flag("pidfile", false, false, "Path to use for daemon PID file (default <exec-root>/berthd.pid)", "-p", "--pidfile");
        flag("default-runtime", false, false, "Default OCI runtime for containers: runc or crun (default runc)", "--default-runtime");
        flag("log-level", false, false, "Set the logging level: debug, info, warn, error, fatal (default info)", "-l", "--log-level");
        flag("ip-masq", true, false, "Enable IP masquerading (default true)", "--ip-masq");
        flag("iptables", true, false, "Enable addition of iptables rules (default true)", "--iptables");
        flag("bridge", false, false, "Name of the default bridge network's device (default berth0; created if missing)", "-b", "--bridge");
        flag("bip", false, false, "Specify default-bridge IPv4 network (address/prefix, e.g. 172.17.0.1/16)", "--bip");
        flag("ip-forward", true, false, "Enable IP forwarding in system configuration (default true)", "--ip-forward");
        flag("dns", false, true, "DNS server to use (default: the host's resolv.conf)", "--dns");
        flag("default-address-pools", false, true, "Default address pools for node specific local networks (base=<cidr>,size=<prefix>)", "--default-address-pool");
        flag("embedded-dns-forward", true, false, "Let the embedded DNS server forward names it does not know (default true; tests: false)", "--embedded-dns-forward");
        flag("cgroup-parent", false, false, "Parent cgroup for all containers (default berth)", "--cgroup-parent");
        flag("registry-loopback-only", true, false, "Refuse registries not on 127.0.0.0/8 or ::1 (tests: no traffic leaves the machine)", "--registry-loopback-only");
        flag("insecure-registries", false, true, "Enable insecure registry communication (host[:port] or CIDR)", "--insecure-registry");
        flag("registry-mirrors", false, true, "Preferred Docker registry mirror", "--registry-mirror");
        flag("registry-certs-dir", false, false, "Registry certificates, one <host:port> dir each (default /etc/berth/certs.d, then /etc/docker/certs.d)", "--registry-certs-dir");
        flag("max-download-attempts", false, false, "Set the max download attempts for each pull (default 5)", "--max-download-attempts");
        flag("registry-stall-timeout", false, false, "Seconds a registry may send nothing before a request fails and is retried (default 60)", "--registry-stall-timeout");
        flag("push-compression-level", false, false, "gzip level (1-9) for layers compressed by push (default 1: fastest, ~7% larger than 6)", "--push-compression-level");
        flag("config-file", false, false, "Daemon configuration file (default /etc/berth/daemon.json)", "--config-file");
    }


    private static void flag(String key, boolean bool, boolean repeat, String help, String... names) {
        Flag f = new Flag(key, bool, repeat, help);
        for (String n : names) {
            FLAGS.put(n, f);
            NAMES.put(n, key);
        }
    }

    private DaemonFlags() {}

    public static DaemonConfig parse(String[] args) throws Exit {
        Map<String, List<String>> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) throw new Exit(0, usage());
            if (a.equals("-v") || a.equals("--version")) {
                throw new Exit(0, "Berth version " + ApiVersion.BERTH_VERSION + " (Docker Engine API " + ApiVersion.CURRENT + ")");
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (a.startsWith("-") && !a.startsWith("--") && a.length() > 2) {
                name = a.substring(0, 2);
                value = a.substring(2);
            }
            Flag f = FLAGS.get(name);
            if (f == null) throw new Exit(125, "unknown flag: " + name + "\nSee 'berthd --help'.");
            if (f.bool) {
                if (value == null) value = "true";
                if (!value.equals("true") && !value.equals("false")) {
                    throw new Exit(125, "invalid argument \"" + value + "\" for \"" + name + "\" flag: parse error");
                }
            } else if (value == null) {
                if (i + 1 >= args.length) throw new Exit(125, "flag needs an argument: " + name);
                value = args[++i];
            }
            given.computeIfAbsent(f.key, k -> new ArrayList<>()).add(value);
        }
        String configFile = one(given, "config-file");
        JsonNode file = Json.obj();
        Path cf = Path.of(configFile != null ? configFile : "/etc/berth/daemon.json");
        if (Files.exists(cf)) {
            try {
                byte[] bytes = Files.readAllBytes(cf);
                file = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank() ? Json.obj() : Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new Exit(1, "unable to configure the Berth daemon with file " + cf + ": " + e.getMessage());
            }
            if (!file.isObject()) throw new Exit(1, "unable to configure the Berth daemon with file " + cf + ": not a JSON object");
            TreeSet<String> both = new TreeSet<>();
            for (String k : given.keySet()) if (!k.equals("config-file") && file.has(k)) both.add(k + ": (from flag: " + String.join(", ", given.get(k)) + ", from file: " + file.get(k) + ")");
            if (!both.isEmpty()) {
                throw new Exit(1, "unable to configure the Berth daemon with file " + cf
                        + ": the following directives are specified both as a flag and in the configuration file: " + String.join(", ", both));
            }
            for (var it = file.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!NAMES.containsValue(k) || k.equals("config-file")) {
                    throw new Exit(1, "unable to configure the Berth daemon with file " + cf + ": the following directives don't match any configuration option: " + k);
                }
            }
        } else if (configFile != null) {
            throw new Exit(1, "unable to configure the Berth daemon with file " + cf + ": open " + cf + ": no such file or directory");
        }

        List<String> hosts = list(given, file, "hosts");
        if (hosts.isEmpty()) hosts = List.of(DaemonConfig.DEFAULT_SOCKET);
        for (String h : hosts) {
            if (!h.startsWith("unix://") && !h.startsWith("tcp://") && !h.startsWith("fd://")) {
                throw new Exit(1, "invalid daemon host \"" + h + "\": expected unix:// or tcp://");
            }
        }
        Path dataRoot = Path.of(value(given, file, "data-root", "/var/lib/berth")).toAbsolutePath();
        Path execRoot = Path.of(value(given, file, "exec-root", "/run/berth")).toAbsolutePath();
        Path pid = Path.of(value(given, file, "pidfile", execRoot.resolve("berthd.pid").toString())).toAbsolutePath();
        String runtime = value(given, file, "default-runtime", "runc");
        if (!runtime.equals("runc") && !runtime.equals("crun")) throw new Exit(1, "default runtime must be runc or crun, not " + runtime);
        String level = value(given, file, "log-level", "info");
        if (!List.of("debug", "info", "warn", "error", "fatal").contains(level)) throw new Exit(1, "invalid log level: " + level);
        boolean ipMasq = Boolean.parseBoolean(value(given, file, "ip-masq", "true"));
        boolean iptables = Boolean.parseBoolean(value(given, file, "iptables", "true"));
        String cgroupParent = value(given, file, "cgroup-parent", "berth").replaceAll("^/+|/+$", "");
        boolean loopbackOnly = Boolean.parseBoolean(value(given, file, "registry-loopback-only", "false"));
        List<String> mirrors = list(given, file, "registry-mirrors");
        for (String m : mirrors) {
            if (!m.startsWith("http://") && !m.startsWith("https://")) {
                throw new Exit(1, "invalid mirror: unsupported scheme \"" + m.replaceFirst("://.*", "") + "\" in \"" + m + "\"");
            }
        }
        String certs = value(given, file, "registry-certs-dir", null);
        List<Path> certsDirs = certs != null ? List.of(Path.of(certs)) : List.of(Path.of("/etc/berth/certs.d"), Path.of("/etc/docker/certs.d"));
        int attempts = positiveInt(value(given, file, "max-download-attempts", "5"), "max-download-attempts");
        double stall = positiveNumber(value(given, file, "registry-stall-timeout", "60"), "registry-stall-timeout");
        int gzipLevel = positiveInt(value(given, file, "push-compression-level", "1"), "push-compression-level");
        if (gzipLevel > 9) throw new Exit(1, "invalid push-compression-level \"" + gzipLevel + "\": must be 1 to 9");
        String bridge = value(given, file, "bridge", "berth0");
        if (!bridge.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")) throw new Exit(1, "invalid bridge name \"" + bridge + "\"");
        String bip = value(given, file, "bip", null);
        if (bip != null && !bip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) throw new Exit(1, "invalid bip \"" + bip + "\": expected address/prefix such as 172.17.0.1/16");
        boolean ipForward = Boolean.parseBoolean(value(given, file, "ip-forward", "true"));
        boolean dnsForward = Boolean.parseBoolean(value(given, file, "embedded-dns-forward", "true"));
        List<String> dns = list(given, file, "dns");
        for (String d : dns) {
            if (!d.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) throw new Exit(1, "invalid dns \"" + d + "\": IPv4 address expected");
        }
        return new DaemonConfig(hosts, dataRoot, execRoot, pid, runtime, level, ipMasq, iptables, cgroupParent, loopbackOnly,
                list(given, file, "insecure-registries"), mirrors, certsDirs, attempts, java.time.Duration.ofMillis(Math.round(stall * 1000)),
                gzipLevel, new DaemonConfig.Net(bridge, bip, ipForward, dns, dnsForward, addressPools(given, file)));
    }

    /**
     * {@code --default-address-pool base=10.10.0.0/16,size=24} (repeatable) or daemon.json's
     * {@code "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]}, checked here.
     */
    private static List<String> addressPools(Map<String, List<String>> given, JsonNode file) throws Exit {
        List<String> out = new ArrayList<>();
        if (given.containsKey("default-address-pools")) {
            out.addAll(given.get("default-address-pools"));
        } else if (file.has("default-address-pools")) {
            JsonNode pools = file.get("default-address-pools");
            if (!pools.isArray()) throw new Exit(1, "invalid default-address-pools: an array of {\"base\", \"size\"} objects is expected");
            for (JsonNode p : pools) out.add("base=" + p.path("base").asText("") + ",size=" + p.path("size").asText(""));
        }
        for (String p : out) {
            try {
                dev.berth.daemon.net.NetworkService.AddressPool.parse(p);
            } catch (RuntimeException e) {
                throw new Exit(1, e.getMessage());
            }
        }
        return out;
    }

    private static int positiveInt(String v, String key) throws Exit {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Exit(1, "invalid " + key + " \"" + v + "\": must be a positive integer");
    }

    private static double positiveNumber(String v, String key) throws Exit {
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && d < 1e6) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Exit(1, "invalid " + key + " \"" + v + "\": must be a positive number of seconds");
    }

    private static String one(Map<String, List<String>> given, String key) {
        List<String> v = given.get(key);
        return v == null ? null : v.getLast();
    }

    /** A repeatable flag, or a JSON array (or single string) in the file; empty when neither. */
    private static List<String> list(Map<String, List<String>> given, JsonNode file, String key) {
        if (given.containsKey(key)) return given.get(key);
        List<String> out = new ArrayList<>();
        JsonNode f = file.get(key);
        if (f != null && f.isArray()) f.forEach(x -> out.add(x.asText()));
        else if (f != null && !f.isNull()) out.add(f.asText());
        return out;
    }

    private static String value(Map<String, List<String>> given, JsonNode file, String key, String dflt) {
        String v = one(given, key);
        if (v != null) return v;
        JsonNode f = file.get(key);
        return f == null || f.isNull() ? dflt : f.asText();
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("Usage:\tberthd [OPTIONS]\n\nA self-sufficient runtime for containers, serving the Docker Engine API.\n\nOptions:\n");
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        FLAGS.forEach((n, f) -> byKey.computeIfAbsent(f.key, k -> new ArrayList<>()).add(n));
        byKey.forEach((k, names) -> sb.append(String.format("  %-28s %s%n", String.join(", ", names), FLAGS.get(names.getFirst()).help)));
        return sb.toString();
    }
}
