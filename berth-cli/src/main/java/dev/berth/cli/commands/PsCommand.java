package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoStrings;
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
import java.util.TreeSet;
import java.util.function.Function;

/** {@code ps}: GET /containers/json rendered with docker's container formatter fields. */
public final class PsCommand {
    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    private PsCommand() {}

    public static int run(Cli cli, ParsedArgs a) throws IOException {
        String format = a.str("format", "");
        boolean size = a.bool("size") || format.contains(".Size");
        long last = a.integer("last", -1);
        if (a.bool("latest")) last = 1;
        Query q = new Query().flag("all", a.bool("all") || last > 0)
                .opt("limit", last > 0 ? Long.toString(last) : null)
                .flag("size", size)
                .opt("filters", Filters.toJson(a.list("filter")));
        Object list = cli.client().json("GET", "/containers/json" + q, null);
        List<Map<String, Object>> rows = new ArrayList<>();
        long now = System.currentTimeMillis();
        boolean trunc = !a.bool("no-trunc");
        for (Object c : Json.list(list)) rows.add(row(c, trunc, now));
        String table = a.bool("size") && (format.isEmpty() || format.equals("table")) ? DEFAULT_TABLE + "\t{{.Size}}" : DEFAULT_TABLE;
        if (a.bool("quiet")) format = "{{.ID}}";
        cli.out.print(ListFormatter.render(format, table, rows, headers()));
        return 0;
    }

    static Map<String, Object> headers() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("ID", "CONTAINER ID");
        h.put("Image", "IMAGE");
        h.put("Command", "COMMAND");
        h.put("CreatedAt", "CREATED AT");
        h.put("RunningFor", "CREATED");
        h.put("Ports", "PORTS");
        h.put("State", "STATE");
        h.put("Status", "STATUS");
        h.put("Size", "SIZE");
        h.put("Names", "NAMES");
        h.put("Labels", "LABELS");
        h.put("Mounts", "MOUNTS");
        h.put("LocalVolumes", "LOCAL VOLUMES");
        h.put("Networks", "NETWORKS");
        h.put("Label", (Function<Object, Object>) k -> "LABEL");
        return h;
    }

    /** The fields of one container row (docker's ContainerContext). */
    static Map<String, Object> row(Object c, boolean trunc, long nowMillis) {
        Map<String, Object> r = new LinkedHashMap<>();
        String id = Json.str(c, "Id");
        r.put("ID", trunc ? Units.shortId(id) : id);
        r.put("Image", image(c, trunc));
        String cmd = Json.str(c, "Command");
        r.put("Command", GoStrings.quote(trunc ? Units.ellipsis(cmd, 20) : cmd));
        long created = Json.num(c, "Created");
        r.put("CreatedAt", GoTime.string(created));
        r.put("RunningFor", Units.ago(created, nowMillis));
        r.put("Ports", PortsColumn.format(Json.list(c, "Ports")));
        r.put("State", Json.str(c, "State"));
        r.put("Status", Json.str(c, "Status"));
        long sizeRw = Json.num(c, "SizeRw"), sizeRoot = Json.num(c, "SizeRootFs");
        String srw = Units.humanSize(sizeRw);
        r.put("Size", sizeRoot > 0 ? srw + " (virtual " + Units.humanSize(sizeRoot) + ")" : srw);
        List<String> names = new ArrayList<>();
        for (Object n : Json.list(c, "Names")) {
            String s = String.valueOf(n);
            names.add(s.startsWith("/") ? s.substring(1) : s);
        }
        r.put("Names", String.join(",", names));
        Map<String, Object> labels = Json.obj(c, "Labels");
        List<String> lv = new ArrayList<>();
        for (Map.Entry<String, Object> e : labels.entrySet()) lv.add(e.getKey() + "=" + e.getValue());
        r.put("Labels", String.join(",", lv));
        List<String> mounts = new ArrayList<>();
        int local = 0;
        for (Object m : Json.list(c, "Mounts")) {
            String n = Json.str(m, "Name");
            if (n.isEmpty()) n = Json.str(m, "Source");
            mounts.add(trunc ? Units.ellipsis(n, 15) : n);
            if (Json.str(m, "Driver").equals("local")) local++;
        }
        r.put("Mounts", String.join(",", mounts));
        r.put("LocalVolumes", Integer.toString(local));
        r.put("Networks", String.join(",", new TreeSet<>(Json.obj(c, "NetworkSettings", "Networks").keySet())));
        r.put("Label", (Function<Object, Object>) k -> {
            Object v = labels.get(String.valueOf(k));
            return v == null ? "" : v;
        });
        return r;
    }

    private static String image(Object c, boolean trunc) {
        String image = Json.str(c, "Image");
        if (image.isEmpty()) return "<no image>";
        if (!trunc) return image;
        String imageId = Json.str(c, "ImageID");
        if (!imageId.isEmpty() && Units.shortId(imageId).equals(Units.shortId(image))) return Units.shortId(image);
        int at = image.indexOf('@');
        return at >= 0 ? image.substring(0, at) : image;
    }
}
