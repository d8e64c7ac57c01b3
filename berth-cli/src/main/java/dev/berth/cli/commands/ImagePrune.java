package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code berth image prune [-a] [-f] [--filter]}: docker's confirmation, report and reclaimed-space line. */
public final class ImagePrune {
    static final String DANGLING_WARNING = "WARNING! This will remove all dangling images.\nAre you sure you want to continue?";
    static final String ALL_WARNING = "WARNING! This will remove all images without at least one container associated to them.\n"
            + "Are you sure you want to continue?";

    private ImagePrune() {}

    public static int run(Cli cli, ParsedArgs a) throws IOException {
        boolean all = a.bool("all");
        List<String> filters = new ArrayList<>(a.list("filter"));
        filters.add("dangling=" + !all);
        filters = withConfiguredFilters(filters, cli.config().strings("pruneFilters"));
        if (!a.bool("force") && !confirm(cli, all ? ALL_WARNING : DANGLING_WARNING)) {
            return 0; // docker: cancelled quietly, exit 0
        }
        Object report = cli.client().json("POST", "/images/prune" + new Query().opt("filters", Filters.toJson(filters)), null);
        cli.out.print(render(report));
        return 0;
    }

    /** docker's prompt.Confirm: the message, " [y/N] ", and one line of input; only y/Y confirms (EOF does not). */
    static boolean confirm(Cli cli, String message) throws IOException {
        cli.out.print(message + " [y/N] ");
        cli.out.flush();
        return RegistryCommands.readLine(cli.in).strip().equalsIgnoreCase("y");
    }

    /** docker's command.PruneFilters: adds config.json's {@code pruneFilters} unless a label filter says the opposite. */
    static List<String> withConfiguredFilters(List<String> filters, List<String> configured) {
        List<String> out = new ArrayList<>(filters);
        for (String f : configured) {
            int eq = f.indexOf('=');
            if (eq < 0) continue;
            String k = f.substring(0, eq), v = f.substring(eq + 1);
            if (k.equals("label") && filters.contains("label!=" + v)) continue;
            if (k.equals("label!") && filters.contains("label=" + v)) continue;
            out.add(f);
        }
        return out;
    }

    /** "Deleted Images:" with untagged/deleted lines (when any), then "Total reclaimed space". */
    static String render(Object report) {
        StringBuilder sb = new StringBuilder();
        List<Object> deleted = Json.list(report, "ImagesDeleted");
        long reclaimed = 0;
        if (!deleted.isEmpty()) {
            sb.append("Deleted Images:\n");
            for (Object d : deleted) {
                String untagged = Json.str(d, "Untagged");
                if (!untagged.isEmpty()) sb.append("untagged: ").append(untagged).append('\n');
                else sb.append("deleted: ").append(Json.str(d, "Deleted")).append('\n');
            }
            sb.append('\n');
            reclaimed = Json.num(report, "SpaceReclaimed");
        }
        sb.append("Total reclaimed space: ").append(Units.humanSize(reclaimed, 4)).append('\n');
        return sb.toString();
    }
}
