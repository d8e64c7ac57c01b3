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
import java.util.Map;

/** {@code create} and {@code run}: the container config from flags, and docker CLI 28's run flow. */
public final class RunCommand {
    private RunCommand() {}

    public static int create(Cli cli, ParsedArgs a) throws IOException, CliException {
        Map<String, Object> config = CreateRequest.body(cli, a, "create", false);
        CreateRequest.warnLocalhostDns(cli, a);
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
        Map<String, Object> config = CreateRequest.body(cli, a, "run", detach);
        CreateRequest.warnLocalhostDns(cli, a);
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
}
