package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** State survives daemon restarts (clean and kill -9), truthfully, with nothing leaked. */
class RestartIT {

    @Test
    void killMinus9MidBuildLeavesNothingHalfMade() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            d.importBusybox();
            java.nio.file.Path ctx = java.nio.file.Files.createDirectories(d.dir.resolve("ctx"));
            java.nio.file.Files.writeString(ctx.resolve("f"), "f\n");
            java.nio.file.Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY f /f\nRUN echo started && sleep 30\n");
            ProcessBuilder pb = new ProcessBuilder("/usr/local/bin/docker", "build", "-t", "crash:1", ctx.toString())
                    .redirectErrorStream(true).redirectOutput(d.dir.resolve("build.out").toFile());
            pb.environment().put("DOCKER_HOST", d.host());
            Process build = pb.start();
            build.getOutputStream().close();
            for (int i = 0; i < 200 && !java.nio.file.Files.readString(d.dir.resolve("build.out")).contains("started"); i++) Thread.sleep(100);
            assertTrue(java.nio.file.Files.readString(d.dir.resolve("build.out")).contains("started"));
            // mid-RUN: a context, a view mount and a container's rootfs exist now
            d.kill9();
            build.waitFor();
            d.start();
            try (var s = java.nio.file.Files.list(d.dataRoot.resolve("builder/tmp"))) {
                assertEquals(List.of(), s.toList(), "builder temp emptied at start");
            }
            try (var s = java.nio.file.Files.list(d.dataRoot.resolve("layers/tmp"))) {
                assertEquals(List.of(), s.toList());
            }
            assertEquals(List.of(), Leaks.mountsUnder(d.dataRoot));
            assertEquals(List.of(), Leaks.mountsUnder(d.execRoot));
            // the step's container is recorded as exited; the cached COPY step is still usable
            java.nio.file.Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY f /f\nRUN echo again\n");
            String out = ok(d.docker("build", "-t", "crash:1", ctx.toString())).out();
            assertTrue(out.contains("Using cache"), out);
            assertEquals("f\n", ok(d.docker("run", "--rm", "crash:1", "cat", "/f")).out());
        }
    }

    @Test
    void killMinus9LeavesAStoreThatRestartsTruthfully() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            d.importBusybox();
            ok(d.docker("create", "--name", "fresh", "busybox", "true"));
            assertEquals(4, d.docker("run", "--name", "done", "busybox", "sh", "-c", "echo finished; exit 4").code());
            String id = ok(d.docker("run", "-d", "--name", "runner", "busybox", "sleep", "300")).out().strip();
            assertFalse(Leaks.processesOf(id).isEmpty());
            d.kill9();
            d.start();
            assertEquals("created", ok(d.docker("inspect", "-f", "{{.State.Status}}", "fresh")).out().strip());
            assertEquals("exited 4", ok(d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "done")).out().strip());
            assertEquals("finished\n", ok(d.docker("logs", "done")).out());
            assertEquals("exited", ok(d.docker("inspect", "-f", "{{.State.Status}}", "runner")).out().strip());
            assertEquals(List.of(), Leaks.processesOf(id), "the orphaned container process is reaped");
            assertEquals(List.of(), Leaks.mountsUnder(d.execRoot), "no stale rootfs mounts");
            // and it runs again after the restart
            ok(d.docker("start", "runner"));
            assertEquals("true", ok(d.docker("inspect", "-f", "{{.State.Running}}", "runner")).out().strip());
            ok(d.docker("rm", "-f", "runner", "fresh", "done"));
            assertEquals(List.of(), Leaks.of(d, id));
            assertEquals("busybox:latest\n", ok(d.docker("images", "--format", "{{.Repository}}:{{.Tag}}")).out());
        }
    }

    @Test
    void cleanStopStopsContainers() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            d.importBusybox();
            String id = ok(d.docker("run", "-d", "--name", "svc", "busybox", "sleep", "300")).out().strip();
            d.stop();
            assertEquals(List.of(), Leaks.processesOf(id));
            assertEquals(List.of(), Leaks.mountsUnder(d.execRoot));
            d.start();
            assertEquals("exited", ok(d.docker("inspect", "-f", "{{.State.Status}}", "svc")).out().strip());
            ok(d.docker("rm", "svc"));
            assertEquals(List.of(), Leaks.of(d, id));
        }
    }

    @Test
    void twoDaemonsRunSideBySide() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon a = new BerthDaemon(); BerthDaemon b = new BerthDaemon()) {
            a.start();
            b.start();
            a.importBusybox();
            assertEquals("", ok(b.docker("images", "-q")).out());
            assertEquals("a\n", ok(a.docker("run", "--rm", "busybox", "echo", "a")).out());
            Cmd.Result noImage = b.docker("run", "--rm", "busybox", "true");
            assertNotEquals(0, noImage.code());
        }
    }

    @Test
    void killMinus9DuringBusyTrafficRestartsCleanly() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            d.importBusybox();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> load = new java.util.ArrayList<>();
            load.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) quietly(() -> d.docker("run", "-d", "busybox", "sleep", "300"));
            }));
            load.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) quietly(() -> d.docker("run", "--rm", "busybox", "sh", "-c", "echo x; true"));
            }));
            load.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int n = i;
                    quietly(() -> d.docker("import", Fixtures.busyboxTar().toString(), "crash:" + n));
                }
            }));
            Thread.sleep(2500);
            d.kill9();
            stop.set(true);
            for (Thread t : load) t.join(60_000);
            d.start();
            // every record loads and tells the truth: nothing runs after the crash
            String states = ok(d.docker("ps", "-a", "--format", "{{.ID}} {{.State}}")).out();
            assertFalse(states.contains("running"), states);
            for (String line : states.lines().toList()) {
                String id = line.split(" ")[0];
                String full = ok(d.docker("inspect", "-f", "{{.Id}}", id)).out().strip();
                assertEquals(List.of(), Leaks.processesOf(full), "process of " + full);
            }
            // images are whole or absent: every listed one runs
            for (String ref : ok(d.docker("images", "--format", "{{.Repository}}:{{.Tag}}")).out().lines().toList()) {
                assertEquals("ok\n", ok(d.docker("run", "--rm", ref, "echo", "ok")).out(), ref);
            }
            String ids = ok(d.docker("ps", "-aq")).out().strip();
            if (!ids.isEmpty()) {
                String[] args = ("rm -f " + ids.replace('\n', ' ')).split(" ");
                ok(d.docker(args));
            }
            assertEquals(List.of(), Leaks.mountsUnder(d.execRoot));
            try (var s = java.nio.file.Files.list(d.dataRoot.resolve("containers"))) {
                assertEquals(0, s.count(), "no container directories left");
            }
            try (var s = java.nio.file.Files.list(d.dataRoot.resolve("ingest"))) {
                assertEquals(0, s.count(), "no half-written blobs");
            }
            try (var s = java.nio.file.Files.list(d.dataRoot.resolve("layers/tmp"))) {
                assertEquals(0, s.count(), "no half-unpacked layers");
            }
        }
    }

    private interface Action { Object run() throws Exception; }

    private static void quietly(Action a) {
        try {
            a.run();
        } catch (Exception ignored) {
            // the daemon is killed under this load on purpose
        }
    }
}
