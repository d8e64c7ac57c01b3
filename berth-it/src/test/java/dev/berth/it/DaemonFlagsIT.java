package dev.berth.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** berthd's command line and config file: dockerd's flags, keys and refusals. */
class DaemonFlagsIT {
    private static Cmd.Result berthd(String... args) throws Exception {
        return Cmd.runWithTimeout(60, Map.of(), null, BerthDaemon.prepend(BerthDaemon.HOME.resolve("bin/berthd").toString(), args));
    }

    @Test
    void helpVersionAndUnknownFlags() throws Exception {
        Cmd.Result help = berthd("--help");
        assertEquals(0, help.code());
        for (String f : List.of("--host", "--data-root", "--exec-root", "--pidfile", "--default-runtime", "--log-level", "--ip-masq", "--iptables", "--config-file")) {
            assertTrue(help.out().contains(f), f + " in " + help);
        }
        assertTrue(berthd("--version").out().contains("Berth version"));
        Cmd.Result bad = berthd("--no-such-flag");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("unknown flag: --no-such-flag"), bad::toString);
        Cmd.Result tcp = berthd("-H", "tcp://127.0.0.1:2375", "--config-file", "/dev/null");
        assertNotEquals(0, tcp.code());
        assertTrue(tcp.err().contains("only unix:// sockets are supported so far"), tcp::toString);
        Cmd.Result badBool = berthd("--ip-masq=maybe");
        assertTrue(badBool.err().contains("invalid argument \"maybe\""), badBool::toString);
    }

    @Test
    void configFileKeysAndConflicts() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "berth-flags-");
        try {
            Path cfg = dir.resolve("daemon.json");
            Files.writeString(cfg, "{\"data-root\": \"" + dir.resolve("data") + "\", \"log-level\": \"debug\"}");
            Cmd.Result both = berthd("--config-file", cfg.toString(), "--data-root", dir.resolve("other").toString());
            assertNotEquals(0, both.code());
            assertTrue(both.err().contains("the following directives are specified both as a flag and in the configuration file: data-root"), both::toString);
            Files.writeString(cfg, "{\"colour\": \"blue\"}");
            Cmd.Result unknown = berthd("--config-file", cfg.toString());
            assertTrue(unknown.err().contains("don't match any configuration option: colour"), unknown::toString);
            Files.writeString(cfg, "{not json");
            Cmd.Result broken = berthd("--config-file", cfg.toString());
            assertNotEquals(0, broken.code());
            assertTrue(broken.err().contains("unable to configure the Berth daemon with file"), broken::toString);
            Cmd.Result missing = berthd("--config-file", dir.resolve("absent.json").toString());
            assertTrue(missing.err().contains("no such file or directory"), missing::toString);
        } finally {
            Cmd.run(Map.of(), null, "rm", "-rf", dir.toString());
        }
    }

    @Test
    void crunIsRefusedClearlyOnAHybridCgroupLayout() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        Path controllers = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        assumeTrue(Files.exists(controllers) && !Files.readString(controllers).isBlank(), "only on a hybrid cgroup host");
        try (BerthDaemon d = new BerthDaemon()) {
            Cmd.Result r = berthd("--default-runtime", "crun", "-H", d.host(), "--data-root", d.dataRoot.toString(),
                    "--exec-root", d.execRoot.toString(), "--config-file", "/dev/null");
            assertEquals(1, r.code(), r::toString);
            assertTrue(r.err().contains("crun cannot run containers on this host") && r.err().contains("use --default-runtime runc"), r::toString);
        }
    }

    @Test
    void aSecondDaemonOnTheSamePidFileIsRefused() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            Cmd.Result r = berthd("-H", "unix://" + d.dir.resolve("second.sock"), "--data-root", d.dir.resolve("d2").toString(),
                    "--exec-root", d.dir.resolve("e2").toString(), "--pidfile", d.dir.resolve("berthd.pid").toString(), "--config-file", "/dev/null");
            assertEquals(1, r.code(), r::toString);
            assertTrue(r.err().contains("pid file found, ensure berthd is not running"), r::toString);
        }
    }
}
