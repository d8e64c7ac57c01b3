package dev.berth.daemon.container;

import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One run of a container: the runtime process and, for a TTY, the pty master the daemon owns.
 * Pumps copy output into the container's {@link ContainerIo}; they use platform threads because
 * a pty read is a blocking native call.
 */
final class Run {
    final Process runtime;
    final Integer ptyMaster;
    volatile int pid;
    private final Thread[] pumps;

    Run(Process runtime, Integer ptyMaster, ContainerIo io) {
        this.runtime = runtime;
        this.ptyMaster = ptyMaster;
        if (ptyMaster != null) {
            pumps = new Thread[] {pump("pty", () -> {
                byte[] buf = new byte[32768];
                int n;
                while ((n = Posix.read(ptyMaster, buf, 0, buf.length)) > 0) io.write(1, buf, 0, n);
            })};
        } else {
            pumps = new Thread[] {
                pump("stdout", () -> copy(runtime.getInputStream(), io, 1)),
                pump("stderr", () -> copy(runtime.getErrorStream(), io, 2))};
        }
    }

    private interface IoRunnable { void run() throws IOException; }

    private static Thread pump(String name, IoRunnable body) {
        return Thread.ofPlatform().daemon().name("berth-pump-" + name).start(() -> {
            try {
                body.run();
            } catch (IOException ignored) {
                // EOF or EIO: the process side is gone
            }
        });
    }

    private static void copy(InputStream in, ContainerIo io, int stream) throws IOException {
        byte[] buf = new byte[32768];
        int n;
        while ((n = in.read(buf)) >= 0) if (n > 0) io.write(stream, buf, 0, n);
    }

    /** The stream a client's stdin is copied to. */
    OutputStream stdin() {
        if (ptyMaster != null) {
            return new OutputStream() {
                @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }
                @Override public void write(byte[] b, int off, int len) throws IOException { Posix.writeFully(ptyMaster, b, off, len); }
            };
        }
        return runtime.getOutputStream();
    }

    /** Waits for the output pumps to drain (bounded: a stuck pipe must not hold the exit). */
    void joinPumps(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (Thread t : pumps) t.join(Math.max(1, deadline - System.currentTimeMillis()));
    }
}
