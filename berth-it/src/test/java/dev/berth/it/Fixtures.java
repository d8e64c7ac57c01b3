package dev.berth.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Shared test inputs, made once per test JVM. */
public final class Fixtures {
    private static Path busybox;

    private Fixtures() {}

    /** A busybox rootfs tar made by bin/busybox-rootfs from Debian's busybox-static. */
    public static synchronized Path busyboxTar() throws IOException, InterruptedException {
        if (busybox == null) {
            Path p = Path.of(System.getProperty("java.io.tmpdir"), "berth-it-busybox-" + ProcessHandle.current().pid() + ".tar");
            Cmd.Result r = Cmd.run(Map.of(), null, BerthDaemon.HOME.resolve("bin/busybox-rootfs").toString(), p.toString());
            if (r.code() != 0) throw new IllegalStateException("busybox-rootfs failed: " + r);
            p.toFile().deleteOnExit();
            busybox = p;
        }
        return busybox;
    }

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
