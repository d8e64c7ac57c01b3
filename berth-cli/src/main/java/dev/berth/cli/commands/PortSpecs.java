package dev.berth.cli.commands;

import dev.berth.cli.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code -p/--publish} and {@code --expose} as the docker CLI 28 reads them, into the create
 * body's {@code ExposedPorts} and {@code HostConfig.PortBindings}.
 *
 * <p>Publish syntax: {@code [ip:][hostPort:]containerPort[/proto]} where both ports may be
 * ranges ({@code 8000-8001:80-81}: one binding per port; a host range with a single container
 * port is kept as a range for the daemon to pick from), the IP may be bracketed IPv6, and
 * {@code proto} is tcp (default), udp or sctp, case-insensitive; or the long form
 * {@code published=8080,target=80[,protocol=udp]}. Errors carry docker's messages.
 */
final class PortSpecs {
    private PortSpecs() {}

    /** One container port ({@code "80/tcp"}) and the host address to bind it to. */
    record Mapping(String port, String hostIp, String hostPort) {}

    /** Sorted like Go's JSON maps: {@code ExposedPorts} ({@code {"80/tcp":{}}}) and {@code PortBindings}. */
    record Ports(Map<String, Object> exposed, Map<String, Object> bindings) {}

    /** All {@code -p} values, then {@code --expose} values merged into the exposed set. */
    static Ports collect(List<String> publish, List<String> expose) throws OptionException {
        Map<String, Object> exposed = new TreeMap<>();
        Map<String, Object> bindings = new TreeMap<>();
        for (String p : publish) {
            for (Mapping m : parse(standardNotation(p))) {
                exposed.putIfAbsent(m.port(), new TreeMap<String, Object>());
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) bindings.get(m.port());
                if (list == null) bindings.put(m.port(), list = new ArrayList<>());
                Map<String, Object> b = new java.util.LinkedHashMap<>();
                b.put("HostIp", m.hostIp());
                b.put("HostPort", m.hostPort());
                list.add(b);
            }
        }
        for (String e : expose) {
            if (e.indexOf(':') >= 0) throw new OptionException("invalid port format for --expose: " + e);
            String[] pp = splitProtoPort(e);
            long[] range;
            try {
                range = portRange(pp[1]);
            } catch (OptionException x) {
                throw new OptionException("invalid range format for --expose: " + e + ", error: " + x.getMessage());
            }
            for (long i = range[0]; i <= range[1]; i++) exposed.putIfAbsent(i + "/" + pp[0], new TreeMap<String, Object>());
        }
        return new Ports(exposed, bindings);
    }

    /** The long form {@code published=P,target=T,protocol=X} as {@code P:T/X}; other values unchanged. */
    static String standardNotation(String publish) throws OptionException {
        if (publish.indexOf('=') < 0) return publish;
        String published = "", target = "", protocol = "tcp";
        for (String param : publish.split(",", -1)) {
            int eq = param.indexOf('=');
            if (eq <= 0) throw new OptionException("invalid publish opts format (should be name=value but got '" + param + "')");
            String v = param.substring(eq + 1);
            switch (param.substring(0, eq)) {
                case "published" -> published = v;
                case "target" -> target = v;
                case "protocol" -> protocol = v;
                default -> { } // mode and other keys: accepted and ignored, as docker does
            }
        }
        return published + ":" + target + "/" + protocol;
    }

    /** One {@code [ip:][hostPort:]containerPort[/proto]} spec. */
    static List<Mapping> parse(String raw) throws OptionException {
        String[] parts = raw.split(":", -1);
        int n = parts.length;
        String ip = n <= 2 ? "" : String.join(":", java.util.Arrays.copyOfRange(parts, 0, n - 2));
        String hostPort = n == 1 ? "" : parts[n - 2];
        String[] pp = splitProtoPort(parts[n - 1]);
        String proto = pp[0], containerPort = pp[1];
        if (!ip.isEmpty() && ip.charAt(0) == '[') ip = unbracket(ip);
        if (!ip.isEmpty() && IpAddress.parse(ip) == null) throw new OptionException("invalid IP address: " + ip);
        if (containerPort.isEmpty()) throw new OptionException("no port specified: " + raw + "<empty>");
        long[] c, h = {0, 0};
        try {
            c = portRange(containerPort);
        } catch (OptionException e) {
            throw new OptionException("invalid containerPort: " + containerPort);
        }
        if (!hostPort.isEmpty()) {
            try {
                h = portRange(hostPort);
            } catch (OptionException e) {
                throw new OptionException("invalid hostPort: " + hostPort);
            }
            // a host range is allowed against a single container port: the daemon picks from it
            if (c[1] - c[0] != h[1] - h[0] && c[1] != c[0]) {
                throw new OptionException("invalid ranges specified for container and host Ports: " + containerPort + " and " + hostPort);
            }
        }
        proto = proto.toLowerCase(Locale.ROOT);
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) throw new OptionException("invalid proto: " + proto);
        long count = c[1] - c[0] + 1;
        List<Mapping> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            String hp = "";
            if (!hostPort.isEmpty()) {
                hp = Long.toString(h[0] + i);
                if (count == 1 && h[0] != h[1]) hp += "-" + h[1];
            }
            out.add(new Mapping((c[0] + i) + "/" + proto, ip, hp));
        }
        return out;
    }

    /** {proto, port}: "80" → {tcp, 80}; "80/udp" → {udp, 80}; "80/" → {tcp, 80}; "" or "/x" → {"", ""}. */
    static String[] splitProtoPort(String raw) {
        String[] parts = raw.split("/", -1);
        if (raw.isEmpty() || parts[0].isEmpty()) return new String[] {"", ""};
        if (parts.length == 1) return new String[] {"tcp", raw};
        if (parts[1].isEmpty()) return new String[] {"tcp", parts[0]};
        return new String[] {parts[1], parts[0]};
    }

    /** {start, end} of "80" or "80-81" (anything after a second '-' is ignored, as docker does). */
    static long[] portRange(String ports) throws OptionException {
        if (ports.isEmpty()) throw new OptionException("empty string specified for ports");
        int dash = ports.indexOf('-');
        if (dash < 0) {
            long p = parseUint16(ports);
            return new long[] {p, p};
        }
        String[] parts = ports.split("-", -1);
        long start = parseUint16(parts[0]), end = parseUint16(parts[1]);
        if (end < start) throw new OptionException("invalid range specified for port: " + ports);
        return new long[] {start, end};
    }

    /** Go's {@code strconv.ParseUint(s, 10, 16)}, with its error text. */
    static long parseUint16(String s) throws OptionException {
        boolean digits = !s.isEmpty();
        for (int i = 0; i < s.length() && digits; i++) digits = s.charAt(i) >= '0' && s.charAt(i) <= '9';
        if (!digits) throw new OptionException("strconv.ParseUint: parsing \"" + s + "\": invalid syntax");
        int z = 0;
        while (z < s.length() - 1 && s.charAt(z) == '0') z++;
        String t = s.substring(z);
        if (t.length() > 5 || Long.parseLong(t) > 65535) {
            throw new OptionException("strconv.ParseUint: parsing \"" + s + "\": value out of range");
        }
        return Long.parseLong(t);
    }

    /** "[::1]" → "::1", failing like Go's {@code net.SplitHostPort(ip + ":")}. */
    private static String unbracket(String ip) throws OptionException {
        String hostport = ip + ":";
        int end = hostport.indexOf(']');
        String why = null;
        if (end < 0) why = "missing ']' in address";
        else if (end + 1 != hostport.length() - 1) why = hostport.charAt(end + 1) == ':' ? "too many colons" : "missing port in address";
        else if (hostport.indexOf('[', 1) >= 0) why = "unexpected '[' in address";
        else if (hostport.indexOf(']', end + 1) >= 0) why = "unexpected ']' in address";
        if (why != null) throw new OptionException("invalid IP address " + ip + ": address " + hostport + ": " + why);
        return hostport.substring(1, end);
    }
}
