package dev.berth.daemon.container;

import dev.berth.daemon.util.Times;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * A container's output side: every chunk the process writes goes to the json-file log (one
 * entry per line, Docker's format) and to the attached sinks (attach, logs --follow).
 * The output of a run is held back until the runtime confirms the start, so that the runtime's
 * own error text never lands in the container log. All methods synchronize on this object;
 * the log file and the sink list change together, so a sink that replays the log and then
 * follows sees every line exactly once.
 */
public final class ContainerIo {
    private static final Logger LOG = Logger.getLogger(ContainerIo.class.getName());
    private static final int MAX_LINE = 16 * 1024;

    /** Receives output; {@link #end} is called once when the run (or the container) is over. */
    public interface Sink {
        void write(int stream, byte[] data, int off, int len, Instant time) throws IOException;
        void end();
    }

    /** A sink that marks itself finished; callers block on {@link #awaitEnd}. */
    public abstract static class LatchSink implements Sink {
        private final CountDownLatch done = new CountDownLatch(1);
        @Override public void end() { done.countDown(); }
        public void awaitEnd() throws InterruptedException { done.await(); }
        public boolean ended() { return done.getCount() == 0; }
    }

    private final Path logPath;
    private OutputStream log;
    private final List<Sink> sinks = new ArrayList<>();
    private final ByteArrayOutputStream[] partial = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private ByteArrayOutputStream held;       // output of a run not yet confirmed
    private List<Object[]> heldChunks;
    private boolean running;
    private boolean closed;
    private OutputStream stdin;               // the current run's stdin, if open
    private final Object stdinLock = new Object();

    public ContainerIo(Path logPath) { this.logPath = logPath; }

    public Path logPath() { return logPath; }

    /** A run is starting: output is held until {@link #confirmRun} or {@link #abortRun}. */
    public synchronized void beginRun() {
        held = new ByteArrayOutputStream();
        heldChunks = new ArrayList<>();
        running = true;
    }

    public synchronized void confirmRun() {
        List<Object[]> chunks = heldChunks;
        held = null;
        heldChunks = null;
        if (chunks != null) for (Object[] c : chunks) deliver((Integer) c[0], (byte[]) c[1], (Instant) c[2]);
    }

    /** The start failed: drops the held output and returns it (the runtime's error text). */
    public synchronized String abortRun() {
        String text = held == null ? "" : held.toString(StandardCharsets.UTF_8);
        held = null;
        heldChunks = null;
        endRun();
        return text;
    }

    public synchronized void write(int stream, byte[] b, int off, int len) {
        Instant now = Instant.now();
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        if (held != null) {
            held.write(copy, 0, copy.length);
            heldChunks.add(new Object[] {stream, copy, now});
            return;
        }
        deliver(stream, copy, now);
    }

    private void deliver(int stream, byte[] data, Instant time) {
        appendLog(stream, data, time);
        flushLog();
        for (Sink s : new ArrayList<>(sinks)) {
            try {
                s.write(stream, data, 0, data.length, time);
            } catch (IOException e) {
                sinks.remove(s); // the client went away
                s.end();
            }
        }
    }

    /** Splits a chunk into log entries: one per line, or per 16 KiB of a longer line. */
    private void appendLog(int stream, byte[] data, Instant time) {
        ByteArrayOutputStream buf = partial[stream];
        byte[] ts = null; // every line of one chunk shares its read time: format it once
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n' || buf.size() + (i - start) >= MAX_LINE) {
                if (ts == null) ts = Times.rfc3339NanoFixed(time).getBytes(StandardCharsets.US_ASCII);
                if (buf.size() == 0) {
                    writeEntry(stream, data, start, i - start + 1, ts);
                } else {
                    buf.write(data, start, i - start + 1);
                    writeEntry(stream, buf.toByteArray(), 0, buf.size(), ts);
                    buf.reset();
                }
                start = i + 1;
            }
        }
        buf.write(data, start, data.length - start);
    }

    private void flushPartials(Instant time) {
        byte[] ts = Times.rfc3339NanoFixed(time).getBytes(StandardCharsets.US_ASCII);
        for (int s = 1; s <= 2; s++) {
            if (partial[s].size() > 0) {
                writeEntry(s, partial[s].toByteArray(), 0, partial[s].size(), ts);
                partial[s].reset();
            }
        }
        flushLog();
    }

    private static final byte[] LOG_PREFIX = "{\"log\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDOUT_MID = "\",\"stream\":\"stdout\",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR_MID = "\",\"stream\":\"stderr\",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\"}\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Appends one json-file entry, {@code {"log":"…","stream":"stdout","time":"…"}}, written by
     * hand: this is the hot path of a chatty container (Jackson per line was 5x slower).
     */
    private void writeEntry(int stream, byte[] data, int off, int len, byte[] ts) {
        try {
            if (log == null) {
                log = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(logPath,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), 65536);
            }
            log.write(LOG_PREFIX);
            writeJsonString(log, new String(data, off, len, StandardCharsets.UTF_8));
            log.write(stream == 2 ? STDERR_MID : STDOUT_MID);
            log.write(ts);
            log.write(SUFFIX);
        } catch (IOException e) {
            LOG.warning("cannot write container log " + logPath + ": " + e.getMessage());
        }
    }

    /** JSON string body (no quotes); invalid UTF-8 was already replaced by U+FFFD on decoding. */
    static void writeJsonString(OutputStream out, String s) throws IOException {
        int n = s.length();
        int plainFrom = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            if (i > plainFrom) out.write(s.substring(plainFrom, i).getBytes(StandardCharsets.UTF_8));
            plainFrom = i + 1;
            out.write('\\');
            switch (c) {
                case '"' -> out.write('"');
                case '\\' -> out.write('\\');
                case '\n' -> out.write('n');
                case '\r' -> out.write('r');
                case '\t' -> out.write('t');
                default -> {
                    out.write('u');
                    out.write('0');
                    out.write('0');
                    out.write(HEX[c >> 4]);
                    out.write(HEX[c & 0xf]);
                }
            }
        }
        if (n > plainFrom) out.write((plainFrom == 0 ? s : s.substring(plainFrom)).getBytes(StandardCharsets.UTF_8));
    }

    private void flushLog() {
        try {
            if (log != null) log.flush();
        } catch (IOException e) {
            LOG.warning("cannot write container log " + logPath + ": " + e.getMessage());
        }
    }

    /** The run's output has ended (process exited and its pipes drained). */
    public synchronized void endRun() {
        flushPartials(Instant.now());
        try {
            if (log != null) log.close();
        } catch (IOException ignored) {
            // best effort
        }
        log = null;
        running = false;
        for (Sink s : sinks) s.end();
        sinks.clear();
        setStdin(null);
    }

    public synchronized boolean running() { return running; }

    /**
     * Adds a sink for the current or next run. {@code replay} runs first under the same lock
     * (to send the existing log). Returns false, without adding, when the container is gone.
     */
    public synchronized boolean attach(Sink sink, IoAction replay) throws IOException {
        if (closed) {
            sink.end();
            return false;
        }
        if (replay != null) replay.run();
        sinks.add(sink);
        return true;
    }

    public synchronized void detach(Sink sink) { sinks.remove(sink); }

    /** Ends every sink for good: the container is being removed. */
    public synchronized void close() {
        closed = true;
        for (Sink s : sinks) s.end();
        sinks.clear();
    }

    public interface IoAction { void run() throws IOException; }

    // ---- stdin ----------------------------------------------------------------------------

    public void setStdin(OutputStream s) {
        synchronized (stdinLock) {
            stdin = s;
            stdinLock.notifyAll();
        }
    }

    /** Waits (bounded) for the run's stdin to exist; null when the run has none. */
    public OutputStream awaitStdin(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (stdinLock) {
            while (stdin == null) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return null;
                stdinLock.wait(left);
            }
            return stdin;
        }
    }
}
