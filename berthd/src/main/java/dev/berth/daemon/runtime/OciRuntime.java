package dev.berth.daemon.runtime;

import dev.berth.daemon.errors.BerthException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OCI runtime binary (runc, or crun which has the same command line). Containers run in the
 * foreground ({@code runc run}): the runtime process lives as long as the container, passes its
 * stdio straight through, returns the container's exit status and destroys the container
 * (cgroups, state) when it exits. Each daemon keeps runtime state under its own exec root.
 */
public final class OciRuntime {
    private final String name;
    private final String binary;
    private final Path stateRoot;

    public OciRuntime(String name, String binary, Path stateRoot) {
        this.name = name;
        this.binary = binary;
        this.stateRoot = stateRoot;
    }

    public String name() { return name; }
    public String binary() { return binary; }

    /** Finds the runtime on PATH, or fails with a clear message. */
    public static OciRuntime find(String name, Path stateRoot) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return new OciRuntime(name, p.toString(), stateRoot);
        }
        throw new IllegalStateException("OCI runtime \"" + name + "\" not found in PATH (install it: apt-get install " + name + ")");
    }

    /**
     * crun 1.8 refuses hybrid cgroup layouts (cgroup v1 controllers plus controllers such as
     * hugetlb on the cgroup2 mount at /sys/fs/cgroup/unified). Detect it up front instead of
     * failing every container start with a cryptic message.
     */
    public static String incompatibility(String runtimeName) {
        if (!runtimeName.equals("crun")) return null;
        Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        try {
            if (Files.exists(unified) && !Files.readString(unified).isBlank()) {
                return "crun cannot run containers on this host: its cgroup layout is hybrid (cgroup v1 controllers, "
                        + "with '" + Files.readString(unified).strip() + "' on the cgroup2 mount at /sys/fs/cgroup/unified), "
                        + "which crun refuses; use --default-runtime runc";
            }
        } catch (IOException ignored) {
            // unreadable: let crun decide
        }
        return null;
    }

    /** How the container's stdio is wired to the runtime process. */
    public sealed interface Stdio {
        /** Pipes; stdin is /dev/null unless {@code openStdin}. */
        record Pipes(boolean openStdin) implements Stdio {}
        /** All three on the slave side of a pty the daemon owns (path such as /dev/pts/3). */
        record Terminal(String slavePath) implements Stdio {}
    }

    public Process run(String id, Path bundle, Stdio stdio) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary, "--root", stateRoot.toString(),
                "--log", bundle.resolve("runtime.log").toString(), "--log-format", "json",
                "run", "--bundle", bundle.toString(), "--pid-file", bundle.resolve("init.pid").toString(), id));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(bundle.toFile());
        switch (stdio) {
            case Stdio.Pipes p -> {
                pb.redirectInput(p.openStdin() ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
                pb.redirectError(ProcessBuilder.Redirect.PIPE);
            }
            case Stdio.Terminal t -> {
                File pts = new File(t.slavePath());
                pb.redirectInput(ProcessBuilder.Redirect.from(pts));
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(pts));
                pb.redirectError(ProcessBuilder.Redirect.appendTo(pts));
            }
        }
        return pb.start();
    }

    /**
     * Force-deletes a container the runtime still knows (after a daemon crash). Idempotent, and
     * free when the runtime has no state for it: {@code run} destroys what it created on exit,
     * so the usual remove spawns no process.
     */
    public void forceDelete(String id) {
        if (!java.nio.file.Files.exists(stateRoot.resolve(id))) return;
        exec(List.of(binary, "--root", stateRoot.toString(), "delete", "--force", id));
    }

    /** The runtime's view of a container: "running", "stopped", ... or null if unknown to it. */
    public String state(String id) {
        String out = exec(List.of(binary, "--root", stateRoot.toString(), "state", id));
        if (out == null) return null;
        int i = out.indexOf("\"status\"");
        if (i < 0) return null;
        int q1 = out.indexOf('"', out.indexOf(':', i) + 1);
        int q2 = out.indexOf('"', q1 + 1);
        return q1 < 0 || q2 < 0 ? null : out.substring(q1 + 1, q2);
    }

    public String version() {
        String out = exec(List.of(binary, "--version"));
        return out == null ? "unknown" : out.lines().findFirst().orElse("unknown");
    }

    private static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The last error the runtime logged (its --log file, JSON lines), for start failures. */
    public static String lastError(Path bundle) {
        try {
            List<String> lines = Files.readAllLines(bundle.resolve("runtime.log"));
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.contains("\"level\":\"error\"")) {
                    var n = dev.berth.daemon.util.Json.MAPPER.readTree(l);
                    return n.path("msg").asText();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no log: nothing to add
        }
        return null;
    }

    public static BerthException startError(String detail) {
        return new BerthException.Internal("failed to create task for container: OCI runtime create failed: " + detail + ": unknown");
    }
}
