package dev.berth.daemon.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: runs a host command ({@code ip}, {@code nft}, {@code nsenter}, {@code busybox})
 * to its end, stdout and stderr merged, for the root-only network tests that set up or inspect
 * the machine with the same tools an operator would. No shell is involved.
 */
public final class Commands {
    /** A command that has not ended this long after its output closed is killed and fails. */
    private static final int TIMEOUT_SECONDS = 30;

    private Commands() {}

    public record Result(int exit, String output) {}

    /** Runs {@code cmd}, writing {@code stdin} (null: nothing) to it; any exit status is a result. */
    public static Result run(String stdin, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out);
    }

    /** The output of {@code cmd}, whatever its exit status: for callers that read failure from it. */
    public static String output(String... cmd) throws IOException {
        return run(null, cmd).output();
    }

    /** The output of {@code cmd}, which must exit 0; otherwise an IOException with the command and its output. */
    public static String check(String... cmd) throws IOException {
        Result r = run(null, cmd);
        if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + r.exit() + ": " + r.output().strip());
        return r.output();
    }
}
