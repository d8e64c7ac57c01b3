package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.DaemonConfig;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.os.Mounts;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.Signals;
import dev.berth.daemon.runtime.OciRuntime;
import dev.berth.daemon.runtime.OciSpec;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Container lifecycle: create, start, stop, kill, restart, remove, wait, rename, resize.
 * Locking: each container has a lifecycle lock (start/stop/remove never interleave) and its
 * record's monitor guards state and wakes waiters; state is persisted on every transition.
 */
public final class ContainerService implements ImageService.ContainerUsage {
    private static final Logger LOG = Logger.getLogger(ContainerService.class.getName());
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final DaemonConfig cfg;
    private final ContainerStore store;
    private final ImageStore images;
    private final LayerStore layers;
    private final OciRuntime runtime;
    private final EventBus events;
    private final Map<String, ContainerIo> ios = new ConcurrentHashMap<>();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, int[]> consoleSizes = new ConcurrentHashMap<>();

    /** Resolves a user-defined network reference to its name; null when unknown (set by Main). */
    private volatile java.util.function.Function<String, String> networkNames = ref -> null;

    public void setNetworkNames(java.util.function.Function<String, String> names) { this.networkNames = names; }

    private volatile Networking networking = Networking.NONE;

    /** The bridge driver (set by Main before any container starts). */
    public void setNetworking(Networking networking) { this.networking = networking; }

    public ContainerService(DaemonConfig cfg, ContainerStore store, ImageStore images, LayerStore layers,
                            OciRuntime runtime, EventBus events) {
        this.cfg = cfg;
        this.store = store;
        this.images = images;
        this.layers = layers;
        this.runtime = runtime;
        this.events = events;
    }

    public ContainerStore store() { return store; }
    public ContainerRecord resolve(String ref) { return store.resolve(ref); }
    public ContainerIo io(ContainerRecord r) {
        return ios.computeIfAbsent(r.id, id -> new ContainerIo(store.dir(id).resolve(id + "-json.log")));
    }
    public Path bundleDir(String id) { return cfg.execRoot().resolve("containers").resolve(id); }

    /** The container's lifecycle lock: start, stop, remove and offline file access (ContainerRootfs) never interleave. */
    ReentrantLock lock(String id) { return locks.computeIfAbsent(id, k -> new ReentrantLock()); }

    @Override
    public List<User> containersUsing(Digest imageId) {
        List<User> out = new ArrayList<>();
        for (ContainerRecord r : store.all()) {
            if (imageId.toString().equals(r.image)) {
                synchronized (r) { out.add(new User(r.id, r.state.running)); }
            }
        }
        return out;
    }

    // ---- restart recovery ------------------------------------------------------------------

    /**
     * Makes every record truthful after a daemon restart (clean or kill -9): a container that
     * was running has lost its runtime process; whatever of it survives is killed and reaped,
     * its rootfs unmounted, and it is recorded as exited. AutoRemove containers are removed.
     */
    public void recover() {
        killStrays();
        for (ContainerRecord r : store.all()) {
            try {
                boolean wasRunning;
                synchronized (r) { wasRunning = r.state.running || r.state.restarting || r.state.paused; }
                int exitCode = 255;
                if (wasRunning) {
                    int pid = r.state.pid;
                    if (pid > 0 && Posix.processExists(pid) && isContainerInit(pid, r.id)) {
                        Posix.kill(pid, 9);
                        exitCode = 137;
                    }
                }
                runtime.forceDelete(r.id);
                unmountRootfs(r.id);
                AtomicFiles.deleteTree(bundleDir(r.id));
                if (wasRunning) {
                    synchronized (r) {
                        r.state.running = false;
                        r.state.paused = false;
                        r.state.restarting = false;
                        r.state.status = "exited";
                        r.state.pid = 0;
                        r.state.exitCode = exitCode;
                        r.state.finishedAt = Times.rfc3339Nano(Instant.now());
                    }
                    store.save(r);
                }
                if (r.hostConfig.path("AutoRemove").asBoolean(false) && !r.state.status.equals("created")) {
                    remove(r.id, true, false);
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "recovering container " + r.id, e);
            }
        }
    }

    /**
     * Kills every process left by a daemon that died in the middle of starting a container: a
     * {@code runc run} and its init still waiting for the network hook, the hook itself. They
     * name the container (their command line carries its bundle path or ID, or their cgroup its
     * ID); nothing of a container may run once the daemon that owned it is gone.
     */
    private void killStrays() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (ContainerRecord r : store.all()) ids.add(r.id);
        if (ids.isEmpty()) return;
        long self = ProcessHandle.current().pid();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) continue;
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
                    String cgroup = Files.readString(p.resolve("cgroup"));
                    for (String id : ids) {
                        if (cmdline.contains(id) || cgroup.contains(id)) {
                            LOG.info("killing process " + name + " left by a previous daemon for container " + Ids.shortId(id));
                            Posix.kill(Integer.parseInt(name), 9);
                            break;
                        }
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "looking for processes left by a previous daemon", e);
        }
    }

    /** True when {@code pid} is the init of this container (its cgroup names the container ID). */
    private static boolean isContainerInit(int pid, String id) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains(id);
        } catch (IOException e) {
            return false;
        }
    }

    // ---- create ----------------------------------------------------------------------------

    public ContainerRecord create(JsonNode body, String requestedName) throws IOException {
        if (!body.isObject()) throw BerthException.invalid("config cannot be empty in order to create a container");
        String imageName = Json.text(body, "Image");
        if (imageName == null || imageName.isEmpty()) throw BerthException.invalid("no image specified: Config.Image must be set");
        Image img = images.resolve(imageName);
        JsonNode ic = img.containerConfig();

        String name;
        if (requestedName != null && !requestedName.isEmpty()) {
            if (!Names.VALID.matcher(requestedName).matches()) {
                throw BerthException.invalid("Invalid container name (" + requestedName + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            }
            name = requestedName.startsWith("/") ? requestedName : "/" + requestedName;
        } else {
            name = null;
            for (int i = 0; name == null || store.nameTaken(name); i++) name = "/" + Names.random(i);
        }

        String id = Ids.newId();
        ObjectNode c = Json.obj();
        String hostname = Json.text(body, "Hostname");
        c.put("Hostname", hostname == null || hostname.isEmpty() ? id.substring(0, 12) : hostname);
        c.put("Domainname", body.path("Domainname").asText(""));
        String user = Json.text(body, "User");
        c.put("User", user == null || user.isEmpty() ? ic.path("User").asText("") : user);
        c.put("AttachStdin", Json.bool(body, "AttachStdin"));
        c.put("AttachStdout", Json.bool(body, "AttachStdout"));
        c.put("AttachStderr", Json.bool(body, "AttachStderr"));
        ObjectNode exposed = Json.obj();
        if (ic.path("ExposedPorts").isObject()) exposed.setAll((ObjectNode) ic.get("ExposedPorts"));
        if (body.path("ExposedPorts").isObject()) exposed.setAll((ObjectNode) body.get("ExposedPorts"));
        if (!exposed.isEmpty()) c.set("ExposedPorts", exposed);
        c.put("Tty", Json.bool(body, "Tty"));
        c.put("OpenStdin", Json.bool(body, "OpenStdin"));
        c.put("StdinOnce", Json.bool(body, "StdinOnce"));
        c.set("Env", strings(mergeEnv(Json.strings(ic, "Env"), Json.strings(body, "Env"))));

        List<String> entrypoint = Json.strings(body, "Entrypoint");
        List<String> cmd = Json.strings(body, "Cmd");
        if (entrypoint != null && entrypoint.size() == 1 && entrypoint.getFirst().isEmpty()) {
            entrypoint = List.of(); // --entrypoint "": no entrypoint at all, not the image's
        } else if (entrypoint == null || entrypoint.isEmpty()) {
            entrypoint = Json.strings(ic, "Entrypoint");
            if (cmd == null || cmd.isEmpty()) cmd = Json.strings(ic, "Cmd");
        }
        // An explicit entrypoint without a command drops the image's command (Docker's rule).
        c.set("Cmd", cmd == null ? null : strings(cmd));
        c.put("Image", imageName);
        JsonNode volumes = body.path("Volumes").isObject() ? body.get("Volumes") : ic.get("Volumes");
        c.set("Volumes", volumes == null || volumes.isNull() ? null : volumes);
        String wd = Json.text(body, "WorkingDir");
        if (wd == null || wd.isEmpty()) wd = ic.path("WorkingDir").asText("");
        if (!wd.isEmpty() && !wd.startsWith("/")) throw BerthException.invalid("the working directory '" + wd + "' is invalid, it needs to be an absolute path");
        c.put("WorkingDir", wd);
        c.set("Entrypoint", entrypoint == null || entrypoint.isEmpty() ? null : strings(entrypoint));
        c.set("OnBuild", null);
        ObjectNode labels = Json.obj();
        if (ic.path("Labels").isObject()) labels.setAll((ObjectNode) ic.get("Labels"));
        if (body.path("Labels").isObject()) labels.setAll((ObjectNode) body.get("Labels"));
        c.set("Labels", labels);
        String stopSignal = Json.text(body, "StopSignal");
        if (stopSignal == null) stopSignal = Json.text(ic, "StopSignal");
        if (stopSignal != null) {
            signal(stopSignal);
            c.put("StopSignal", stopSignal);
        }
        if (body.has("StopTimeout") && !body.get("StopTimeout").isNull()) c.put("StopTimeout", body.get("StopTimeout").asInt());

        List<String> argv = new ArrayList<>();
        if (entrypoint != null) argv.addAll(entrypoint);
        if (cmd != null) argv.addAll(cmd);
        if (argv.isEmpty()) throw BerthException.invalid("no command specified");

        ObjectNode hc = hostConfig(body.path("HostConfig"));
        ObjectNode networks = endpointsConfig(hc.get("NetworkMode").asText(), body.path("NetworkingConfig").path("EndpointsConfig"));

        ContainerRecord r = new ContainerRecord();
        r.id = id;
        r.name = name;
        r.created = Times.rfc3339Nano(Instant.now());
        r.image = img.id().toString();
        r.path = argv.getFirst();
        r.args = new ArrayList<>(argv.subList(1, argv.size()));
        r.config = c;
        r.hostConfig = hc;
        r.networks = networks;
        store.create(r);
        Files.createDirectories(store.dir(id).resolve("fs/upper"));
        Files.createDirectories(store.dir(id).resolve("fs/work"));
        JsonNode cs = hc.path("ConsoleSize");
        if (cs.isArray() && cs.size() == 2 && cs.get(0).asInt() > 0) consoleSizes.put(id, new int[] {cs.get(0).asInt(), cs.get(1).asInt()});
        events.publish("container", "create", id, attrs(r));
        return r;
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = Json.arr();
        l.forEach(a::add);
        return a;
    }

    /** Image env, overridden key by key by the user's env (Docker's ReplaceOrAppendEnvValues). */
    static List<String> mergeEnv(List<String> base, List<String> overrides) {
        List<String> out = new ArrayList<>(base == null ? List.of() : base);
        if (overrides == null) return out;
        for (String kv : overrides) {
            String key = kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv;
            boolean replaced = false;
            for (int i = 0; i < out.size(); i++) {
                String e = out.get(i);
                String k = e.contains("=") ? e.substring(0, e.indexOf('=')) : e;
                if (k.equals(key)) {
                    if (kv.contains("=")) out.set(i, kv);
                    else out.remove(i);
                    replaced = true;
                    break;
                }
            }
            if (!replaced && kv.contains("=")) out.add(kv);
        }
        return out;
    }

    private ObjectNode hostConfig(JsonNode given) {
        ObjectNode hc = Json.obj();
        hc.putNull("Binds");
        hc.put("ContainerIDFile", "");
        ObjectNode lc = hc.putObject("LogConfig");
        lc.put("Type", "json-file");
        lc.putObject("Config");
        hc.put("NetworkMode", "bridge");
        hc.putObject("PortBindings");
        hc.putObject("RestartPolicy").put("Name", "no").put("MaximumRetryCount", 0);
        hc.put("AutoRemove", false);
        hc.put("VolumeDriver", "");
        hc.putNull("VolumesFrom");
        hc.putArray("ConsoleSize").add(0).add(0);
        hc.putNull("CapAdd");
        hc.putNull("CapDrop");
        hc.put("CgroupnsMode", "host");
        hc.putArray("Dns");
        hc.putArray("DnsOptions");
        hc.putArray("DnsSearch");
        hc.putNull("ExtraHosts");
        hc.putNull("GroupAdd");
        hc.put("IpcMode", "private");
        hc.put("Cgroup", "");
        hc.putNull("Links");
        hc.put("OomScoreAdj", 0);
        hc.put("PidMode", "");
        hc.put("Privileged", false);
        hc.put("PublishAllPorts", false);
        hc.put("ReadonlyRootfs", false);
        hc.putNull("SecurityOpt");
        hc.put("UTSMode", "");
        hc.put("UsernsMode", "");
        hc.put("ShmSize", 67108864);
        hc.put("Runtime", runtime.name());
        hc.put("Isolation", "");
        hc.put("CpuShares", 0);
        hc.put("Memory", 0);
        hc.put("NanoCpus", 0);
        hc.put("CgroupParent", "");
        hc.put("BlkioWeight", 0);
        hc.put("MemorySwap", 0);
        hc.put("PidsLimit", (String) null);
        hc.set("MaskedPaths", strings(OciSpec.MASKED_PATHS));
        hc.set("ReadonlyPaths", strings(OciSpec.READONLY_PATHS));
        if (given.isObject()) {
            given.properties().forEach(e -> {
                if (!e.getValue().isNull()) hc.set(e.getKey(), e.getValue());
            });
        }
        if (hc.path("Binds").size() > 0 || hc.path("Mounts").size() > 0) {
            // refused rather than ignored: a container without the data it was given a mount for is worse than an error
            throw new BerthException.NotImplemented("bind mounts and volumes (-v, --mount) are not supported yet");
        }
        String mode = hc.path("NetworkMode").asText("");
        if (mode.isEmpty() || mode.equals("default")) hc.put("NetworkMode", "bridge");
        mode = hc.get("NetworkMode").asText();
        if (!(mode.equals("bridge") || mode.equals("none") || mode.equals("host"))) {
            if (mode.startsWith("container:")) {
                String target = mode.substring("container:".length());
                if (target.isEmpty()) throw BerthException.invalid("invalid network mode: " + mode);
                // resolved at start, as dockerd: a 404 here would make the docker CLI try to pull the image
                return checkRuntime(hc);
            }
            String known = networkNames.apply(mode);
            if (known == null) throw BerthException.notFound("network " + mode + " not found");
            hc.put("NetworkMode", known);
        }
        return checkRuntime(hc);
    }

    private ObjectNode checkRuntime(ObjectNode hc) {
        String rt = hc.path("Runtime").asText("");
        if (!rt.isEmpty() && !rt.equals(runtime.name())) throw BerthException.invalid("unknown or invalid runtime name: " + rt);
        return hc;
    }

    /**
     * The networks a new container joins, by name: its NetworkMode's network with the client's
     * endpoint settings for it, plus any other network named in EndpointsConfig (API 1.44+).
     * Null for host, none and container:&lt;id&gt;, which have no endpoints of their own.
     */
    private ObjectNode endpointsConfig(String mode, JsonNode given) {
        if (mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
            if (given.isObject() && given.properties().stream().anyMatch(e -> !e.getKey().equals(mode) && !e.getKey().equals("default"))) {
                throw BerthException.invalid("container sharing network namespace with another container or host cannot be connected to any other network");
            }
            return null;
        }
        ObjectNode out = Json.obj();
        out.set(mode, Json.obj());
        if (given.isObject()) {
            for (var e : given.properties()) {
                // the docker CLI names the NetworkMode's network "default" when --network was not given
                String name = e.getKey().equals(mode) || e.getKey().equals("default") ? mode : networkNames.apply(e.getKey());
                if (name == null) throw BerthException.notFound("network " + e.getKey() + " not found");
                ObjectNode ep = Json.obj();
                JsonNode v = e.getValue();
                String ip = v.path("IPAMConfig").path("IPv4Address").asText("");
                if (!ip.isEmpty()) {
                    if (name.equals("bridge")) throw BerthException.invalid("user specified IP address is supported on user defined networks only");
                    ep.putObject("IPAMConfig").put("IPv4Address", ip);
                }
                if (v.path("Aliases").isArray() && !v.get("Aliases").isEmpty()) {
                    if (name.equals("bridge")) throw BerthException.invalid("network-scoped alias is supported only for containers in user defined networks");
                    ep.set("Aliases", v.get("Aliases"));
                }
                String mac = v.path("MacAddress").asText("");
                if (!mac.isEmpty()) {
                    if (!mac.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) throw BerthException.invalid("invalid MAC address: " + mac);
                    ep.put("MacAddress", mac.toLowerCase(java.util.Locale.ROOT));
                }
                out.set(name, ep);
            }
        }
        return out;
    }

    static Map<String, String> attrs(ContainerRecord r) {
        Map<String, String> a = new LinkedHashMap<>();
        synchronized (r) {
            r.config.path("Labels").properties().forEach(e -> a.put(e.getKey(), e.getValue().asText()));
            a.put("image", r.config.path("Image").asText());
            a.put("name", r.bareName());
        }
        return a;
    }

    // ---- start -----------------------------------------------------------------------------

    public void start(String ref) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            synchronized (r) {
                if (r.state.running) throw new BerthException.NotModified("container already started");
                if (r.removalInProgress) throw BerthException.conflict("container is marked for removal and cannot be started");
            }
            try {
                doStart(r);
            } catch (IOException | RuntimeException e) {
                // dockerd removes an AutoRemove container whose start failed; `run --rm` waits for it.
                if (r.hostConfig.path("AutoRemove").asBoolean(false)) removeAfterFailedStart(r);
                throw e;
            }
        } finally {
            l.unlock();
        }
    }

    private void removeAfterFailedStart(ContainerRecord r) {
        Thread.ofVirtual().start(() -> {
            try {
                remove(r.id, true, false);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "auto-removing " + r.id + " after a failed start", e);
            }
        });
    }

    private void doStart(ContainerRecord r) throws IOException {
        Image img = images.get(Digest.parse(r.image));
        if (img == null) throw BerthException.notFound("No such image: " + r.image);
        Path bundle = bundleDir(r.id);
        Path rootfs = bundle.resolve("rootfs");
        Files.createDirectories(rootfs);
        long t0 = System.nanoTime();
        mountRootfs(r, img, rootfs);
        Integer master = null;
        ContainerIo io = io(r);
        boolean started = false;
        boolean attached = false;
        java.nio.channels.FileChannel netReady = null;
        try {
            String user = r.config.path("User").asText("");
            UserSpec us = UserSpec.resolve(rootfs, user);
            String cwd = r.config.path("WorkingDir").asText("");
            if (cwd.isEmpty()) cwd = "/";
            RootPath.mkdirs(rootfs, cwd, us.uid(), us.gid());
            Path dir = store.dir(r.id);
            String hostname = r.config.path("Hostname").asText();
            String netMode = r.hostConfig.path("NetworkMode").asText();
            boolean hostNet = netMode.equals("host");
            String netnsPath = null;
            if (netMode.startsWith("container:")) {
                ContainerRecord other = store.resolve(netMode.substring("container:".length()));
                int otherPid;
                synchronized (other) { otherPid = other.state.running ? other.state.pid : 0; }
                if (otherPid <= 0) throw BerthException.conflict("cannot join network namespace of a non running container: " + other.id);
                netnsPath = "/proc/" + otherPid + "/ns/net";
                Path od = store.dir(other.id);
                Files.writeString(dir.resolve("hostname"), hostname + "\n");
                Files.copy(od.resolve("hosts"), dir.resolve("hosts"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.copy(od.resolve("resolv.conf"), dir.resolve("resolv.conf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else if (r.networks != null && !r.networks.isEmpty()) {
                netnsPath = networking.prepare(r);
                if (netnsPath != null) {
                    attached = true;
                    Files.writeString(dir.resolve("hostname"), hostname + "\n");
                    // runc bind-mounts these files; their contents are written (same inodes) once
                    // the network is attached, before the container's process may run
                    Files.writeString(dir.resolve("hosts"), "");
                    Files.writeString(dir.resolve("resolv.conf"), "");
                } else {
                    writeEtcFiles(dir, hostname, r.config.path("Domainname").asText(""), false, extraHosts(r.hostConfig.path("ExtraHosts"), null));
                }
            } else {
                writeEtcFiles(dir, hostname, r.config.path("Domainname").asText(""), hostNet, extraHosts(r.hostConfig.path("ExtraHosts"), null));
            }
            boolean tty = r.tty();
            List<String> env = processEnv(r, tty);
            List<String> args = new ArrayList<>();
            args.add(r.path);
            args.addAll(r.args);
            var spec = OciSpec.build(new OciSpec.Params(args, env, cwd, us.uid(), us.gid(), us.additionalGids(), tty,
                    hostNet ? System.getenv().getOrDefault("HOSTNAME", hostname) : hostname, r.config.path("Domainname").asText(""),
                    rootfs.toString(), dir.resolve("hosts").toString(), dir.resolve("hostname").toString(),
                    dir.resolve("resolv.conf").toString(), netnsPath, hostNet, "/" + cfg.cgroupParent() + "/" + r.id,
                    !unconfined(r.hostConfig)));
            if (attached) {
                // The network is attached while runc starts: a createRuntime hook holds the
                // container until berthd writes "ok" (or "fail") into this FIFO.
                Path fifo = bundle.resolve("net-ready");
                Files.deleteIfExists(fifo);
                Posix.mkfifo(fifo.toString(), 0600);
                netReady = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
                OciSpec.addCreateRuntimeHook(spec, "/bin/sh", List.of("sh", "-c", "read r < \"$0\" && [ \"$r\" = ok ]", fifo.toString()), 120);
            }
            Files.write(bundle.resolve("config.json"), Json.bytes(spec));
            Files.deleteIfExists(bundle.resolve("init.pid"));
            Files.deleteIfExists(bundle.resolve("runtime.log"));

            OciRuntime.Stdio stdio;
            if (tty) {
                master = Posix.openPtyMaster();
                int[] size = consoleSizes.getOrDefault(r.id, new int[] {24, 80});
                Posix.setWindowSize(master, size[0], size[1]);
                stdio = new OciRuntime.Stdio.Terminal(Posix.ptsName(master));
            } else {
                stdio = new OciRuntime.Stdio.Pipes(r.config.path("OpenStdin").asBoolean(false));
            }
            io.beginRun();
            long t1 = System.nanoTime();
            Process proc = runtime.run(r.id, bundle, stdio);
            Run run = new Run(proc, master, io);
            Exception netError = null;
            if (netReady != null) {
                try {
                    Networking.Sandbox sandbox = networking.attach(r);
                    Files.writeString(dir.resolve("hosts"), sandbox.hosts());
                    Files.writeString(dir.resolve("resolv.conf"), sandbox.resolvConf());
                    netReady.write(java.nio.ByteBuffer.wrap("ok\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                } catch (IOException | RuntimeException e) {
                    netError = e;
                    netReady.write(java.nio.ByteBuffer.wrap("fail\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                }
            }
            int pid = awaitPid(bundle.resolve("init.pid"), proc);
            if (netReady != null) {
                netReady.close();
                netReady = null;
            }
            if (netError != null && pid > 0) {
                Posix.kill(pid, 9); // cannot happen (the hook failed the start), but never run a half-networked container
                pid = 0;
            }
            long t2 = System.nanoTime();
            LOG.fine(() -> "start " + Ids.shortId(r.id) + ": prepare " + (t1 - t0) / 1000 + " us, runtime to pid " + (t2 - t1) / 1000 + " us");
            if (pid <= 0) {
                int code;
                try {
                    code = proc.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    code = -1;
                }
                try {
                    run.joinPumps(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                String output = io.abortRun().strip();
                if (netError != null) {
                    synchronized (r) {
                        r.state.exitCode = 128;
                        r.state.error = netError.getMessage();
                    }
                    store.save(r);
                    if (netError instanceof RuntimeException re) throw re;
                    throw (IOException) netError;
                }
                String logged = OciRuntime.lastError(bundle);
                String detail = logged != null ? logged : output.isEmpty() ? "runtime exited with status " + code : output;
                detail = detail.replaceFirst("^runc run failed: ", "runc create failed: ");
                if (!detail.startsWith(runtime.name())) detail = runtime.name() + " create failed: " + detail;
                int exit = detail.contains("executable file not found") || detail.contains("no such file or directory") ? 127
                        : detail.contains("permission denied") ? 126 : 128;
                BerthException err = OciRuntime.startError(detail);
                synchronized (r) {
                    r.state.exitCode = exit;
                    r.state.error = err.getMessage();
                }
                store.save(r);
                throw err;
            }
            run.pid = pid;
            runs.put(r.id, run);
            if (r.config.path("OpenStdin").asBoolean(false)) io.setStdin(run.stdin());
            synchronized (r) {
                r.state.status = "running";
                r.state.running = true;
                r.state.paused = false;
                r.state.restarting = false;
                r.state.oomKilled = false;
                r.state.dead = false;
                r.state.pid = pid;
                r.state.exitCode = 0;
                r.state.error = "";
                r.state.startedAt = Times.rfc3339Nano(Instant.now());
            }
            store.save(r);
            io.confirmRun();
            started = true;
            events.publish("container", "start", r.id, attrs(r));
            Instant startedAt = Instant.now();
            Thread.ofVirtual().name("berth-exit-" + Ids.shortId(r.id)).start(() -> awaitExit(r, run, startedAt));
        } finally {
            if (netReady != null) netReady.close();
            if (!started) {
                if (master != null) Posix.close(master);
                if (attached) networking.detach(r.id);
                unmountRootfs(r.id);
            }
        }
    }

    /** {@code --security-opt seccomp=unconfined} (or the old {@code seccomp:unconfined}). */
    private static boolean unconfined(JsonNode hostConfig) {
        for (JsonNode o : hostConfig.path("SecurityOpt")) {
            String v = o.asText();
            if (v.equals("seccomp=unconfined") || v.equals("seccomp:unconfined")) return true;
        }
        return false;
    }

    /** Polls for the runtime's pid file; returns 0 if the runtime exits first (start failed). */
    private static int awaitPid(Path pidFile, Process proc) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long sleepMicros = 200;
        while (System.nanoTime() < deadline) {
            if (Files.exists(pidFile)) {
                String s = Files.readString(pidFile).strip();
                if (!s.isEmpty()) return Integer.parseInt(s);
            }
            if (!proc.isAlive()) {
                if (Files.exists(pidFile)) {
                    String s = Files.readString(pidFile).strip();
                    if (!s.isEmpty()) return Integer.parseInt(s);
                }
                return 0;
            }
            try {
                Thread.sleep(Duration.ofNanos(sleepMicros * 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting the container");
            }
            sleepMicros = Math.min(sleepMicros * 2, 5000);
        }
        proc.destroyForcibly();
        return 0;
    }

    private List<String> processEnv(ContainerRecord r, boolean tty) {
        List<String> env = new ArrayList<>();
        env.add("PATH=" + DEFAULT_PATH);
        env.add("HOSTNAME=" + r.config.path("Hostname").asText());
        if (tty) env.add("TERM=xterm");
        return mergeEnv(env, Json.strings(r.config, "Env"));
    }

    private void mountRootfs(ContainerRecord r, Image img, Path target) throws IOException {
        if (Mounts.isMounted(target)) return;
        Path fs = store.dir(r.id).resolve("fs");
        // the runtime's mount points live in an init layer, never in the container's changes
        Path init = fs.resolve("init");
        if (!Files.isDirectory(init)) {
            Path temp = fs.resolve("init.tmp");
            if (Files.exists(temp)) AtomicFiles.deleteTree(temp);
            Files.createDirectories(temp);
            InitLayer.create(temp, layers.diffDirs(img));
            Files.move(temp, init, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        List<String> lowers = lowerDirs(r, img).stream().map(Path::toString).toList();
        String data = "lowerdir=" + String.join(":", lowers) + ",upperdir=" + fs.resolve("upper") + ",workdir=" + fs.resolve("work");
        Posix.mount("overlay", target.toString(), "overlay", 0, data);
    }

    /**
     * The overlay lower dirs of a container as {@link #mountRootfs} stacks them, top first: its init
     * layer (once a start made it) and the image's layers; an empty dir when there is none.
     */
    public List<Path> lowerDirs(ContainerRecord r, Image img) throws IOException {
        List<Path> lowers = new ArrayList<>();
        Path init = store.dir(r.id).resolve("fs/init");
        if (Files.isDirectory(init)) lowers.add(init);
        lowers.addAll(layers.diffDirs(img));
        if (lowers.isEmpty()) {
            Path empty = store.dir(r.id).resolve("fs/empty");
            Files.createDirectories(empty);
            lowers.add(empty);
        }
        return lowers;
    }

    /** The image a container was created from (it cannot be removed while the container exists). */
    public Image image(ContainerRecord r) {
        Image img = images.get(Digest.parse(r.image));
        if (img == null) throw BerthException.notFound("No such image: " + r.image);
        return img;
    }

    private void unmountRootfs(String id) {
        Path target = bundleDir(id).resolve("rootfs");
        try {
            if (Mounts.isMounted(target)) Posix.umount(target.toString(), Posix.MNT_DETACH);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "unmounting " + target, e);
        }
    }

    /** The /etc/hosts a container starts with, before its own address and {@code --add-host} entries. */
    public static final String HOSTS_DEFAULTS = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    /**
     * {@code --add-host name:ip} entries as hosts lines; {@code name:host-gateway} takes
     * {@code hostGateway}, or is left out when that is null (no bridge to point at).
     */
    public static String extraHosts(JsonNode extraHosts, String hostGateway) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode h : extraHosts) {
            String v = h.asText();
            int c = v.indexOf(':');
            if (c <= 0) continue;
            String ip = v.substring(c + 1);
            if (ip.equals("host-gateway")) {
                if (hostGateway == null) continue;
                ip = hostGateway;
            }
            sb.append(ip).append('\t').append(v, 0, c).append('\n');
        }
        return sb.toString();
    }

    private static void writeEtcFiles(Path dir, String hostname, String domainname, boolean hostNet, String extraHosts) throws IOException {
        if (hostNet) {
            Files.writeString(dir.resolve("hosts"), Files.readString(Path.of("/etc/hosts")) + extraHosts);
            Files.writeString(dir.resolve("hostname"), System.getenv().getOrDefault("HOSTNAME", hostname) + "\n");
        } else {
            Files.writeString(dir.resolve("hosts"), HOSTS_DEFAULTS + extraHosts);
            Files.writeString(dir.resolve("hostname"), hostname + "\n");
        }
        Files.writeString(dir.resolve("resolv.conf"), resolvConf(hostResolvConf(), hostNet));
    }

    /** The host's /etc/resolv.conf, "" when it has none. */
    public static String hostResolvConf() {
        try {
            return Files.readString(Path.of("/etc/resolv.conf"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The host's resolv.conf as Docker filters it: loopback name servers are useless inside a
     * network namespace, and when none are left Google's public resolvers are the default.
     */
    public static String resolvConf(String host, boolean hostNet) {
        List<String> lines = host.isEmpty() ? List.of() : List.of(host.split("\n"));
        if (hostNet) return String.join("\n", lines) + "\n";
        StringBuilder out = new StringBuilder();
        boolean anyNs = false;
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("nameserver")) {
                String addr = t.substring(10).strip();
                if (addr.startsWith("127.") || addr.equals("::1")) continue;
                anyNs = true;
            }
            out.append(l).append('\n');
        }
        if (!anyNs) out.append("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        return out.toString();
    }

    // ---- exit ------------------------------------------------------------------------------

    private void awaitExit(ContainerRecord r, Run run, Instant startedAt) {
        int code;
        long t0;
        try {
            code = run.runtime.waitFor();
            t0 = System.nanoTime();
            run.joinPumps(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (run.ptyMaster != null) Posix.close(run.ptyMaster);
        networking.detach(r.id);
        unmountRootfs(r.id);
        runs.remove(r.id, run);
        io(r).endRun();
        synchronized (r) {
            r.state.status = "exited";
            r.state.running = false;
            r.state.pid = 0;
            r.state.exitCode = code;
            r.state.finishedAt = Times.rfc3339Nano(Instant.now());
        }
        try {
            store.save(r);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "saving container " + r.id, e);
        }
        Map<String, String> a = attrs(r);
        a.put("exitCode", Integer.toString(code));
        a.put("execDuration", Long.toString(Duration.between(startedAt, Instant.now()).toSeconds()));
        events.publish("container", "die", r.id, a);
        // Waiters wake after "die" is published, so "stop" and "destroy" always follow it.
        synchronized (r) {
            r.exits++;
            r.notifyAll();
        }
        LOG.fine(() -> "exit " + Ids.shortId(r.id) + ": recorded in " + (System.nanoTime() - t0) / 1000 + " us");
        if (r.hostConfig.path("AutoRemove").asBoolean(false)) {
            Thread.ofVirtual().start(() -> {
                try {
                    remove(r.id, true, false);
                } catch (BerthException.NotFound ignored) {
                    // already removed by a client
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "auto-removing " + r.id, e);
                }
            });
        }
    }

    // ---- signals, stop, restart ------------------------------------------------------------

    /** A signal name or number from a client; a bad one is the client's error (400). */
    private static int signal(String s) {
        try {
            return Signals.parse(s);
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid(e.getMessage());
        }
    }

    public void kill(String ref, String signal) throws IOException {
        ContainerRecord r = store.resolve(ref);
        int sig = signal == null || signal.isEmpty() ? 9 : signal(signal);
        Run run = runs.get(r.id);
        long exits;
        synchronized (r) {
            if (!r.state.running || run == null) {
                throw BerthException.conflict("Cannot kill container: " + ref + ": Container " + r.id + " is not running");
            }
            exits = r.exits;
        }
        Map<String, String> a = attrs(r);
        a.put("signal", Integer.toString(sig));
        events.publish("container", "kill", r.id, a);
        Posix.kill(run.pid, sig);
        if (sig == 9) awaitExitBounded(r, exits, Duration.ofSeconds(10));
    }

    /** Waits (bounded) until the run counted by {@code exitsBefore} has exited; true if it did. */
    private boolean awaitExitBounded(ContainerRecord r, long exitsBefore, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (r) {
            while (r.exits == exitsBefore) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    r.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    public void stop(String ref, Integer timeoutSeconds, String signal) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            synchronized (r) {
                if (!r.state.running) throw new BerthException.NotModified("container already stopped");
            }
            doStop(r, timeoutSeconds, signal);
            events.publish("container", "stop", r.id, attrs(r));
        } finally {
            l.unlock();
        }
    }

    private void doStop(ContainerRecord r, Integer timeoutSeconds, String signal) {
        String sigName = signal != null && !signal.isEmpty() ? signal : r.config.path("StopSignal").asText("SIGTERM");
        int sig = signal(sigName);
        int timeout = timeoutSeconds != null ? timeoutSeconds
                : r.config.has("StopTimeout") ? r.config.get("StopTimeout").asInt() : 10;
        Run run = runs.get(r.id);
        if (run == null) return;
        long exits;
        synchronized (r) {
            if (!r.state.running) return;
            exits = r.exits;
        }
        Map<String, String> a = attrs(r);
        a.put("signal", Integer.toString(sig));
        events.publish("container", "kill", r.id, a);
        try {
            Posix.kill(run.pid, sig);
        } catch (IOException e) {
            // already gone: the exit waiter records it
        }
        boolean exited = awaitExitBounded(r, exits, timeout < 0 ? Duration.ofDays(3650) : Duration.ofSeconds(timeout));
        if (!exited) {
            Map<String, String> k = attrs(r);
            k.put("signal", "9");
            events.publish("container", "kill", r.id, k);
            try {
                Posix.kill(run.pid, 9);
            } catch (IOException e) {
                // raced with exit
            }
            awaitExitBounded(r, exits, Duration.ofSeconds(30));
        }
    }

    public void restart(String ref, Integer timeoutSeconds, String signal) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            boolean running;
            synchronized (r) { running = r.state.running; }
            if (running) {
                doStop(r, timeoutSeconds, signal);
                events.publish("container", "stop", r.id, attrs(r));
            }
            doStart(r);
            events.publish("container", "restart", r.id, attrs(r));
        } finally {
            l.unlock();
        }
    }

    // ---- remove ----------------------------------------------------------------------------

    public void remove(String ref, boolean force, boolean volumes) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            if (store.tryResolve(r.id) == null) throw BerthException.notFound("No such container: " + ref);
            long t0 = System.nanoTime();
            boolean running;
            long exits;
            synchronized (r) {
                running = r.state.running;
                exits = r.exits;
            }
            if (running) {
                if (!force) {
                    throw BerthException.conflict("cannot remove container \"" + r.name
                            + "\": container is running: stop the container before removing or force remove");
                }
                Run run = runs.get(r.id);
                if (run != null) {
                    try {
                        Posix.kill(run.pid, 9);
                    } catch (IOException ignored) {
                        // exited meanwhile
                    }
                }
                if (!awaitExitBounded(r, exits, Duration.ofSeconds(30))) {
                    throw BerthException.internal("could not kill container " + r.id, null);
                }
            }
            // Not persisted: store.delete is atomic (rename, then delete), so a crash leaves
            // either the whole container or nothing.
            synchronized (r) {
                r.removalInProgress = true;
                r.state.status = "removing";
            }
            unmountRootfs(r.id);
            runtime.forceDelete(r.id);
            AtomicFiles.deleteTree(bundleDir(r.id));
            ContainerIo io = ios.remove(r.id);
            if (io != null) io.close();
            store.delete(r);
            consoleSizes.remove(r.id);
            locks.remove(r.id);
            synchronized (r) {
                r.removed = true;
                r.notifyAll();
            }
            LOG.fine(() -> "removed " + Ids.shortId(r.id) + " in " + (System.nanoTime() - t0) / 1000 + " us");
            events.publish("container", "destroy", r.id, attrs(r));
        } finally {
            l.unlock();
        }
    }

    /**
     * {@code POST /containers/prune}: removes every stopped container, narrowed by {@code until}
     * (created before) and {@code label}/{@code label!} filters, as dockerd does.
     */
    public ObjectNode prune(Map<String, List<String>> filters) throws IOException {
        for (String k : filters.keySet()) {
            if (!List.of("until", "label", "label!").contains(k)) throw BerthException.invalid("invalid filter '" + k + "'");
        }
        Instant until = null;
        for (String v : filters.getOrDefault("until", List.of())) until = Times.parseQueryTime(v, Instant.now());
        ObjectNode out = Json.obj();
        ArrayNode deleted = out.putArray("ContainersDeleted");
        long reclaimed = 0;
        for (ContainerRecord r : store.all()) {
            synchronized (r) {
                if (r.state.running || r.state.paused || r.state.restarting || r.removalInProgress) continue;
            }
            if (until != null && !Instant.parse(r.created).isBefore(until)) continue;
            var labels = dev.berth.daemon.util.Filters.labelsOf(r.config.get("Labels"));
            if (!filters.getOrDefault("label", List.of()).stream().allMatch(l -> dev.berth.daemon.util.Filters.labelMatches(labels, l))) continue;
            if (filters.getOrDefault("label!", List.of()).stream().anyMatch(l -> dev.berth.daemon.util.Filters.labelMatches(labels, l))) continue;
            long size = dev.berth.daemon.os.Mounts.du(store.dir(r.id).resolve("fs/upper"));
            try {
                remove(r.id, false, false);
            } catch (BerthException.NotFound | BerthException.Conflict e) {
                continue; // removed or started meanwhile
            }
            deleted.add(r.id);
            reclaimed += size;
        }
        if (deleted.isEmpty()) out.putNull("ContainersDeleted");
        out.put("SpaceReclaimed", reclaimed);
        events.publish("container", "prune", "", Map.of("reclaimed", Long.toString(reclaimed)));
        return out;
    }

    // ---- networks ----------------------------------------------------------------------------

    /**
     * {@code POST /networks/{id}/connect}: records the network (with the client's endpoint
     * settings) and, when the container runs, gives it an interface there at once.
     */
    public void connect(String ref, String network, JsonNode endpointConfig) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            String mode = r.hostConfig.path("NetworkMode").asText();
            if (network.equals("host") || network.equals("none") || mode.equals("host") || mode.equals("none") || mode.startsWith("container:")) {
                if (network.equals("host") || mode.equals("host")) {
                    throw new BerthException.Forbidden("container cannot be disconnected from host network or connected to host network");
                }
                throw new BerthException.Forbidden("container sharing network namespace with another container or host cannot be connected to any other network");
            }
            if (r.networks != null && r.networks.has(network)) {
                throw new BerthException.Forbidden("endpoint with name " + r.bareName() + " already exists in network " + network);
            }
            ObjectNode wanted = Json.obj();
            wanted.set(network, endpointConfig == null || endpointConfig.isNull() ? Json.obj() : endpointConfig);
            ObjectNode ep = endpointsConfig(network, wanted);
            boolean running;
            synchronized (r) { running = r.state.running; }
            if (running) networking.connect(r, network, ep.get(network));
            synchronized (r) {
                if (r.networks == null) r.networks = Json.obj();
                r.networks.set(network, ep.get(network));
            }
            store.save(r);
            events.publish("network", "connect", network, Map.of("container", r.id, "name", network, "type", "bridge"));
        } finally {
            l.unlock();
        }
    }

    /** {@code POST /networks/{id}/disconnect}. */
    public void disconnect(String ref, String network, boolean force) throws IOException {
        ContainerRecord r = store.resolve(ref);
        ReentrantLock l = lock(r.id);
        l.lock();
        try {
            if (network.equals("host") && r.hostConfig.path("NetworkMode").asText().equals("host")) {
                throw new BerthException.Forbidden("container cannot be disconnected from host network or connected to host network");
            }
            if (r.networks == null || !r.networks.has(network)) {
                throw new BerthException.Forbidden("container " + r.id + " is not connected to network " + network);
            }
            networking.disconnect(r.id, network);
            synchronized (r) {
                r.networks.remove(network);
                // a container whose NetworkMode network is gone keeps it as its mode, as dockerd does
            }
            store.save(r);
            events.publish("network", "disconnect", network, Map.of("container", r.id, "name", network, "type", "bridge"));
        } finally {
            l.unlock();
        }
    }

    // ---- wait, rename, resize --------------------------------------------------------------

    /** Blocks until the condition holds; returns the exit code to report. */
    public int await(ContainerRecord r, String condition) throws InterruptedException {
        synchronized (r) {
            switch (condition == null || condition.isEmpty() ? "not-running" : condition) {
                case "not-running" -> {
                    while (r.state.running && !r.removed) r.wait();
                }
                case "next-exit" -> {
                    long n = r.exits;
                    while (r.exits == n && !r.removed) r.wait();
                }
                case "removed" -> {
                    while (!r.removed) r.wait();
                }
                default -> throw BerthException.invalid("invalid condition: \"" + condition + "\"");
            }
            return r.state.exitCode;
        }
    }

    public static void checkCondition(String condition) {
        if (condition != null && !condition.isEmpty() && !List.of("not-running", "next-exit", "removed").contains(condition)) {
            throw BerthException.invalid("invalid condition: \"" + condition + "\"");
        }
    }

    public void rename(String ref, String newName) throws IOException {
        ContainerRecord r = store.resolve(ref);
        if (newName == null || newName.isEmpty()) throw BerthException.invalid("Neither old nor new names may be empty");
        if (!Names.VALID.matcher(newName).matches()) {
            throw BerthException.invalid("Invalid container name (" + newName + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        String n = newName.startsWith("/") ? newName : "/" + newName;
        String old = r.name;
        if (old.equals(n)) throw BerthException.conflict("Renaming a container with the same name as its current name");
        store.rename(r, n);
        Map<String, String> a = attrs(r);
        a.put("oldName", old);
        events.publish("container", "rename", r.id, a);
    }

    public void resize(String ref, int height, int width) throws IOException {
        ContainerRecord r = store.resolve(ref);
        if (height <= 0 || width <= 0) throw BerthException.invalid("invalid terminal size " + height + "x" + width);
        consoleSizes.put(r.id, new int[] {height, width});
        Run run = runs.get(r.id);
        synchronized (r) {
            if (!r.state.running || run == null) throw BerthException.conflict("Container " + r.id + " is not running");
        }
        if (run.ptyMaster == null) return; // no TTY: nothing to resize (dockerd ignores it too)
        Posix.setWindowSize(run.ptyMaster, height, width);
        // The runtime copies between our pty and the container's: it re-reads the size on SIGWINCH.
        Posix.kill((int) run.runtime.pid(), 28);
    }

    /** Stops every running container (daemon shutdown: Docker's default without live-restore). */
    public void shutdown() {
        List<Thread> ts = new ArrayList<>();
        for (ContainerRecord r : store.all()) {
            boolean running;
            synchronized (r) { running = r.state.running; }
            if (running) ts.add(Thread.ofVirtual().start(() -> {
                try {
                    stop(r.id, 10, null);
                } catch (Exception e) {
                    LOG.log(Level.FINE, "stopping " + r.id, e);
                }
            }));
        }
        for (Thread t : ts) {
            try {
                t.join(15000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
