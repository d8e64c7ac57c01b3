package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Docker's jsonmessage stream display (pull/import progress): one line per status message
 * ({@code [id: ]status [progress]}); progress updates are skipped unless stdout is a terminal;
 * an {@code error} message ends the command with that message.
 */
final class JsonMessages {
    private JsonMessages() {}

    static void display(Cli cli, InputStream body, boolean terminal) throws IOException, CliException {
        display(cli, body, terminal, cli.out);
    }

    /** As above, printing to {@code out} (run prints pull progress on stderr, like docker). */
    static void display(Cli cli, InputStream body, boolean terminal, java.io.PrintStream out) throws IOException, CliException {
        Reader r = new InputStreamReader(body, StandardCharsets.UTF_8);
        String raw;
        boolean midLine = false; // a progress bar was drawn without a newline
        while ((raw = Json.nextValue(r)) != null) {
            Object m;
            try {
                m = Json.parse(raw);
            } catch (IllegalArgumentException e) {
                continue;
            }
            String error = Json.str(m, "errorDetail", "message");
            if (error.isEmpty()) error = Json.str(m, "error");
            if (!error.isEmpty()) {
                if (midLine) out.print("\n");
                out.flush();
                throw new CliException(error, 1);
            }
            String stream = Json.str(m, "stream");
            if (!stream.isEmpty()) {
                out.print((midLine ? "\n" : "") + stream);
                midLine = false;
                continue;
            }
            String status = Json.str(m, "status");
            if (status.isEmpty()) continue;
            String id = Json.str(m, "id");
            String progress = Json.str(m, "progress");
            boolean isProgress = Json.get(m, "progressDetail") instanceof java.util.Map<?, ?> pd && !pd.isEmpty();
            if (isProgress && !terminal) continue;
            String line = (id.isEmpty() ? "" : id + ": ") + status + (progress.isEmpty() ? "" : " " + progress);
            if (isProgress) out.print("\r\u001b[2K" + line);
            else out.print((terminal ? "\r\u001b[2K" : "") + line + "\n");
            midLine = isProgress;
            out.flush();
        }
        if (midLine) out.print("\n");
        out.flush();
    }
}
