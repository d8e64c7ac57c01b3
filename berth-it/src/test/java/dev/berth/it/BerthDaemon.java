package dev.berth.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real berthd for a test: its own socket, data root, exec root and pid file under a temp
 * directory, started from the built tree ({@code bin/berthd}) with the test network settings
 * ({@code --ip-masq=false}, {@code --embedded-dns-forward=false}, its own default bridge and
 * subnet, and the uplink guard of {@code bin/test-net-guard} in place before it starts). Stop it
 * cleanly or kill -9 it; restart it on the same roots.
 */
public final class BerthDaemon implements AutoCloseable {
    public static final Path HOME = Path.of(System.getProperty("berth.home", "..")).toAbsolutePath().normalize();

    public final Path dir;
    public final Path socket;
    public final Path dataRoot;
    public final Path execRoot;
    public final Path logFile;
    private final List<String> extraArgs = new ArrayList<>();
    private Process process;

    public BerthDaemon() throws IOException {
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "berth-it-");
        this.socket = dir.resolve("berth.sock");
        this.dataRoot = dir.resolve("data");
        this.execRoot = dir.resolve("exec");
        this.logFile = dir.resolve("berthd.log");
    }

    public String host() { return "unix://" + socket; }

    /** More berthd flags for this daemon (e.g. {@code --registry-stall-timeout 1}); call before {@link #start}. */
    public BerthDaemon withArgs(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    private static final java.util.concurrent.atomic.AtomicInteger COUNT = new java.util.concurrent.atomic.AtomicInteger();
    /** This daemon's default bridge and its subnet: its own, so daemons side by side never share them. */
    public final String bridge;
    public final String bip;

    {
        int n = (int) ((ProcessHandle.current().pid() + COUNT.getAndIncrement()) % 200);
        bridge = "bt" + n;
        bip = "10.199." + n + ".1/24";
    }

    public BerthDaemon start() throws IOException, InterruptedException {
        NetGuard.install();
        Path emptyConfig = dir.resolve("daemon.json");
        if (!Files.exists(emptyConfig)) Files.writeString(emptyConfig, "{}\n");
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/berthd").toString(),
                "--host", host(), "--data-root", dataRoot.toString(), "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("berthd.pid").toString(), "--config-file", emptyConfig.toString(),
                "--ip-masq=false", "--embedded-dns-forward=false", "--bridge", bridge, "--bip", bip,
                "--registry-loopback-only", "--log-level", "debug"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("berthd exited: " + Files.readString(logFile));
            if (Files.exists(socket) && ping()) return this;
            Thread.sleep(50);
        }
        throw new IllegalStateException("berthd did not answer /_ping: " + Files.readString(logFile));
    }

    private boolean ping() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM and wait: berthd stops its containers and exits. */
    public void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        process = null;
    }

    /** kill -9: no chance to clean up. */
    public void kill9() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly().waitFor();
        process = null;
    }

    public long pid() { return process.pid(); }

    public String log() throws IOException { return Files.readString(logFile); }

    /** Runs the docker CLI against this daemon. */
    public Cmd.Result docker(String... args) throws IOException, InterruptedException {
        return Cmd.run(Map.of("DOCKER_HOST", host()), null, prepend("/usr/local/bin/docker", args));
    }

    public Cmd.Result dockerIn(String stdin, String... args) throws IOException, InterruptedException {
        return Cmd.run(Map.of("DOCKER_HOST", host()), stdin, prepend("/usr/local/bin/docker", args));
    }

    /** Runs the berth CLI against this daemon. */
    public Cmd.Result berth(String... args) throws IOException, InterruptedException {
        return Cmd.run(Map.of("BERTH_HOST", host()), null, prepend(HOME.resolve("bin/berth").toString(), args));
    }

    public Cmd.Result berthIn(String stdin, String... args) throws IOException, InterruptedException {
        return Cmd.run(Map.of("BERTH_HOST", host()), stdin, prepend(HOME.resolve("bin/berth").toString(), args));
    }

    static String[] prepend(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Imports the shared busybox rootfs as {@code busybox:latest}. */
    public void importBusybox() throws IOException, InterruptedException {
        Cmd.Result r = docker("import", Fixtures.busyboxTar().toString(), "busybox");
        if (r.code() != 0) throw new IllegalStateException("import failed: " + r);
    }

    @Override
    public void close() throws Exception {
        stop();
        // keep the daemon's log for post-mortems (CI prints target/daemon-logs on failure)
        Path logs = Path.of("target/daemon-logs");
        Files.createDirectories(logs);
        if (Files.exists(logFile)) Files.copy(logFile, logs.resolve(dir.getFileName() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Leaks.unmountAll(dir);
        // a daemon killed with -9 and not restarted leaves its bridge and table: not for the next test
        Cmd.run(Map.of(), null, "ip", "link", "del", bridge);
        Cmd.run(Map.of(), null, "nft", "delete table ip berth_" + bridge);
        Cmd.run(Map.of(), null, "rm", "-rf", dir.toString());
    }
}
