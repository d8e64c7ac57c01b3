package dev.berth.cli.commands;

import dev.berth.api.ApiVersion;
import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoTime;
import dev.berth.cli.format.ListFormatter;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth image history} / {@code berth history}: docker's history formatter over {@code GET /images/{name}/history}. */
public final class ImageHistory {
    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    static final String NON_HUMAN_TABLE = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    /** Before this (2000-01-01) docker shows "N/A" instead of "N years ago". */
    private static final long EPOCH_2000 = 946_684_800L;

    private ImageHistory() {}

    public static int run(Cli cli, ParsedArgs a) throws IOException, CliException {
        if (a.has("platform") && !a.str("platform").isEmpty()) {
            // the platform parameter of this endpoint came with API 1.48
            throw new CliException("\"platform\" requires API version 1.48, but the Berth daemon API version is " + ApiVersion.CURRENT, 1);
        }
        boolean human = a.bool("human", true);
        Object history = cli.client().json("GET", "/images/" + Query.seg(a.positionals().get(0)) + "/history", null);
        String format = a.str("format", "");
        if (format.isEmpty() || format.equals("table")) format = a.bool("quiet") ? "{{.ID}}" : human ? DEFAULT_TABLE : NON_HUMAN_TABLE;
        cli.out.print(ListFormatter.render(format, DEFAULT_TABLE, rows(Json.list(history), !a.bool("no-trunc"), human,
                System.currentTimeMillis()), headers()));
        return 0;
    }

    static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("ID", "IMAGE");
        h.put("CreatedSince", "CREATED");
        h.put("CreatedAt", "CREATED AT");
        h.put("CreatedBy", "CREATED BY");
        h.put("Size", "SIZE");
        h.put("Comment", "COMMENT");
        return h;
    }

    /** docker's historyContext fields, one row per history entry (newest first, as the daemon sends them). */
    static List<Map<String, Object>> rows(List<Object> history, boolean trunc, boolean human, long nowMillis) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object h : history) {
            long created = Json.num(h, "Created");
            long size = Json.num(h, "Size");
            String createdAt = GoTime.rfc3339(created);
            String createdBy = Json.str(h, "CreatedBy").replace('\t', ' ');
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("Comment", Json.str(h, "Comment"));
            r.put("CreatedAt", createdAt);
            r.put("CreatedBy", trunc ? Units.ellipsis(createdBy, 45) : createdBy);
            r.put("CreatedSince", !human ? createdAt : created <= EPOCH_2000 ? "N/A" : Units.ago(created, nowMillis));
            r.put("ID", trunc ? Units.shortId(Json.str(h, "Id")) : Json.str(h, "Id"));
            r.put("Size", human ? Units.humanSize(size) : Long.toString(size));
            rows.add(r);
        }
        return rows;
    }
}
