package dev.berth.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** bin/berth-registry serving a temp storage on a free 127.0.0.1 port, as a process. */
public final class BerthRegistry implements AutoCloseable {
    public final Path dir;
    public final Path storage;
    public final int port;
    private final List<String> extra;
    private Path config;
    private boolean positional;
    private Process process;

    /**
     * A registry started from a config file ({@code serve --config}) with this {@code auth}
     * section (JSON; relative paths are under {@link #dir}, written by {@code files}).
     */
    public static BerthRegistry withAuth(java.util.function.Function<BerthRegistry, String> authJson) throws Exception {
        BerthRegistry r = new BerthRegistry(false);
        r.config = r.dir.resolve("config.json");
        Files.writeString(r.config, "{\"addr\": \"" + r.host() + "\", \"storage\": \"storage\", \"auth\": " + authJson.apply(r) + "}");
        return r.start();
    }

    /**
     * A registry started as docker-registry is, {@code serve config.yml}, from distribution's
     * config format: {@code yaml} gets this registry (for its host and dir) and returns the file.
     */
    public static BerthRegistry withDistributionConfig(java.util.function.Function<BerthRegistry, String> yaml) throws Exception {
        BerthRegistry r = new BerthRegistry(false);
        r.config = r.dir.resolve("config.yml");
        r.positional = true;
        Files.writeString(r.config, yaml.apply(r));
        return r.start();
    }

    private BerthRegistry(boolean start) throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "berth-registry-it-");
        storage = dir.resolve("storage");
        extra = List.of();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
    }

    public BerthRegistry(String... extraArgs) throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "berth-registry-it-");
        storage = dir.resolve("storage");
        extra = List.of(extraArgs);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        start();
    }

    public BerthRegistry start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BerthDaemon.HOME.resolve("bin/berth-registry").toString(), "serve"));
        if (config != null) {
            if (positional) cmd.add(config.toString());
            else cmd.addAll(List.of("--config", config.toString()));
        } else {
            cmd.addAll(List.of("--addr", host(), "--storage", storage.toString()));
            cmd.addAll(extra);
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile())).start();
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 200; i++) {
            if (!process.isAlive()) throw new IllegalStateException("berth-registry exited: " + log());
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url("/v2/"))).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) return this; // 401: behind auth
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("berth-registry did not answer: " + log());
    }

    public String host() { return "127.0.0.1:" + port; }

    public String url(String path) { return "http://" + host() + path; }

    public String log() throws IOException { return Files.readString(dir.resolve("registry.log")); }

    /** SIGTERM and wait. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** {@code bin/berth-registry gc [args] --storage <this storage>}. */
    public Cmd.Result gc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BerthDaemon.HOME.resolve("bin/berth-registry").toString(), "gc"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--storage", storage.toString()));
        return Cmd.run(Map.of(), null, cmd.toArray(String[]::new));
    }

    /** SIGKILL, as a crash. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override public void close() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor();
        }
        Cmd.run(Map.of(), null, "rm", "-rf", dir.toString());
    }
}
