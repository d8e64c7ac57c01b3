package dev.berth.cli.commands;

import dev.berth.api.StreamFrames;
import dev.berth.cli.Cli;
import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.HttpConnection;
import dev.berth.cli.http.Query;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * A hijacked attach stream in use: copies local stdin to the container (half-closing the
 * socket at EOF, then still reading), and the container's output to local stdout/stderr
 * (raw bytes with a TTY, demultiplexed frames without). Handles the local terminal: raw
 * mode, initial size and SIGWINCH resizes, and signal proxying for non-TTY sessions.
 */
final class AttachSession {
    private final Cli cli;
    private final String containerId;
    private final boolean tty;
    private final boolean stdin;
    private Terminal terminal;

    AttachSession(Cli cli, String containerId, boolean tty, boolean stdin) {
        this.cli = cli;
        this.containerId = containerId;
        this.tty = tty;
        this.stdin = stdin;
    }

    /** Opens the hijacked connection ({@code POST /containers/{id}/attach?stream=1...}). */
    static HttpConnection open(DaemonClient client, String id, boolean stdin) throws IOException {
        String q = new Query().add("stream", "1").flag("stdin", stdin).add("stdout", "1").add("stderr", "1").toString();
        return client.hijack("POST", "/containers/" + Query.seg(id) + "/attach" + q);
    }

    /** Before streaming: raw mode when a TTY session reads a local terminal. */
    void prepareTerminal() {
        if (tty && stdin && Terminal.isTerminal(0)) {
            terminal = new Terminal();
            terminal.makeRaw();
            Terminal t = terminal;
            Runtime.getRuntime().addShutdownHook(new Thread(t::restore));
        }
    }

    /** Sends the local window size, and again on every SIGWINCH (TTY sessions on a terminal). */
    void monitorSize() {
        if (!tty || !Terminal.isTerminal(1)) return;
        resize();
        SignalProxy.onWindowChange(this::resize);
    }

    private void resize() {
        int[] size = Terminal.size();
        if (size == null) return;
        try {
            cli.client().expectOk("POST", "/containers/" + Query.seg(containerId) + "/resize"
                    + new Query().add("h", Integer.toString(size[0])).add("w", Integer.toString(size[1])));
        } catch (IOException ignored) {
            // the container may already be gone; resizing is best effort
        }
    }

    /** Forwards SIGINT/SIGTERM to the container as docker's --sig-proxy does (non-TTY only). */
    void proxySignals() {
        if (!tty) SignalProxy.forward(cli.client(), containerId);
    }

    /** Streams until the daemon closes the connection. */
    void stream(HttpConnection conn) {
        try {
            if (stdin) startStdinPump(conn);
            InputStream in = conn.rawInput();
            if (tty) copyRaw(in, cli.out);
            else demux(in, cli.out, cli.err);
        } catch (IOException ignored) {
            // connection reset: the session is over either way
        } finally {
            cli.out.flush();
            restoreTerminal();
            try {
                conn.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }

    void restoreTerminal() {
        if (terminal != null) terminal.restore();
    }

    private void startStdinPump(HttpConnection conn) {
        Thread t = new Thread(() -> {
            OutputStream out = conn.rawOutput();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = cli.in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                conn.shutdownOutput();
            } catch (IOException ignored) {
                // the daemon closed the stream; nothing left to send to
            }
        }, "berth-stdin");
        t.setDaemon(true);
        t.start();
    }

    static void copyRaw(InputStream in, PrintStream out) throws IOException {
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (in.available() <= 0) out.flush();
        }
        out.flush();
    }

    /** Docker's stdcopy: stdout frames to {@code out}, stderr (and system-error) frames to {@code err}. */
    static void demux(InputStream in, PrintStream out, PrintStream err) throws IOException {
        StreamFrames.Frame f;
        while ((f = StreamFrames.read(in)) != null) {
            PrintStream target = f.stream() == StreamFrames.STDERR || f.stream() == StreamFrames.SYSTEMERR ? err : out;
            target.write(f.payload(), 0, f.payload().length);
            if (in.available() <= 0) {
                out.flush();
                err.flush();
            }
        }
        out.flush();
        err.flush();
    }
}
