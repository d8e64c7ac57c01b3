package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoTemplate;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code inspect}: without a format, the raw objects as one JSON array re-indented like Go's
 * json.Indent (4 spaces); with {@code -f}, the template applied to each object. A typeless
 * inspect tries a container, then an image.
 */
public final class InspectCommand {
    private InspectCommand() {}

    public static int run(Cli cli, ParsedArgs a, String type) throws IOException {
        if (!type.isEmpty() && !type.equals("container") && !type.equals("image")) {
            throw new IllegalArgumentException("\"" + type + "\" is not a valid value for --type");
        }
        String format = a.str("format", "");
        GoTemplate template = format.isEmpty() || format.equals("json") ? null : GoTemplate.parse(GoTemplate.unescape(format));
        List<String> raws = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : a.positionals()) {
            String raw = null;
            String error = null;
            if (!type.equals("image")) {
                try {
                    raw = cli.client().text("GET", "/containers/" + Query.seg(name) + "/json" + new Query().flag("size", a.bool("size")));
                } catch (DaemonException e) {
                    if (e.status() != 404) throw e;
                    error = e.display();
                }
            }
            if (raw == null && !type.equals("container")) {
                try {
                    raw = cli.client().text("GET", "/images/" + Query.seg(name) + "/json");
                } catch (DaemonException e) {
                    if (e.status() != 404) throw e;
                    error = e.display();
                }
            }
            if (raw == null) {
                errors.add(type.isEmpty() ? "Error: No such object: " + name : error);
                continue;
            }
            if (template != null) {
                cli.out.println(template.execute(Json.parse(raw)));
            } else {
                raws.add(raw.trim());
            }
        }
        if (template == null) {
            cli.out.println(raws.isEmpty() ? "[]" : Json.indent("[" + String.join(",", raws) + "]", "    "));
        }
        if (!errors.isEmpty()) {
            cli.out.flush();
            for (String e : errors) cli.err.println(e);
            return 1;
        }
        return 0;
    }
}
