package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.api.StreamFrames;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The streaming side of containers: {@code logs} (from the json-file log, optionally following)
 * and {@code attach} (live output, stdin). Output is framed with Docker's 8-byte headers unless
 * the container has a TTY, in which case it is raw.
 */
public final class ContainerStreams {
    private final ContainerService service;
    private final dev.berth.daemon.events.EventBus events;

    public ContainerStreams(ContainerService service, dev.berth.daemon.events.EventBus events) {
        this.service = service;
        this.events = events;
    }

    public record LogOptions(boolean stdout, boolean stderr, boolean timestamps, Integer tail, Instant since,
                             Instant until, boolean follow) {}

    /** Writes one chunk in the container's wire format; synchronized on {@code out}. */
    static void emit(OutputStream out, boolean framed, int stream, byte[] data, int off, int len, String timestamp) throws IOException {
        synchronized (out) {
            if (timestamp != null) {
                byte[] ts = (timestamp + " ").getBytes(StandardCharsets.US_ASCII);
                byte[] joined = new byte[ts.length + len];
                System.arraycopy(ts, 0, joined, 0, ts.length);
                System.arraycopy(data, off, joined, ts.length, len);
                data = joined;
                off = 0;
                len = joined.length;
            }
            if (framed) StreamFrames.write(out, stream, data, off, len);
            else out.write(data, off, len);
        }
    }

    /** Live output goes out at once. */
    static void emitNow(OutputStream out, boolean framed, int stream, byte[] data, int off, int len, String timestamp) throws IOException {
        synchronized (out) {
            emit(out, framed, stream, data, off, len, timestamp);
            out.flush();
        }
    }

    /** Replays the log through a buffer: one HTTP chunk per 64 KiB, not one per line. */
    private static void replay(OutputStream out, boolean framed, List<Entry> entries, boolean timestamps) throws IOException {
        OutputStream buf = new java.io.BufferedOutputStream(out, 65536);
        for (Entry e : entries) write(buf, framed, e, timestamps);
        buf.flush();
    }

    /** A parsed json-file entry. */
    record Entry(int stream, byte[] data, Instant time) {}

    static List<Entry> readLog(Path log, LogOptions o) throws IOException {
        Deque<Entry> out = new ArrayDeque<>();
        if (!Files.exists(log)) return new ArrayList<>();
        try (BufferedReader br = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = br.readLine()) != null) {
                if (line.isEmpty()) continue;
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    continue; // a torn last line after a crash
                }
                int stream = "stderr".equals(n.path("stream").asText()) ? 2 : 1;
                if (stream == 1 && !o.stdout() || stream == 2 && !o.stderr()) continue;
                Instant t = Instant.parse(n.path("time").asText());
                if (o.since() != null && t.isBefore(o.since())) continue;
                if (o.until() != null && t.isAfter(o.until())) continue;
                out.addLast(new Entry(stream, n.path("log").asText().getBytes(StandardCharsets.UTF_8), t));
                if (o.tail() != null && o.tail() >= 0 && out.size() > o.tail()) out.removeFirst();
            }
        }
        return new ArrayList<>(out);
    }

    public void logs(ContainerRecord r, LogOptions o, OutputStream out) throws IOException, InterruptedException {
        boolean framed = !r.tty();
        ContainerIo io = service.io(r);
        if (!o.follow()) {
            replay(out, framed, readLog(io.logPath(), o), o.timestamps());
            return;
        }
        ContainerIo.LatchSink sink = new ContainerIo.LatchSink() {
            @Override public void write(int stream, byte[] data, int off, int len, Instant time) throws IOException {
                if (stream == 1 && !o.stdout() || stream == 2 && !o.stderr()) return;
                if (o.until() != null && time.isAfter(o.until())) return;
                emitNow(out, framed, stream, data, off, len, o.timestamps() ? Times.rfc3339NanoFixed(time) : null);
            }
        };
        boolean[] live = {false};
        io.attach(sink, () -> {
            replay(out, framed, readLog(io.logPath(), o), o.timestamps());
            live[0] = io.running();
        });
        if (!live[0]) {
            io.detach(sink);
            return;
        }
        sink.awaitEnd();
    }

    private static void write(OutputStream out, boolean framed, Entry e, boolean timestamps) throws IOException {
        emit(out, framed, e.stream(), e.data(), 0, e.data().length, timestamps ? Times.rfc3339NanoFixed(e.time()) : null);
    }

    public record AttachOptions(boolean stream, boolean stdin, boolean stdout, boolean stderr, boolean logs) {}

    /**
     * Serves a hijacked attach until the container's current (or next) run ends. stdin EOF
     * closes the container's stdin only for StdinOnce containers and never ends the stream:
     * docker-java does not half-close, so the end of output is the end of the attach.
     */
    public void attach(ContainerRecord r, AttachOptions o, InputStream clientIn, OutputStream out) throws IOException, InterruptedException {
        boolean framed = !r.tty();
        ContainerIo io = service.io(r);
        events.publish("container", "attach", r.id, ContainerService.attrs(r));
        ContainerIo.LatchSink sink = new ContainerIo.LatchSink() {
            @Override public void write(int stream, byte[] data, int off, int len, Instant time) throws IOException {
                if (stream == 1 && !o.stdout() || stream == 2 && !o.stderr()) return;
                emitNow(out, framed, stream, data, off, len, null);
            }
        };
        ContainerIo.IoAction replay = !o.logs() ? null : () -> {
            LogOptions lo = new LogOptions(o.stdout(), o.stderr(), false, null, null, null, false);
            replay(out, framed, readLog(io.logPath(), lo), false);
        };
        if (!o.stream()) {
            if (replay != null) io.attach(new ContainerIo.LatchSink() {
                @Override public void write(int s, byte[] d, int off, int len, Instant t) { }
            }, replay);
            return;
        }
        if (!io.attach(sink, replay)) return;
        Thread stdinPump = null;
        if (o.stdin() && r.config.path("OpenStdin").asBoolean(false)) {
            boolean once = r.config.path("StdinOnce").asBoolean(false);
            stdinPump = Thread.ofVirtual().name("berth-stdin").start(() -> pumpStdin(io, clientIn, once, r.tty(), sink));
        }
        try {
            sink.awaitEnd();
        } finally {
            io.detach(sink);
            if (stdinPump != null) stdinPump.interrupt();
        }
    }

    private static void pumpStdin(ContainerIo io, InputStream in, boolean once, boolean tty, ContainerIo.LatchSink sink) {
        try {
            OutputStream target = null;
            byte[] buf = new byte[32768];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) continue;
                if (target == null) {
                    while (target == null && !sink.ended()) target = io.awaitStdin(200);
                    if (target == null) return;
                }
                target.write(buf, 0, n);
                target.flush();
            }
            if (once) {
                if (target == null) {
                    while (target == null && !sink.ended()) target = io.awaitStdin(200);
                }
                if (target != null) {
                    if (tty) target.write(4); // ^D: a TTY has no EOF of its own
                    else target.close();
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // client or container went away
        }
    }

    public static Map<String, Object> waitResponse(int code) {
        return Map.of("StatusCode", code);
    }
}
