package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.format.GoTime;
import dev.berth.cli.format.Units;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Docker's JSON-message stream display ({@code jsonmessage.DisplayJSONMessagesStream}) for
 * pull, push and import progress.
 *
 * <p>On a terminal every message that has an {@code id} and a {@code progressDetail} owns a
 * line: a new id opens a line below the others, an update moves the cursor up to its line
 * ({@code ESC[nA}), erases it ({@code ESC[2K}), redraws it with a progress bar drawn from
 * {@code progressDetail} (bar only on terminals wider than 110 columns, time left on those
 * wider than 50) and moves back down ({@code ESC[nB}). A message without progress ends that
 * block. Not on a terminal, progress updates are left out and every other message is a plain
 * line. {@code aux} messages (push's tag/digest/size) go to a callback, never to the screen;
 * an {@code errorDetail} (or {@code error}) ends the display with that message.
 */
final class JsonMessages {
    private static final String ESC = "\u001b[";

    private final PrintStream out;
    private final boolean terminal;
    private final IntSupplier width;
    private final LongSupplier nowNanos;
    private final Consumer<Object> aux;
    private final Map<String, Integer> lines = new HashMap<>();
    private boolean exitWithErrorCode;
    private int cachedWidth = -1;

    JsonMessages(PrintStream out, boolean terminal, IntSupplier width, LongSupplier nowNanos, Consumer<Object> aux) {
        this.out = out;
        this.terminal = terminal;
        this.width = width;
        this.nowNanos = nowNanos;
        this.aux = aux;
    }

    static void display(Cli cli, InputStream body, boolean terminal) throws IOException, CliException {
        display(cli, body, terminal, cli.out);
    }

    /** As above, printing to {@code out} (run prints pull progress on stderr, like docker). */
    static void display(Cli cli, InputStream body, boolean terminal, PrintStream out) throws IOException, CliException {
        display(body, out, terminal, null);
    }

    /** Displays the stream; {@code aux} (may be null) receives the {@code aux} object of each message that has one. */
    static void display(InputStream body, PrintStream out, boolean terminal, Consumer<Object> aux) throws IOException, CliException {
        new JsonMessages(out, terminal, JsonMessages::terminalWidth, () -> System.currentTimeMillis() * 1_000_000L, aux).run(body);
    }

    /**
     * Build's display: never a terminal (docker hands jsonmessage a stream without a file
     * descriptor), and an error message ends the command with its {@code errorDetail.code}
     * (1 when there is none), as docker build exits with a failed RUN's status.
     */
    static void displayWithErrorCode(InputStream body, PrintStream out, Consumer<Object> aux) throws IOException, CliException {
        JsonMessages m = new JsonMessages(out, false, JsonMessages::terminalWidth, () -> System.currentTimeMillis() * 1_000_000L, aux);
        m.exitWithErrorCode = true;
        m.run(body);
    }

    /** The terminal's width in columns; 200 (docker's default) when unknown. */
    static int terminalWidth() {
        int[] size = Terminal.size();
        return size == null || size[1] <= 0 ? 200 : size[1];
    }

    void run(InputStream body) throws IOException, CliException {
        Reader r = new InputStreamReader(body, StandardCharsets.UTF_8);
        String raw;
        try {
            while ((raw = Json.nextValue(r)) != null) {
                Object m;
                try {
                    m = Json.parse(raw);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                message(m);
                out.flush();
            }
        } finally {
            out.flush();
        }
    }

    /** One message: {@code DisplayJSONMessagesStream}'s loop body. */
    void message(Object m) throws CliException {
        if (!(m instanceof Map<?, ?> map)) return;
        if (map.get("aux") != null) {
            if (aux != null) aux.accept(map.get("aux"));
            return;
        }
        String id = Json.str(m, "id");
        boolean hasProgress = map.get("progressDetail") instanceof Map<?, ?>;
        String progressMessage = Json.str(m, "progress");
        int diff = 0;
        if (!id.isEmpty() && (hasProgress || !progressMessage.isEmpty())) {
            Integer line = lines.get(id);
            if (line == null) {
                line = lines.size();
                lines.put(id, line);
                if (terminal) out.print("\n");
            }
            diff = lines.size() - line;
            if (terminal) out.print(ESC + diff + "A");
        } else {
            // anything else ends the block of progress lines (e.g. the next tag of pull -a)
            lines.clear();
        }
        String error = error(m);
        if (error == null) show(m, id, hasProgress, progressMessage);
        if (!id.isEmpty() && terminal && diff > 0) out.print(ESC + diff + "B");
        if (error != null) {
            out.flush();
            long code = exitWithErrorCode ? Json.num(m, "errorDetail", "code") : 0;
            throw new CliException(error, code > 0 && code <= 255 ? (int) code : 1);
        }
    }

    private static String error(Object m) {
        if (Json.get(m, "errorDetail") instanceof Map<?, ?>) {
            String e = Json.str(m, "errorDetail", "message");
            return e.isEmpty() ? Json.str(m, "error") : e;
        }
        String e = Json.str(m, "error");
        return e.isEmpty() ? null : e;
    }

    /** {@code JSONMessage.Display}. */
    private void show(Object m, String id, boolean hasProgress, String progressMessage) {
        String stream = Json.str(m, "stream");
        String status = Json.str(m, "status");
        Object detail = Json.get(m, "progressDetail");
        String endl = "";
        if (terminal && stream.isEmpty() && hasProgress) {
            out.print(ESC + "2K");
            endl = "\r";
            out.print(endl);
        } else if (hasProgress && !progress(detail, 200, 0).isEmpty()) {
            return; // no progress bars when not on a terminal
        }
        long timeNano = Json.num(m, "timeNano");
        long time = Json.num(m, "time");
        if (timeNano != 0) out.print(GoTime.rfc3339NanoFixed(timeNano) + " ");
        else if (time != 0) out.print(GoTime.rfc3339NanoFixed(time * 1_000_000_000L) + " ");
        if (!id.isEmpty()) out.print(id + ": ");
        String from = Json.str(m, "from");
        if (!from.isEmpty()) out.print("(from " + from + ") ");
        if (hasProgress && terminal) out.print(status + " " + progress(detail, width(), nowNanos.getAsLong()) + endl);
        else if (!progressMessage.isEmpty()) out.print(status + " " + progressMessage + endl);
        else if (!stream.isEmpty()) out.print(stream + endl);
        else out.print(status + endl + "\n");
    }

    private int width() {
        if (cachedWidth < 0) cachedWidth = width.getAsInt();
        return cachedWidth;
    }

    /**
     * {@code JSONProgress.String()}: {@code [=====>    ] 1.2MB/4.5MB 3s}; the bar needs more than
     * 110 columns, the time left more than 50 and a {@code start} time.
     */
    static String progress(Object detail, int width, long nowNanos) {
        long current = Json.num(detail, "current");
        long total = Json.num(detail, "total");
        long start = Json.num(detail, "start");
        String units = Json.str(detail, "units");
        if (current <= 0 && total <= 0) return "";
        if (total <= 0) return units.isEmpty() ? pad8(Units.humanSize(current, 4)) : current + " " + units;
        int percentage = (int) ((double) current / (double) total * 100) / 2;
        if (percentage > 50) percentage = 50;
        String bar = "";
        if (width > 110) bar = "[" + "=".repeat(Math.max(0, percentage)) + ">" + " ".repeat(Math.max(0, 50 - percentage)) + "] ";
        String numbers;
        if (Json.bool(detail, "hidecounts")) {
            numbers = "";
        } else if (units.isEmpty()) {
            numbers = current > total ? pad8(Units.humanSize(current, 4))
                    : pad8(Units.humanSize(current, 4)) + "/" + Units.humanSize(total, 4);
        } else {
            numbers = current > total ? current + " " + units : current + "/" + total + " " + units;
        }
        String left = "";
        if (width > 50 && current > 0 && start > 0 && percentage < 50) {
            long fromStart = nowNanos - start * 1_000_000_000L;
            long perEntry = fromStart / current;
            left = " " + goSeconds((total - current) * perEntry);
        }
        return bar + numbers + left;
    }

    /** Go's {@code fmt.Sprintf("%8v", s)}: right-aligned in 8 columns. */
    private static String pad8(String s) { return s.length() >= 8 ? s : " ".repeat(8 - s.length()) + s; }

    /** Go's {@code d.Round(time.Second).String()} for a duration in nanoseconds: "0s", "42s", "1m5s", "2h0m3s". */
    static String goSeconds(long nanos) {
        boolean neg = nanos < 0;
        long abs = Math.abs(nanos);
        long secs = abs / 1_000_000_000L + (abs % 1_000_000_000L >= 500_000_000L ? 1 : 0);
        if (secs == 0) return "0s";
        long h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
        String r = h > 0 ? h + "h" + m + "m" + s + "s" : m > 0 ? m + "m" + s + "s" : s + "s";
        return neg ? "-" + r : r;
    }
}
