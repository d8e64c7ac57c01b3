package dev.berth.it;

import java.io.IOException;
import java.util.Map;

/**
 * Network safety: before any test daemon starts, {@code bin/test-net-guard} drops forwarded
 * traffic toward the host's uplink, so no container a test starts can reach beyond the machine
 * (the daemons also run with {@code --ip-masq=false} and a DNS server that never forwards).
 */
final class NetGuard {
    private static boolean installed;

    private NetGuard() {}

    static synchronized void install() throws IOException, InterruptedException {
        if (installed) return;
        Cmd.Result r = Cmd.run(Map.of(), null, BerthDaemon.HOME.resolve("bin/test-net-guard").toString());
        if (r.code() != 0) throw new IllegalStateException("bin/test-net-guard failed: " + r);
        installed = true;
    }
}
