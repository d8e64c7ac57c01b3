package dev.berth.cli;

import dev.berth.cli.config.ConfigFile;
import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.Endpoint;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a command runs against: output streams, the environment, and the daemon client
 * (created on first use, so commands that fail early never touch the socket code).
 */
public final class Cli {
    public final PrintStream out;
    public final PrintStream err;
    public final InputStream in;
    public final Map<String, String> env;
    private String host;
    private String configDir;
    private DaemonClient client;
    private ConfigFile config;

    public Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    /** The process's own stdio (stdout buffered; flushed by the launcher and by streaming code). */
    public static Cli system() {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 32768),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        return new Cli(out, err, System.in, System.getenv());
    }

    /** Sets the -H/--host value; without it BERTH_HOST, then DOCKER_HOST, then the default apply. */
    public void host(String h) { this.host = h; }

    public String hostUri() {
        if (host != null && !host.isEmpty()) return host;
        String h = env.get("BERTH_HOST");
        if (h == null || h.isEmpty()) h = env.get("DOCKER_HOST");
        return h == null || h.isEmpty() ? Endpoint.DEFAULT : h;
    }

    /** Sets the global {@code --config} directory (docker's: where config.json lives). */
    public void configDir(String dir) { this.configDir = dir; }

    /** The docker-format config.json ({@code --config}, DOCKER_CONFIG, ~/.docker), read on first use. */
    public ConfigFile config() {
        if (config == null) config = ConfigFile.load(ConfigFile.dir(configDir, env));
        return config;
    }

    public DaemonClient client() {
        if (client == null) client = new DaemonClient(Endpoint.parse(hostUri()));
        return client;
    }
}
