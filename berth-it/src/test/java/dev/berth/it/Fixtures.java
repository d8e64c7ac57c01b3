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

    private static Path socat;

    /**
     * busybox plus the host's socat and the libraries it links (busybox's nc has no UDP): a
     * UDP server for published-port tests.
     */
    public static synchronized Path socatTar() throws IOException, InterruptedException {
        if (socat == null) {
            Path p = Path.of(System.getProperty("java.io.tmpdir"), "berth-it-socat-" + ProcessHandle.current().pid() + ".tar");
            String script = """
                    set -e
                    dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
                    tar -xf "$1" -C "$dir"
                    cp --parents /usr/bin/socat $(ldd /usr/bin/socat | awk '/=>/ { print $3 } /ld-linux/ { print $1 }') "$dir"
                    tar -cf "$2" -C "$dir" .
                    """;
            Cmd.Result r = Cmd.run(Map.of(), null, "bash", "-c", script, "socat-rootfs", busyboxTar().toString(), p.toString());
            if (r.code() != 0) throw new IllegalStateException("socat rootfs failed: " + r);
            p.toFile().deleteOnExit();
            socat = p;
        }
        return socat;
    }

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
