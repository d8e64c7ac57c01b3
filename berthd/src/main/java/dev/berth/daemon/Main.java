package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.api.ApiVersion;
import dev.berth.daemon.archive.ImageLoad;
import dev.berth.daemon.archive.ImageSave;
import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.container.ContainerStore;
import dev.berth.daemon.container.ContainerStreams;
import dev.berth.daemon.container.ContainerViews;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.distribution.DistributionInspect;
import dev.berth.daemon.distribution.ImagePull;
import dev.berth.daemon.distribution.ImagePush;
import dev.berth.daemon.distribution.Registries;
import dev.berth.daemon.distribution.RetryPolicy;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.CompressedDigests;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.net.NetworkService;
import dev.berth.daemon.net.Sandboxes;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.os.Mounts;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.runtime.OciRuntime;
import dev.berth.daemon.build.Builder;
import dev.berth.daemon.server.ArchiveRoutes;
import dev.berth.daemon.server.BuildRoutes;
import dev.berth.daemon.server.ContainerRoutes;
import dev.berth.daemon.server.HttpServer;
import dev.berth.daemon.server.ImageRoutes;
import dev.berth.daemon.server.NetworkRoutes;
import dev.berth.daemon.server.Router;
import dev.berth.daemon.server.SystemRoutes;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

/** berthd: parses flags, wires the daemon together (plain constructors, one place) and serves. */
public final class Main {
    private static final Logger LOG = Logger.getLogger("berthd");

    public static void main(String[] args) {
        DaemonConfig cfg;
        try {
            cfg = DaemonFlags.parse(args);
        } catch (DaemonFlags.Exit e) {
            if (e.message != null) (e.code == 0 ? System.out : System.err).println(e.message);
            System.exit(e.code);
            return;
        }
        Logging.setup(cfg.logLevel());
        try {
            run(cfg);
        } catch (Exception e) {
            System.err.println("berthd: " + e.getMessage());
            LOG.log(java.util.logging.Level.FINE, "startup failed", e);
            System.exit(1);
        }
    }

    static void run(DaemonConfig cfg) throws Exception {
        if (Posix.getuid() != 0) throw new IllegalStateException("berthd needs to be started with root privileges");
        for (String h : cfg.hosts()) {
            if (!h.startsWith("unix://")) {
                throw new IllegalStateException("cannot listen on " + h + ": only unix:// sockets are supported so far (TCP with TLS is planned)");
            }
        }
        String problem = OciRuntime.incompatibility(cfg.defaultRuntime());
        if (problem != null) throw new IllegalStateException(problem);
        OciRuntime runtime = OciRuntime.find(cfg.defaultRuntime(), cfg.execRoot().resolve(cfg.defaultRuntime()));

        Files.createDirectories(cfg.dataRoot());
        Files.createDirectories(cfg.execRoot());
        PidFile.acquire(cfg.pidFile());
        // Mounts left by a daemon that died: the containers they served are gone with it.
        for (String m : Mounts.under(cfg.execRoot().resolve("containers"))) {
            try {
                Posix.umount(m, Posix.MNT_DETACH);
            } catch (IOException e) {
                LOG.warning("cannot unmount stale " + m + ": " + e.getMessage());
            }
        }

        EventBus events = new EventBus();
        ContentStore content = new ContentStore(cfg.dataRoot());
        LayerStore layers = new LayerStore(cfg.dataRoot());
        ImageStore imageStore = new ImageStore(cfg.dataRoot(), content, layers);
        ImageService images = new ImageService(content, layers, imageStore, new CompressedDigests(cfg.dataRoot()), events);
        ContainerStore containerStore = new ContainerStore(cfg.dataRoot());
        ContainerService containers = new ContainerService(cfg, containerStore, imageStore, layers, runtime, events);
        images.setContainerUsage(containers);
        NetworkService networks = new NetworkService(cfg.dataRoot(), events, () -> containerStore.all().stream()
                .flatMap(r -> r.networks == null ? java.util.stream.Stream.<NetworkService.Endpoint>empty()
                        : java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(r.networks.fieldNames(), 0), false)
                                .map(net -> new NetworkService.Endpoint(r.id, r.name.substring(1), net)))
                .toList(), NetworkService::hostRoutes, cfg.net().bip(), cfg.net().bridge(),
                cfg.net().addressPools().stream().map(NetworkService.AddressPool::parse).toList());
        Sandboxes sandboxes = new Sandboxes(cfg, networks);
        networks.setOnRemove(sandboxes::networkRemoved);
        networks.setEndpointDetails(sandboxes::endpointOf);
        containers.setNetworking(sandboxes);
        containers.setNetworkNames(ref -> {
            var n = networks.tryResolve(ref);
            return n == null ? null : n.name();
        });
        containers.recover();
        sandboxes.reconcile();

        Router router = new Router();
        ContainerViews views = new ContainerViews(containers, imageStore, layers, sandboxes);
        new SystemRoutes(cfg, containers, views, images, runtime, events, engineId(cfg.dataRoot())).register(router);
        Registries registries = new Registries(cfg.registryLoopbackOnly(), cfg.insecureRegistries(), cfg.registryMirrors(),
                cfg.registryCertsDirs(), cfg.registryStallTimeout());
        ArchiveRoutes archives = new ArchiveRoutes(new ImageSave(content, imageStore, events), new ImageLoad(content, layers, imageStore, events));
        ImagePull imagePull = new ImagePull(content, layers, images, registries, RetryPolicy.DEFAULT.withMaxAttempts(cfg.maxDownloadAttempts()));
        new ImageRoutes(images, imagePull,
                new ImagePush(images, registries, cfg.pushCompressionLevel()),
                new DistributionInspect(registries), archives).register(router);
        new ContainerRoutes(containers, views, new ContainerStreams(containers, events)).register(router);
        new NetworkRoutes(networks, containers).register(router);
        new BuildRoutes(new Builder(cfg.dataRoot(), images, containers, imagePull), images).register(router);

        List<HttpServer> servers = new ArrayList<>();
        for (Path sock : cfg.unixSockets()) {
            HttpServer s = new HttpServer(router, sock);
            s.start();
            servers.add(s);
            LOG.info("API listen on " + sock);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: stopping running containers");
            containers.shutdown();
            sandboxes.shutdown();
            for (HttpServer s : servers) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }
            PidFile.release(cfg.pidFile());
        }, "berth-shutdown"));
        LOG.info("berthd " + ApiVersion.BERTH_VERSION + " (API " + ApiVersion.CURRENT + ", runtime " + runtime.name()
                + ") ready; data root " + cfg.dataRoot() + ", exec root " + cfg.execRoot());
    }

    private static String engineId(Path dataRoot) throws IOException {
        Path f = dataRoot.resolve("engine-id");
        if (Files.exists(f)) return Files.readString(f).strip();
        String id = UUID.randomUUID().toString();
        dev.berth.daemon.util.AtomicFiles.write(f, id.getBytes());
        return id;
    }

    static JsonNode readConfigFile(Path p) throws IOException {
        return Json.MAPPER.readTree(p.toFile());
    }
}
