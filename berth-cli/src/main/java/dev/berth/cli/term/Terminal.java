package dev.berth.cli.term;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local terminal control without native code: terminal detection through /proc, raw mode
 * and window size through {@code stty} run on /dev/tty.
 */
public final class Terminal {
    private String saved; // "stty -g" state to restore

    /** True when file descriptor {@code fd} (0, 1, 2) is a terminal (Linux /proc check). */
    public static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Puts /dev/tty in raw mode without echo; {@link #restore()} undoes it. */
    public void makeRaw() {
        try {
            saved = stty("-g").trim();
            stty("raw", "-echo");
        } catch (IOException e) {
            saved = null;
        }
    }

    public void restore() {
        if (saved == null) return;
        try {
            stty(saved);
        } catch (IOException e) {
            try {
                stty("sane");
            } catch (IOException ignored) {
                // nothing more to try
            }
        }
        saved = null;
    }

    /** Turns off echo on /dev/tty (a password prompt); {@link #restore()} turns it back on. */
    public void disableEcho() {
        try {
            saved = stty("-g").trim();
            stty("-echo");
        } catch (IOException e) {
            saved = null;
        }
    }

    /** {rows, columns} of /dev/tty, or null when unknown. */
    public static int[] size() {
        try {
            String[] p = stty("size").trim().split("\\s+");
            if (p.length == 2) return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        } catch (IOException | NumberFormatException e) {
            // not a terminal
        }
        return null;
    }

    private static String stty(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(new File("/dev/tty"))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("stty failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
