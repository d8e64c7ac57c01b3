package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.json.Json;
import dev.berth.cli.net.IpAddress;
import dev.berth.cli.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of {@code POST /containers/create} for {@code run} and {@code create}, byte for byte
 * what the docker CLI 28 sends at API 1.47 for the same flags (the fixtures in
 * src/test/resources/docker28/create.json were captured from it). Docker sends every field,
 * zero values included, so the body starts from {@link #DOCKER_28_ZERO}, docker's body for
 * {@code docker create IMAGE}, and the flags overwrite fields in place (keeping docker's order).
 * One known difference: docker fills {@code HostConfig.ConsoleSize} from the terminal when stdout
 * is one; berth sends [0,0] (asking the size costs a process) and resizes after start.
 */
final class CreateRequest {
    static final String DOCKER_28_ZERO = "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
            + "\"AttachStdout\":true,\"AttachStderr\":true,\"ExposedPorts\":null,\"Tty\":false,\"OpenStdin\":false,"
            + "\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":{},\"WorkingDir\":\"\","
            + "\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\","
            + "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
            + "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\","
            + "\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\","
            + "\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\","
            + "\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
            + "\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\","
            + "\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,"
            + "\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],"
            + "\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,"
            + "\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
            + "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
            + "\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],"
            + "\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,"
            + "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";

    private CreateRequest() {}

    /**
     * The body for the parsed flags; {@code command} ("run" or "create") names the help hint of
     * docker's error for a rejected option (exit 125). {@code detach} is run's {@code -d}.
     */
    static Map<String, Object> body(Cli cli, ParsedArgs a, String command, boolean detach) throws CliException {
        try {
            return build(cli, a, detach);
        } catch (OptionException e) {
            throw new CliException("berth: " + e.getMessage() + "\n\nRun 'berth " + command + " --help' for more information", 125);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> build(Cli cli, ParsedArgs a, boolean detach) throws CliException, OptionException {
        List<String> pos = a.positionals();
        boolean interactive = a.bool("interactive");
        boolean attachIn = false, attachOut = true, attachErr = true;
        List<String> attachList = a.list("attach");
        if (!attachList.isEmpty()) {
            attachOut = attachErr = false;
            for (String s : attachList) {
                switch (s.toLowerCase()) {
                    case "stdin" -> attachIn = true;
                    case "stdout" -> attachOut = true;
                    case "stderr" -> attachErr = true;
                    default -> throw new CliException("invalid argument \"" + s + "\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", 125);
                }
            }
        }
        if (interactive) attachIn = true; // docker: -i attaches stdin whatever -a says
        if (detach) attachIn = attachOut = attachErr = false;

        String mac = a.str("mac-address", "");
        if (!mac.isEmpty() && !MacAddress.valid(mac)) throw new OptionException(mac + " is not a valid mac address");
        PortSpecs.Ports ports = PortSpecs.collect(a.list("publish"), a.list("expose"));
        List<String> networks = a.list("network");
        Map<String, Object> endpoints = NetworkOptions.endpointsConfig(networks, a.list("network-alias"), a.str("ip", ""), mac);

        Map<String, Object> c = (Map<String, Object>) Json.parse(DOCKER_28_ZERO);
        c.put("Hostname", a.str("hostname", ""));
        c.put("User", a.str("user", ""));
        c.put("AttachStdin", attachIn);
        c.put("AttachStdout", attachOut);
        c.put("AttachStderr", attachErr);
        if (ports.exposed().isEmpty()) c.remove("ExposedPorts");
        else c.put("ExposedPorts", ports.exposed());
        c.put("Tty", a.bool("tty"));
        c.put("OpenStdin", interactive);
        c.put("StdinOnce", interactive && attachIn && !detach);
        List<Object> env = env(cli, a);
        c.put("Env", env.isEmpty() ? null : env);
        c.put("Cmd", pos.size() > 1 ? new ArrayList<Object>(pos.subList(1, pos.size())) : null);
        c.put("Image", pos.get(0));
        c.put("WorkingDir", a.str("workdir", ""));
        if (a.has("entrypoint")) c.put("Entrypoint", new ArrayList<Object>(List.of(a.str("entrypoint"))));
        Map<String, Object> labels = new TreeMap<>();
        for (String l : a.list("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        c.put("Labels", labels);

        Map<String, Object> host = (Map<String, Object>) c.get("HostConfig");
        host.put("NetworkMode", NetworkOptions.networkMode(networks));
        host.put("PortBindings", ports.bindings());
        host.put("AutoRemove", a.bool("rm"));
        host.put("Dns", new ArrayList<Object>(a.list("dns")));
        host.put("DnsOptions", new ArrayList<Object>(a.list("dns-option")));
        host.put("DnsSearch", new ArrayList<Object>(a.list("dns-search")));
        host.put("ExtraHosts", a.list("add-host").isEmpty() ? null : new ArrayList<Object>(a.list("add-host")));
        host.put("PublishAllPorts", a.bool("publish-all"));
        if (a.has("init")) host.put("Init", a.bool("init"));
        ((Map<String, Object>) c.get("NetworkingConfig")).put("EndpointsConfig", endpoints);
        return c;
    }

    /** Docker's warning for each loopback --dns server (the container's own loopback is not the host's). */
    static void warnLocalhostDns(Cli cli, ParsedArgs a) {
        for (String dns : a.list("dns")) {
            byte[] ip = IpAddress.parse(dns);
            if (ip != null && IpAddress.isLoopback(ip)) cli.err.println("WARNING: Localhost DNS (" + dns + ") may fail in containers.");
        }
    }

    /** --env-file entries first, then -e; {@code VAR} without '=' takes the client's value (or is dropped). */
    static List<Object> env(Cli cli, ParsedArgs a) throws CliException {
        List<Object> env = new ArrayList<>();
        for (String file : a.list("env-file")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CliException("berth: open " + file + ": no such file or directory", 125);
            } catch (IOException e) {
                throw new CliException("berth: " + file + ": " + e.getMessage(), 125);
            }
            for (String line : lines) {
                String l = line.stripLeading();
                if (l.isEmpty() || l.startsWith("#")) continue;
                addEnv(cli, env, l);
            }
        }
        for (String e : a.list("env")) addEnv(cli, env, e);
        return env;
    }

    private static void addEnv(Cli cli, List<Object> env, String entry) throws CliException {
        int eq = entry.indexOf('=');
        if (eq == 0) throw new CliException("berth: invalid environment variable: " + entry, 125);
        if (eq > 0) {
            env.add(entry);
        } else {
            String v = cli.env.get(entry);
            if (v != null) env.add(entry + "=" + v);
        }
    }
}
