package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.ApiVersion;
import dev.berth.daemon.DaemonConfig;
import dev.berth.daemon.container.ContainerRecord;
import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.container.ContainerViews;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.Event;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.runtime.OciRuntime;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** /_ping, /version, /info, /events. */
public final class SystemRoutes {
    private final DaemonConfig cfg;
    private final ContainerService containers;
    private final ImageStore images;
    private final OciRuntime runtime;
    private final EventBus events;
    private final String daemonId;
    private final String runtimeVersion;

    private final dev.berth.daemon.image.ImageService imageService;
    private final ContainerViews views;

    public SystemRoutes(DaemonConfig cfg, ContainerService containers, ContainerViews views,
                        dev.berth.daemon.image.ImageService imageService, OciRuntime runtime, EventBus events, String daemonId) {
        this.imageService = imageService;
        this.views = views;
        this.cfg = cfg;
        this.containers = containers;
        this.images = imageService.store();
        this.runtime = runtime;
        this.events = events;
        this.daemonId = daemonId;
        this.runtimeVersion = runtime.version();
    }

    public void register(Router r) {
        r.get("/_ping", this::ping);
        r.head("/_ping", this::ping);
        r.get("/version", (req, res) -> res.json(200, version()));
        r.get("/info", (req, res) -> res.json(200, info()));
        r.get("/events", this::events);
        r.get("/system/df", (req, res) -> res.json(200, diskUsage()));
    }

    private void ping(Request req, Response res) throws IOException {
        res.header("Builder-Version", "1").header("Cache-Control", "no-cache, no-store, must-revalidate").header("Pragma", "no-cache");
        res.text(200, "text/plain; charset=utf-8", "OK");
    }

    /** dockerd's RegistryConfig: insecure CIDRs and names, and the Docker Hub mirrors. */
    private ObjectNode registryConfig() {
        ObjectNode reg = Json.obj();
        var cidrs = reg.putArray("InsecureRegistryCIDRs");
        cidrs.add("::1/128").add("127.0.0.0/8");
        ObjectNode indexes = reg.putObject("IndexConfigs");
        for (String i : cfg.insecureRegistries()) {
            if (i.contains("/")) cidrs.add(i);
            else indexes.putObject(i).put("Name", i).put("Secure", false).put("Official", false).putArray("Mirrors");
        }
        var hubMirrors = indexes.putObject("docker.io").put("Name", "docker.io").put("Secure", true).put("Official", true).putArray("Mirrors");
        if (cfg.registryMirrors().isEmpty()) {
            reg.putNull("Mirrors");
        } else {
            var mirrors = reg.putArray("Mirrors");
            for (String m : cfg.registryMirrors()) {
                String norm = m.endsWith("/") ? m : m + "/";
                mirrors.add(norm);
                hubMirrors.add(norm);
            }
        }
        return reg;
    }

    static String kernelVersion() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    private ObjectNode version() {
        ObjectNode v = Json.obj();
        v.putObject("Platform").put("Name", "Berth Engine");
        ArrayNode comps = v.putArray("Components");
        ObjectNode engine = comps.addObject().put("Name", "Engine").put("Version", ApiVersion.ENGINE_VERSION);
        ObjectNode d = engine.putObject("Details");
        d.put("ApiVersion", ApiVersion.CURRENT).put("Arch", "amd64").put("BuildTime", "2026-11-28T00:00:00.000000000+00:00")
         .put("Experimental", "false").put("GitCommit", "berth-" + ApiVersion.BERTH_VERSION)
         .put("GoVersion", "java" + Runtime.version().feature()).put("KernelVersion", kernelVersion())
         .put("MinAPIVersion", ApiVersion.MINIMUM).put("Os", "linux");
        comps.addObject().put("Name", runtime.name()).put("Version", runtimeVersion.replaceFirst("^\\S+ version ", ""))
             .putObject("Details").put("GitCommit", "");
        v.put("Version", ApiVersion.ENGINE_VERSION);
        v.put("ApiVersion", ApiVersion.CURRENT);
        v.put("MinAPIVersion", ApiVersion.MINIMUM);
        v.put("GitCommit", "berth-" + ApiVersion.BERTH_VERSION);
        v.put("GoVersion", "java" + Runtime.version().feature());
        v.put("Os", "linux");
        v.put("Arch", "amd64");
        v.put("KernelVersion", kernelVersion());
        v.put("BuildTime", "2026-11-28T00:00:00.000000000+00:00");
        return v;
    }

    private ObjectNode info() {
        int running = 0, paused = 0, stopped = 0, total = 0;
        for (ContainerRecord r : containers.store().all()) {
            total++;
            synchronized (r) {
                if (r.state.paused) paused++;
                else if (r.state.running) running++;
                else stopped++;
            }
        }
        ObjectNode n = Json.obj();
        n.put("ID", daemonId);
        n.put("Containers", total);
        n.put("ContainersRunning", running);
        n.put("ContainersPaused", paused);
        n.put("ContainersStopped", stopped);
        n.put("Images", images.all().size());
        n.put("Driver", "overlay2");
        ArrayNode ds = n.putArray("DriverStatus");
        ds.addArray().add("Backing Filesystem").add(backingFs());
        ds.addArray().add("Supports d_type").add("true");
        ds.addArray().add("Using metacopy").add("false");
        ds.addArray().add("Native Overlay Diff").add("true");
        ds.addArray().add("userxattr").add("false");
        ObjectNode plugins = n.putObject("Plugins");
        plugins.putArray("Volume").add("local");
        plugins.putArray("Network").add("bridge").add("host").add("null");
        plugins.putArray("Authorization");
        plugins.putArray("Log").add("json-file");
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        n.put("MemoryLimit", true);
        n.put("SwapLimit", true);
        n.put("CpuCfsPeriod", true);
        n.put("CpuCfsQuota", true);
        n.put("CPUShares", true);
        n.put("CPUSet", true);
        n.put("PidsLimit", true);
        n.put("IPv4Forwarding", ipForwarding());
        n.put("Debug", "debug".equals(cfg.logLevel()));
        n.put("NFd", countFds());
        n.put("OomKillDisable", !v2);
        n.put("NGoroutines", Thread.activeCount());
        n.put("SystemTime", Times.rfc3339Nano(Instant.now()));
        n.put("LoggingDriver", "json-file");
        n.put("CgroupDriver", "cgroupfs");
        n.put("CgroupVersion", v2 ? "2" : "1");
        n.put("NEventsListener", 0);
        n.put("KernelVersion", kernelVersion());
        n.put("OperatingSystem", operatingSystem());
        n.put("OSVersion", osField("VERSION_ID"));
        n.put("OSType", "linux");
        n.put("Architecture", "x86_64");
        n.put("IndexServerAddress", "https://index.docker.io/v1/");
        n.set("RegistryConfig", registryConfig());
        n.put("NCPU", Runtime.getRuntime().availableProcessors());
        n.put("MemTotal", memTotal());
        n.putArray("GenericResources");
        n.put("DockerRootDir", cfg.dataRoot().toString());
        n.put("HttpProxy", "");
        n.put("HttpsProxy", "");
        n.put("NoProxy", "");
        n.put("Name", hostname());
        n.putArray("Labels");
        n.put("ExperimentalBuild", false);
        n.put("ServerVersion", ApiVersion.ENGINE_VERSION);
        ObjectNode rts = n.putObject("Runtimes");
        rts.putObject(runtime.name()).put("path", runtime.binary());
        n.put("DefaultRuntime", runtime.name());
        n.putObject("Swarm").put("NodeID", "").put("NodeAddr", "").put("LocalNodeState", "inactive")
         .put("ControlAvailable", false).put("Error", "").putNull("RemoteManagers");
        n.put("LiveRestoreEnabled", false);
        n.put("Isolation", "");
        n.put("InitBinary", "");
        n.putObject("ContainerdCommit").put("ID", "");
        n.putObject("RuncCommit").put("ID", runtimeVersion.replaceFirst("^\\S+ version ", ""));
        n.putObject("InitCommit").put("ID", "");
        n.putArray("SecurityOptions").add("name=cgroupns");
        n.put("ProductLicense", "Apache-2.0");
        n.putArray("Warnings");
        return n;
    }

    private String backingFs() {
        try {
            return Files.getFileStore(cfg.dataRoot()).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean ipForwarding() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    private static int countFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("\\D+", "")) * 1024;
            }
        } catch (IOException ignored) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static String osField(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (l.startsWith(key + "=")) return l.substring(key.length() + 1).replace("\"", "");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "";
    }

    private static String operatingSystem() {
        String pretty = osField("PRETTY_NAME");
        return pretty.isEmpty() ? "Linux" : pretty;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * {@code GET /system/df}: images (with how many containers use each), containers (with the
     * size of their writable layer), the build cache (see ImageService.buildCache); no volumes yet.
     */
    private ObjectNode diskUsage() {
        ObjectNode n = Json.obj();
        long layersSize = 0;
        ArrayNode imgs = n.putArray("Images");
        java.util.Set<dev.berth.daemon.content.Digest> counted = new java.util.HashSet<>();
        for (var img : images.all()) {
            for (var chain : img.chainIds()) if (counted.add(chain)) layersSize += imageService.layers().size(chain);
            ObjectNode s = imageService.summary(img);
            s.put("Containers", containers.containersUsing(img.id()).size());
            s.put("SharedSize", 0);
            imgs.add(s);
        }
        n.put("LayersSize", layersSize);
        ArrayNode cs = n.putArray("Containers");
        for (ContainerRecord r : containers.store().all()) cs.add(views.summary(r, true));
        n.putArray("Volumes");
        n.set("BuildCache", imageService.buildCache());
        return n;
    }

    private void events(Request req, Response res) throws IOException, InterruptedException {
        Instant now = Instant.now();
        Instant since = Times.parseQueryTime(req.query("since"), now);
        Instant until = Times.parseQueryTime(req.query("until"), now);
        Map<String, List<String>> filters = Filters.parse(req.query("filters"));
        for (String k : filters.keySet()) {
            if (!List.of("container", "image", "event", "type", "label", "network", "volume", "daemon", "plugin", "node", "service", "secret", "config", "scope").contains(k)) {
                throw BerthException.invalid("invalid filter '" + k + "'");
            }
        }
        EventBus.Subscription sub = events.subscribe(since);
        try (OutputStream out = res.stream(200, "application/json")) {
            for (Event e : sub.past()) {
                if (until != null && e.time().isAfter(until)) return;
                if (matches(e, filters)) write(out, e);
            }
            while (true) {
                long waitMs = until == null ? 60_000 : Math.max(0, java.time.Duration.between(Instant.now(), until).toMillis());
                if (until != null && waitMs == 0) return;
                Event e = sub.queue().poll(waitMs, TimeUnit.MILLISECONDS);
                if (e == null) {
                    if (until != null) return;
                    continue;
                }
                if (since != null && e.time().isBefore(since)) continue;
                if (until != null && e.time().isAfter(until)) return;
                if (matches(e, filters)) write(out, e);
            }
        } finally {
            sub.cancel().run();
        }
    }

    private static void write(OutputStream out, Event e) throws IOException {
        byte[] b = Json.bytes(e.toJson());
        byte[] line = java.util.Arrays.copyOf(b, b.length + 1);
        line[b.length] = '\n';
        out.write(line);
    }

    static boolean matches(Event e, Map<String, List<String>> f) {
        if (f.containsKey("type") && !f.get("type").contains(e.type())) return false;
        if (f.containsKey("event") && !f.get("event").contains(e.action())) return false;
        if (f.containsKey("container")) {
            if (!e.type().equals("container")) return false;
            boolean ok = false;
            for (String v : f.get("container")) {
                if (e.actorId().startsWith(v) || v.equals(e.attributes().get("name"))) ok = true;
            }
            if (!ok) return false;
        }
        if (f.containsKey("image")) {
            boolean ok = false;
            for (String v : f.get("image")) {
                if (v.equals(e.attributes().get("image")) || e.type().equals("image") && (e.actorId().contains(v) || v.equals(e.attributes().get("name")))) ok = true;
            }
            if (!ok) return false;
        }
        if (f.containsKey("label")) {
            for (String v : f.get("label")) if (!Filters.labelMatches(e.attributes()::get, v)) return false;
        }
        return true;
    }
}
