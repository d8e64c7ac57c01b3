package dev.berth.daemon;

import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The daemon's pid file: refuses to start twice on the same one, as dockerd does. */
final class PidFile {
    private PidFile() {}

    static void acquire(Path p) throws IOException {
        if (Files.exists(p)) {
            String s = Files.readString(p).strip();
            if (s.matches("\\d+") && Posix.processExists(Integer.parseInt(s)) && Integer.parseInt(s) != ProcessHandle.current().pid()
                    && ProcessHandle.of(Long.parseLong(s)).flatMap(h -> h.info().commandLine()).map(c -> c.contains("berthd")).orElse(false)) {
                throw new IllegalStateException("pid file found, ensure berthd is not running or delete " + p);
            }
        }
        Files.createDirectories(p.getParent());
        Files.writeString(p, ProcessHandle.current().pid() + "\n");
    }

    static void release(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // exiting anyway
        }
    }
}
