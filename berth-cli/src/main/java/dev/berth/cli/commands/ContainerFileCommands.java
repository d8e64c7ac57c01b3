package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.util.List;

/** {@code diff}, {@code export} and {@code commit}, as the docker CLI 28 runs them; {@code cp} is {@link CopyCommand}. */
public final class ContainerFileCommands {
    private ContainerFileCommands() {}

    /** {@code diff CONTAINER}: one {@code C|A|D path} line per change, in the daemon's order. */
    public static int diff(Cli cli, ParsedArgs a) throws IOException {
        String ctr = a.positionals().getFirst();
        Object changes = cli.client().json("GET", "/containers/" + Query.seg(ctr) + "/changes", null);
        if (changes instanceof List<?> list) {
            for (Object c : list) {
                long kind = Json.num(c, "Kind");
                String k = kind == 0 ? "C" : kind == 1 ? "A" : kind == 2 ? "D" : "";
                cli.out.println(k + " " + Json.str(c, "Path"));
            }
        }
        cli.out.flush();
        return 0;
    }

    /** {@code export [-o FILE] CONTAINER}: the container's file system as a tar, never to a terminal. */
    public static int export(Cli cli, ParsedArgs a) throws IOException, CliException {
        String output = a.str("output", "");
        if (output.isEmpty() && Terminal.isTerminal(1)) {
            throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect", 1);
        }
        if (!output.isEmpty()) {
            String problem = ArchiveCommands.outputPathProblem(java.nio.file.Path.of(output));
            if (problem != null) throw new CliException("failed to export container: " + problem, 1);
        }
        String ctr = a.positionals().getFirst();
        try (HttpResponse r = cli.client().stream("GET", "/containers/" + Query.seg(ctr) + "/export", null)) {
            if (output.isEmpty()) {
                r.body().transferTo(cli.out);
                cli.out.flush();
                if (cli.out.checkError()) throw new CliException("failed to write the archive to stdout", 1);
            } else {
                ArchiveCommands.copyToFile(r.body(), java.nio.file.Path.of(output));
            }
        }
        return 0;
    }

    /** {@code commit [-a] [-c]... [-m] [-p] CONTAINER [REPOSITORY[:TAG]]}: prints the new image's full ID. */
    public static int commit(Cli cli, ParsedArgs a) throws IOException, CliException {
        String ctr = a.positionals().getFirst();
        String repo = "", tag = "";
        if (a.positionals().size() > 1) {
            ImageName n = ImageName.parse(a.positionals().get(1));
            if (!n.digest().isEmpty()) throw new CliException("refusing to create a tag with a digest reference", 1);
            n = n.withDefaultTag();
            repo = n.name();
            tag = n.tag();
        }
        // docker sends every key, sorted (Go's url.Values.Encode)
        Query q = new Query().add("author", a.str("author", ""));
        for (String c : a.list("change")) q.add("changes", c);
        q.add("comment", a.str("message", "")).add("container", ctr);
        if (!a.bool("pause", true)) q.add("pause", "0");
        q.add("repo", repo).add("tag", tag);
        Object res = cli.client().json("POST", "/commit" + q, null);
        cli.out.println(Json.str(res, "Id"));
        cli.out.flush();
        return 0;
    }
}
