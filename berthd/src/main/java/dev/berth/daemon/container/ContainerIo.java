package dev.berth.daemon.container;

import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        for (Sink s : new ArrayList<>(sinks)) {
            try {
                s.write(stream, data, 0, data.length, time);
            } catch (IOException e) {
                sinks.remove(s); // the client went away
                s.end();
            }
        }
    }

    private void appendLog(int stream, byte[] data, Instant time) {
        ByteArrayOutputStream buf = partial[stream];
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n' || buf.size() + (i - start) >= MAX_LINE) {
                buf.write(data, start, i - start + 1);
                start = i + 1;
                writeEntry(stream, buf.toByteArray(), time);
                buf.reset();
            }
        }
        buf.write(data, start, data.length - start);
    }

    private void flushPartials(Instant time) {
        for (int s = 1; s <= 2; s++) {
            if (partial[s].size() > 0) {
                writeEntry(s, partial[s].toByteArray(), time);
                partial[s].reset();
            }
        }
    }

    private void writeEntry(int stream, byte[] line, Instant time) {
        try {
            if (log == null) {
                log = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(logPath,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), 8192);
            }
            ObjectNode e = Json.obj();
            e.put("log", new String(line, StandardCharsets.UTF_8));
            e.put("stream", stream == 2 ? "stderr" : "stdout");
            e.put("time", Times.rfc3339NanoFixed(time));
            log.write(Json.bytes(e));
            log.write('\n');
            log.flush();
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
