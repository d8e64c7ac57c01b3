package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.HttpConnection;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;

/**
 * Container lifecycle commands. Multi-target commands act on each name in turn, print the
 * name as given on success and the daemon error on failure, and exit 1 if any failed.
 */
public final class ContainerCommands {
    private ContainerCommands() {}

    private interface Action {
        void apply(DaemonClient c, String name) throws IOException;
    }

    private static int each(Cli cli, ParsedArgs a, boolean printNames, Action action) throws IOException {
        boolean failed = false;
        for (String name : a.positionals()) {
            try {
                action.apply(cli.client(), name);
                if (printNames) cli.out.println(name);
            } catch (DaemonException e) {
                failed = true;
                cli.out.flush();
                cli.err.println(e.display());
            }
        }
        return failed ? 1 : 0;
    }

    static String path(String name, String action) { return "/containers/" + Query.seg(name) + action; }

    public static int start(Cli cli, ParsedArgs a) throws IOException, CliException {
        if (a.bool("attach") || a.bool("interactive")) {
            if (a.positionals().size() > 1) throw new CliException("you cannot start and attach multiple containers at once", 1);
            return startAttached(cli, a, a.positionals().get(0));
        }
        boolean failed = false;
        StringBuilder failedNames = new StringBuilder();
        for (String name : a.positionals()) {
            try {
                cli.client().expectOk("POST", path(name, "/start"));
                cli.out.println(name);
            } catch (DaemonException e) {
                failed = true;
                cli.out.flush();
                cli.err.println(e.display());
                failedNames.append(failedNames.isEmpty() ? "" : ", ").append(name);
            }
        }
        if (failed) throw new CliException("Error: failed to start containers: " + failedNames, 1);
        return 0;
    }

    private static int startAttached(Cli cli, ParsedArgs a, String name) throws IOException, CliException {
        DaemonClient client = cli.client();
        Object c = client.json("GET", path(name, "/json"), null);
        String id = Json.str(c, "Id");
        boolean tty = Json.bool(c, "Config", "Tty");
        boolean stdin = a.bool("interactive") && Json.bool(c, "Config", "OpenStdin");
        HttpConnection conn = AttachSession.open(client, id, stdin);
        ExitWaiter waiter = ExitWaiter.start(client, id, Json.bool(c, "HostConfig", "AutoRemove") ? "removed" : "next-exit");
        AttachSession session = new AttachSession(cli, id, tty, stdin);
        session.prepareTerminal();
        try {
            client.expectOk("POST", path(id, "/start"));
        } catch (DaemonException e) {
            session.restoreTerminal();
            conn.close();
            waiter.cancel();
            throw e;
        }
        session.monitorSize();
        session.proxySignals();
        session.stream(conn);
        return exitStatus(cli, id, waiter, true);
    }

    /**
     * The exit status once an attached stream ended. If the stream ended without the container
     * exiting (detach keys), the container is still running and the status is 0.
     */
    static int exitStatus(Cli cli, String id, ExitWaiter waiter, boolean streamed) throws IOException {
        if (streamed && !waiter.await(2000)) {
            try {
                Object c = cli.client().json("GET", path(id, "/json"), null);
                if (Json.bool(c, "State", "Running")) {
                    waiter.cancel();
                    return 0;
                }
            } catch (DaemonException e) {
                // removed meanwhile (--rm): the waiter has the answer
            }
        }
        return waiter.statusCode();
    }

    public static int stop(Cli cli, ParsedArgs a) throws IOException {
        String q = new Query().opt("signal", a.str("signal")).opt("t", a.str("time")).toString();
        return each(cli, a, true, (c, n) -> c.expectOk("POST", path(n, "/stop" + q)));
    }

    public static int restart(Cli cli, ParsedArgs a) throws IOException {
        String q = new Query().opt("signal", a.str("signal")).opt("t", a.str("time")).toString();
        return each(cli, a, true, (c, n) -> c.expectOk("POST", path(n, "/restart" + q)));
    }

    public static int kill(Cli cli, ParsedArgs a) throws IOException {
        String q = new Query().opt("signal", a.str("signal")).toString();
        return each(cli, a, true, (c, n) -> c.expectOk("POST", path(n, "/kill" + q)));
    }

    public static int rm(Cli cli, ParsedArgs a) throws IOException {
        String q = new Query().flag("v", a.bool("volumes")).flag("link", a.bool("link")).flag("force", a.bool("force")).toString();
        return each(cli, a, true, (c, n) -> {
            if (n.isBlank()) throw new DaemonException(400, "Container name cannot be empty");
            c.expectOk("DELETE", path(n, q));
        });
    }

    public static int rename(Cli cli, ParsedArgs a) throws IOException, CliException {
        String old = a.positionals().get(0).trim(), neu = a.positionals().get(1).trim();
        if (old.isEmpty() || neu.isEmpty()) throw new CliException("Error: Neither old nor new names may be empty", 1);
        cli.client().expectOk("POST", path(old, "/rename" + new Query().add("name", neu)));
        return 0;
    }

    public static int waitCmd(Cli cli, ParsedArgs a) throws IOException {
        return each(cli, a, false, (c, n) -> cli.out.println(Json.num(c.json("POST", path(n, "/wait"), null), "StatusCode")));
    }

    public static int attach(Cli cli, ParsedArgs a) throws IOException, CliException {
        DaemonClient client = cli.client();
        String name = a.positionals().get(0);
        Object c = client.json("GET", path(name, "/json"), null);
        if (!Json.bool(c, "State", "Running")) throw new CliException("You cannot attach to a stopped container, start it first", 1);
        if (Json.bool(c, "State", "Paused")) throw new CliException("You cannot attach to a paused container, unpause it first", 1);
        if (Json.bool(c, "State", "Restarting")) throw new CliException("You cannot attach to a restarting container, wait until it is running", 1);
        String id = Json.str(c, "Id");
        boolean tty = Json.bool(c, "Config", "Tty");
        boolean stdin = !a.bool("no-stdin") && Json.bool(c, "Config", "OpenStdin");
        if (tty && stdin && !dev.berth.cli.term.Terminal.isTerminal(0)) {
            throw new CliException("the input device is not a TTY", 1);
        }
        HttpConnection conn = AttachSession.open(client, id, stdin);
        ExitWaiter waiter = ExitWaiter.start(client, id, "");
        AttachSession session = new AttachSession(cli, id, tty, stdin);
        session.prepareTerminal();
        session.monitorSize();
        if (!"false".equals(a.str("sig-proxy", "true"))) session.proxySignals();
        session.stream(conn);
        return exitStatus(cli, id, waiter, true);
    }
}
