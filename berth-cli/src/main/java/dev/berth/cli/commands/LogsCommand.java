package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.Timestamps;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;

/** {@code logs}: inspects the container for Config.Tty, then streams (and demultiplexes) its logs. */
public final class LogsCommand {
    private LogsCommand() {}

    public static int run(Cli cli, ParsedArgs a) throws IOException {
        String name = a.positionals().get(0);
        Object c = cli.client().json("GET", ContainerCommands.path(name, "/json"), null);
        boolean tty = Json.bool(c, "Config", "Tty");
        long now = System.currentTimeMillis();
        Query q = new Query().add("stdout", "1").add("stderr", "1")
                .opt("since", a.has("since") ? Timestamps.get(a.str("since"), now) : null)
                .opt("until", a.has("until") ? Timestamps.get(a.str("until"), now) : null)
                .flag("timestamps", a.bool("timestamps"))
                .flag("follow", a.bool("follow"))
                .add("tail", a.str("tail", "all"))
                .flag("details", a.bool("details"));
        try (HttpResponse r = cli.client().stream("GET", ContainerCommands.path(Json.str(c, "Id"), "/logs" + q), null)) {
            if (tty) AttachSession.copyRaw(r.body(), cli.out);
            else AttachSession.demux(r.body(), cli.out, cli.err);
        }
        return 0;
    }
}
