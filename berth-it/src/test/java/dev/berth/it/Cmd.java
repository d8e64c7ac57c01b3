package dev.berth.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command with a timeout and captures stdout, stderr and the exit code. */
public final class Cmd {
    public record Result(int code, String out, String err) {
        @Override public String toString() { return "exit " + code + "\nstdout: " + out + "\nstderr: " + err; }
    }

    private Cmd() {}

    /** Asserts a zero exit code (showing the whole result otherwise) and returns the result. */
    public static Result ok(Result r) {
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r::toString);
        return r;
    }

    public static Result run(Map<String, String> env, String stdin, String... cmd) throws IOException, InterruptedException {
        return runWithTimeout(120, env, stdin, cmd);
    }

    public static Result runWithTimeout(int seconds, Map<String, String> env, String stdin, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (stdin != null) {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("timed out after " + seconds + "s: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
