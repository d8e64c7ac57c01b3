package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.HttpConnection;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code create} and {@code run}: the container config from flags, and docker CLI 28's run flow. */
public final class RunCommand {
    private RunCommand() {}

    public static int create(Cli cli, ParsedArgs a) throws IOException, CliException {
        Map<String, Object> config = config(cli, a, false);
        String id = createContainer(cli, a, config, false);
        cli.out.println(id);
        return 0;
    }

    /**
     * run: create; unless detached, hijack attach and register the wait <em>before</em> start
     * (so no output and no exit is missed); start; stream; exit with the container's status.
     */
    public static int run(Cli cli, ParsedArgs a) throws IOException, CliException {
        boolean detach = a.bool("detach");
        if (detach && !a.list("attach").isEmpty()) throw new CliException("berth: Conflicting options: -a and -d", 1);
        Map<String, Object> config = config(cli, a, detach);
        boolean tty = Json.bool(config, "Tty");
        boolean attachStdin = Json.bool(config, "AttachStdin");
        if (!detach && tty && attachStdin && !Terminal.isTerminal(0)) {
            throw new CliException("the input device is not a TTY", 1);
        }
        String id = createContainer(cli, a, config, true);
        DaemonClient client = cli.client();
        if (detach) {
            try {
                client.expectOk("POST", "/containers/" + id + "/start");
            } catch (DaemonException e) {
                throw startError(e);
            }
            cli.out.println(id);
            return 0;
        }
        boolean autoRemove = a.bool("rm");
        boolean attachOut = Json.bool(config, "AttachStdout") || Json.bool(config, "AttachStderr");
        HttpConnection attach = attachOut || attachStdin ? AttachSession.open(client, id, attachStdin) : null;
        ExitWaiter waiter = ExitWaiter.start(client, id, autoRemove ? "removed" : "next-exit");
        AttachSession session = new AttachSession(cli, id, tty, attachStdin);
        if (attach != null) session.prepareTerminal();
        try {
            client.expectOk("POST", "/containers/" + id + "/start");
        } catch (DaemonException e) {
            session.restoreTerminal();
            if (attach != null) attach.close();
            if (autoRemove) waiter.await(2000);
            else waiter.cancel();
            throw startError(e);
        }
        if (attach != null) {
            session.monitorSize();
            if (!a.has("sig-proxy") || a.bool("sig-proxy")) session.proxySignals();
            session.stream(attach);
        }
        return ContainerCommands.exitStatus(cli, id, waiter, attach != null);
    }

    /** docker's runStartContainerErr: 127 for a missing command, 126 when not executable, else 125. */
    static CliException startError(DaemonException e) {
        String m = e.getMessage();
        int code = 125;
        if (m.contains("executable file not found") || m.contains("no such file or directory")) code = 127;
        else if (m.contains("permission denied") || m.contains("is a directory")) code = 126;
        return new CliException("berth: " + e.display() + "\n\nRun 'berth run --help' for more information", code);
    }

    private static String createContainer(Cli cli, ParsedArgs a, Map<String, Object> config, boolean isRun)
            throws IOException, CliException {
        String image = (String) config.get("Image");
        Query q = new Query().opt("name", a.str("name")).opt("platform", a.str("platform"));
        Object resp;
        try {
            try {
                resp = cli.client().json("POST", "/containers/create" + q, config);
            } catch (DaemonException e) {
                if (e.status() != 404 || "never".equals(a.str("pull", "missing"))) throw e;
                // like docker: the image is missing, pull it (progress on stderr) and create again
                cli.err.println("Unable to find image '" + normalizeImage(image) + "' locally");
                ImageCommands.pullImage(cli, normalizeImage(image), a.str("platform"), cli.err);
                resp = cli.client().json("POST", "/containers/create" + q, config);
            }
        } catch (DaemonException | CliException e) {
            String msg = e instanceof DaemonException de ? de.display() : e.getMessage();
            if (isRun) throw new CliException("berth: " + msg + "\n\nRun 'berth run --help' for more information", 125);
            throw e;
        }
        for (Object w : Json.list(resp, "Warnings")) cli.err.println("WARNING: " + w);
        return Json.str(resp, "Id");
    }

    /** "busybox" → "busybox:latest"; references with a tag or digest stay as they are. */
    static String normalizeImage(String image) {
        if (image.contains("@")) return image;
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0 ? image : image + ":latest";
    }

    /** The body of {@code POST /containers/create}, in the field order docker sends. */
    static Map<String, Object> config(Cli cli, ParsedArgs a, boolean detach) throws CliException {
        List<String> pos = a.positionals();
        String image = pos.get(0);
        boolean interactive = a.bool("interactive");
        boolean attachIn = interactive, attachOut = true, attachErr = true;
        List<String> attachList = a.list("attach");
        if (!attachList.isEmpty()) {
            attachIn = attachOut = attachErr = false;
            for (String s : attachList) {
                switch (s.toLowerCase()) {
                    case "stdin" -> attachIn = true;
                    case "stdout" -> attachOut = true;
                    case "stderr" -> attachErr = true;
                    default -> throw new CliException("invalid argument \"" + s + "\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", 125);
                }
            }
        }
        if (detach) attachIn = attachOut = attachErr = false;

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Hostname", a.str("hostname", ""));
        c.put("User", a.str("user", ""));
        c.put("AttachStdin", attachIn);
        c.put("AttachStdout", attachOut);
        c.put("AttachStderr", attachErr);
        c.put("Tty", a.bool("tty"));
        c.put("OpenStdin", interactive);
        c.put("StdinOnce", interactive && attachIn && !detach);
        c.put("Env", env(cli, a));
        c.put("Cmd", pos.size() > 1 ? new ArrayList<Object>(pos.subList(1, pos.size())) : null);
        Object entrypoint = null;
        if (a.has("entrypoint")) entrypoint = new ArrayList<Object>(List.of(a.str("entrypoint")));
        c.put("Entrypoint", entrypoint);
        c.put("Image", image);
        Map<String, Object> labels = new LinkedHashMap<>();
        for (String l : a.list("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        c.put("Labels", labels);
        c.put("WorkingDir", a.str("workdir", ""));
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("AutoRemove", a.bool("rm"));
        String net = a.str("network", "");
        host.put("NetworkMode", net.isEmpty() ? "default" : net);
        if (a.bool("init")) host.put("Init", true);
        c.put("HostConfig", host);
        return c;
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
