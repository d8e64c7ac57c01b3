package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real docker CLI (28.x) against a real berthd: run, logs, stdin, signals, images, errors. */
class DockerCliIT extends BusyboxDaemonTest {

    @Test
    void negotiatesAndReportsVersionAndInfo() throws Exception {
        assertEquals("1.47", ok(d.docker("version", "--format", "{{.Server.APIVersion}}")).out().strip());
        assertEquals("overlay2", ok(d.docker("info", "--format", "{{.Driver}}")).out().strip());
        assertTrue(Integer.parseInt(ok(d.docker("info", "--format", "{{.NCPU}}")).out().strip()) > 0);
        assertEquals(d.dataRoot.toString(), ok(d.docker("info", "--format", "{{.DockerRootDir}}")).out().strip());
    }

    @Test
    void runPrintsOutputAndRemovesWithRm() throws Exception {
        Cmd.Result r = ok(d.docker("run", "--rm", "--name", "hello", "busybox", "echo", "hello from berth"));
        assertEquals("hello from berth\n", r.out());
        assertFalse(d.docker("ps", "-a", "--format", "{{.Names}}").out().contains("hello"));
    }

    @Test
    void exitCodesReachTheClient() throws Exception {
        assertEquals(3, d.docker("run", "--rm", "busybox", "sh", "-c", "exit 3").code());
        Cmd.Result missing = d.docker("run", "--rm", "busybox", "/no/such/binary");
        assertEquals(127, missing.code(), missing::toString);
        assertTrue(missing.err().contains("no such file or directory") || missing.err().contains("not found"), missing::toString);
        Cmd.Result missing2 = d.docker("run", "--rm", "busybox", "nosuchcommand");
        assertEquals(127, missing2.code(), missing2::toString);
        assertTrue(missing2.err().contains("executable file not found"), missing2::toString);
    }

    @Test
    void stdinIsPipedWithInteractive() throws Exception {
        assertEquals("hi\n", ok(d.dockerIn("hi\n", "run", "-i", "--rm", "busybox", "cat")).out());
        String big = "x".repeat(200_000) + "\n";
        assertEquals(big.length(), Integer.parseInt(ok(d.dockerIn(big, "run", "-i", "--rm", "busybox", "wc", "-c")).out().strip()));
    }

    @Test
    void stdoutAndStderrStayApart() throws Exception {
        Cmd.Result r = ok(d.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2"));
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
    }

    @Test
    void configSemanticsMatchDocker() throws Exception {
        Cmd.Result r = ok(d.docker("run", "--rm", "-e", "FOO=bar", "-w", "/tmp/work", "-u", "nobody", "-h", "myhost",
                "busybox", "sh", "-c", "echo $FOO $(pwd) $(id -u) $(id -g) $(hostname) $HOME"));
        assertEquals("bar /tmp/work 65534 65534 myhost /home\n", r.out());
        assertEquals("hi\n", ok(d.docker("run", "--rm", "--entrypoint", "echo", "busybox", "hi")).out());
        assertEquals("33:33\n", ok(d.docker("run", "--rm", "-u", "www-data", "busybox", "sh", "-c", "echo $(id -u):$(id -g)")).out());
        assertEquals("1000:50\n", ok(d.docker("run", "--rm", "-u", "1000:staff", "busybox", "sh", "-c", "echo $(id -u):$(id -g)")).out());
        Cmd.Result env = ok(d.docker("run", "--rm", "busybox", "env"));
        assertTrue(env.out().contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), env::toString);
        assertTrue(env.out().contains("HOME=/root"), env::toString);
        Cmd.Result badUser = d.docker("run", "--rm", "-u", "ghost", "busybox", "true");
        assertNotEquals(0, badUser.code());
        assertTrue(badUser.err().contains("unable to find user ghost"), badUser::toString);
    }

    @Test
    void containerFilesAndIsolation() throws Exception {
        Cmd.Result r = ok(d.docker("run", "--rm", "-h", "boxy", "busybox", "sh", "-c",
                "cat /etc/hostname; grep -c localhost /etc/hosts; echo pid=$$; ls /proc/kcore >/dev/null && echo kcore; ip -o link | wc -l"));
        List<String> lines = r.out().lines().toList();
        assertEquals("boxy", lines.get(0));
        assertEquals("pid=1", lines.get(2), r::toString);
        assertEquals("2", lines.getLast().strip(), "loopback and eth0 on the default bridge: " + r);
        assertEquals("1", ok(d.docker("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ip -o link | wc -l")).out().strip(),
                "only loopback with --network none");
        Cmd.Result caps = ok(d.docker("run", "--rm", "busybox", "grep", "CapBnd", "/proc/self/status"));
        assertTrue(caps.out().contains("00000000a80425fb"), "Docker's default capability set: " + caps);
        Cmd.Result ro = d.docker("run", "--rm", "busybox", "sh", "-c", "echo 1 > /proc/sys/kernel/domainname");
        assertNotEquals(0, ro.code(), "/proc/sys is read-only");
        Cmd.Result sec = d.docker("run", "--rm", "busybox", "sh", "-c", "grep '^Seccomp:' /proc/self/status; unshare -U true");
        assertNotEquals(0, sec.code(), "seccomp refuses new user namespaces: " + sec);
        assertTrue(sec.out().contains("Seccomp:\t2"), sec::toString);
        assertTrue(sec.err().contains("Operation not permitted"), sec::toString);
        ok(d.docker("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "unshare", "-U", "true"));
    }

    @Test
    void detachedLogsStopAndState() throws Exception {
        String id = ok(d.docker("run", "-d", "--name", "web", "busybox", "sh", "-c",
                "echo started; echo oops >&2; while true; do sleep 1; done")).out().strip();
        assertEquals(64, id.length());
        waitForLog("web", "started");
        assertEquals("true", ok(d.docker("inspect", "-f", "{{.State.Running}}", "web")).out().strip());
        Cmd.Result logs = ok(d.docker("logs", "web"));
        assertEquals("started\n", logs.out());
        assertEquals("oops\n", logs.err());
        Cmd.Result ts = ok(d.docker("logs", "-t", "--tail", "1", "web"));
        assertTrue(ts.out().matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z started\\n") || ts.err().matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z oops\\n"), ts::toString);
        assertTrue(ok(d.docker("ps", "--format", "{{.Names}} {{.Status}}")).out().contains("web Up"));
        assertEquals("web\n", ok(d.docker("stop", "-t", "1", "web")).out());
        assertEquals("137", ok(d.docker("inspect", "-f", "{{.State.ExitCode}}", "web")).out().strip(), "sh as pid 1 ignores SIGTERM");
        assertEquals("exited", ok(d.docker("inspect", "-f", "{{.State.Status}}", "web")).out().strip());
        assertTrue(ok(d.docker("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}")).out().contains("web"));
        assertTrue(ok(d.docker("ps", "-a", "--filter", "exited=137", "--format", "{{.Names}}")).out().contains("web"));
        assertFalse(ok(d.docker("ps", "--format", "{{.Names}}")).out().contains("web"));
        ok(d.docker("rm", "web"));
        assertEquals(List.of(), Leaks.of(d, id));
    }

    private static void waitForLog(String name, String text) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (d.docker("logs", name).out().contains(text)) return;
            Thread.sleep(50);
        }
        fail("no '" + text + "' in logs of " + name);
    }

    @Test
    void followStreamsUntilExit() throws Exception {
        ok(d.docker("run", "-d", "--name", "counter", "busybox", "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.3; done"));
        Cmd.Result r = ok(d.docker("logs", "-f", "counter"));
        assertEquals("1\n2\n3\n", r.out());
        ok(d.docker("rm", "counter"));
    }

    @Test
    void killWaitRestartRename() throws Exception {
        String id = ok(d.docker("run", "-d", "--name", "sleeper", "busybox", "sleep", "300")).out().strip();
        ok(d.docker("kill", "-s", "KILL", "sleeper"));
        assertEquals("137\n", ok(d.docker("wait", "sleeper")).out());
        Cmd.Result notRunning = d.docker("kill", "sleeper");
        assertNotEquals(0, notRunning.code());
        assertTrue(notRunning.err().contains("is not running"), notRunning::toString);
        ok(d.docker("restart", "-t", "0", "sleeper"));
        assertEquals("true", ok(d.docker("inspect", "-f", "{{.State.Running}}", "sleeper")).out().strip());
        ok(d.docker("rename", "sleeper", "dozer"));
        assertEquals("/dozer", ok(d.docker("inspect", "-f", "{{.Name}}", id)).out().strip());
        Cmd.Result running = d.docker("rm", "dozer");
        assertNotEquals(0, running.code());
        assertTrue(running.err().contains("container is running"), running::toString);
        // pid 1 without a TERM handler ignores it (pid namespace rule): the container keeps running
        ok(d.docker("kill", "-s", "TERM", "dozer"));
        assertEquals("true", ok(d.docker("inspect", "-f", "{{.State.Running}}", "dozer")).out().strip());
        ok(d.docker("rm", "-f", "dozer"));
        assertEquals(List.of(), Leaks.of(d, id));
    }

    @Test
    void errorsUseDockersWording() throws Exception {
        Cmd.Result r = d.docker("start", "nosuch");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("No such container: nosuch"), r::toString);
        ok(d.docker("create", "--name", "taken", "busybox", "true"));
        Cmd.Result dup = d.docker("create", "--name", "taken", "busybox", "true");
        assertNotEquals(0, dup.code());
        assertTrue(dup.err().contains("Conflict. The container name \"/taken\" is already in use by container"), dup::toString);
        Cmd.Result badName = d.docker("create", "--name", "bad name!", "busybox", "true");
        assertTrue(badName.err().contains("Invalid container name"), badName::toString);
        ok(d.docker("rm", "taken"));
        Cmd.Result noImage = d.docker("run", "--rm", "nosuchimage");
        assertEquals(125, noImage.code(), noImage::toString);
        assertTrue(noImage.err().contains("Unable to find image 'nosuchimage:latest' locally"), noImage::toString);
        assertTrue(noImage.err().contains("only uses loopback registries"), "the test daemon never contacts docker.io: " + noImage);
        Cmd.Result inspect = d.docker("inspect", "nothing-here");
        assertNotEquals(0, inspect.code());
        assertTrue(inspect.err().contains("No such object: nothing-here"), inspect::toString);
    }

    @Test
    void importTagImagesAndRmi() throws Exception {
        String id = ok(d.docker("import", "--change", "CMD [\"echo\", \"from-cmd\"]", "--change", "ENV A=1 B=two",
                "--change", "WORKDIR /srv", Fixtures.busyboxTar().toString(), "bb2:v1")).out().strip();
        assertTrue(id.startsWith("sha256:"), id);
        assertEquals("from-cmd\n", ok(d.docker("run", "--rm", "bb2:v1")).out());
        assertEquals("1 two /srv\n", ok(d.docker("run", "--rm", "bb2:v1", "sh", "-c", "echo $A $B $(pwd)")).out());
        ok(d.docker("tag", "bb2:v1", "example.com/team/bb2:latest"));
        Cmd.Result images = ok(d.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"));
        assertTrue(images.out().contains("bb2:v1 " + id.substring(7, 19)), images::toString);
        assertTrue(images.out().contains("example.com/team/bb2:latest"), images::toString);
        assertEquals("[\"echo\",\"from-cmd\"]", ok(d.docker("image", "inspect", "-f", "{{json .Config.Cmd}}", "bb2:v1")).out().strip());
        Cmd.Result untag = ok(d.docker("rmi", "example.com/team/bb2"));
        assertTrue(untag.out().contains("Untagged: example.com/team/bb2:latest"), untag::toString);
        ok(d.docker("create", "--name", "user", "bb2:v1"));
        Cmd.Result inUse = d.docker("rmi", "bb2:v1");
        assertNotEquals(0, inUse.code());
        assertTrue(inUse.err().contains("conflict: unable to remove repository reference"), inUse::toString);
        ok(d.docker("rm", "user"));
        Cmd.Result del = ok(d.docker("rmi", "bb2:v1"));
        assertTrue(del.out().contains("Deleted: " + id), del::toString);
        Cmd.Result gone = d.docker("image", "inspect", "bb2:v1");
        assertTrue(gone.err().contains("No such image: bb2:v1"), gone::toString);
        Cmd.Result badRef = d.docker("tag", "busybox", "Bad/Name");
        assertTrue(badRef.err().contains("invalid reference format"), badRef::toString);
    }

    @Test
    void hostileImportIsRefusedAndNothingEscapes() throws Exception {
        java.nio.file.Path victim = d.dir.resolve("victim");
        java.nio.file.Files.createDirectories(victim);
        java.nio.file.Path tar = d.dir.resolve("evil.tar");
        java.nio.file.Path src = d.dir.resolve("evil-src");
        java.nio.file.Files.createDirectories(src.resolve("a"));
        java.nio.file.Files.writeString(src.resolve("a/x"), "evil");
        // an entry named ../../victim/pwned via tar's --transform
        Cmd.Result mk = Cmd.run(Map.of(), null, "tar", "-C", src.toString(), "-cf", tar.toString(),
                "--transform", "s|a/x|../../../../../../" + victim.toString().substring(1) + "/pwned|", "a/x");
        assertEquals(0, mk.code(), mk::toString);
        Cmd.Result r = d.docker("import", tar.toString(), "evil");
        assertNotEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("escapes"), r::toString);
        assertFalse(java.nio.file.Files.exists(victim.resolve("pwned")));
        assertTrue(d.docker("image", "inspect", "evil").code() != 0);
    }

    @Test
    void ttyRunGivesATerminal() throws Exception {
        Cmd.Result r = Cmd.run(Map.of("DOCKER_HOST", d.host()), null, "script", "-qec",
                "/usr/local/bin/docker run -t --rm busybox sh -c 'tty; echo $TERM'", "/dev/null");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("/dev/pts/0"), r::toString);
        assertTrue(r.out().contains("xterm"), r::toString);
    }

    @Test
    void eventsReportTheLifecycle() throws Exception {
        Instant since = Instant.now().minusMillis(5);
        ok(d.docker("run", "--rm", "--name", "evented", "busybox", "true"));
        Thread.sleep(300);
        Instant until = Instant.now();
        Cmd.Result ev = ok(d.docker("events", "--since", Long.toString(since.getEpochSecond()), "--until",
                until.getEpochSecond() + 1 + "", "--filter", "container=evented", "--format", "{{.Action}}"));
        List<String> actions = ev.out().lines().toList();
        assertTrue(actions.containsAll(List.of("create", "attach", "start", "die", "destroy")), ev::toString);
        assertTrue(actions.indexOf("create") < actions.indexOf("start") && actions.indexOf("start") < actions.indexOf("die"), ev::toString);
    }

    @Test
    void psFiltersAndFormats() throws Exception {
        ok(d.docker("create", "--name", "labelled", "--label", "team=blue", "busybox", "true"));
        assertEquals("labelled\n", ok(d.docker("ps", "-a", "--filter", "label=team=blue", "--format", "{{.Names}}")).out());
        assertEquals("", ok(d.docker("ps", "-a", "--filter", "label=team=red", "--format", "{{.Names}}")).out());
        assertTrue(ok(d.docker("ps", "-a", "--filter", "status=created", "--format", "{{.Names}}")).out().contains("labelled"));
        assertTrue(ok(d.docker("ps", "-a", "--filter", "name=label", "--format", "{{.Names}}")).out().contains("labelled"));
        assertTrue(ok(d.docker("ps", "-a", "--filter", "ancestor=busybox", "--format", "{{.Names}}")).out().contains("labelled"));
        Cmd.Result bad = d.docker("ps", "--filter", "status=sleepy");
        assertTrue(bad.err().contains("invalid filter"), bad::toString);
        Cmd.Result table = ok(d.docker("ps", "-a"));
        assertTrue(table.out().startsWith("CONTAINER ID   IMAGE"), table::toString);
        ok(d.docker("rm", "labelled"));
    }

    @Test
    void gzipImportStartAttachAndAttach() throws Exception {
        java.nio.file.Path gz = d.dir.resolve("busybox.tar.gz");
        Cmd.Result z = Cmd.run(Map.of(), null, "sh", "-c", "gzip -c " + Fixtures.busyboxTar() + " > " + gz);
        assertEquals(0, z.code(), z::toString);
        ok(d.docker("import", gz.toString(), "bbgz"));
        assertEquals("gz\n", ok(d.docker("run", "--rm", "bbgz", "echo", "gz")).out());
        ok(d.docker("rmi", "bbgz"));
        ok(d.docker("create", "--name", "again", "busybox", "echo", "ran"));
        assertEquals("ran\n", ok(d.docker("start", "-a", "again")).out());
        assertEquals("ran\n", ok(d.docker("start", "-a", "again")).out(), "start -a of an exited container runs it again");
        assertEquals("ran\nran\n", ok(d.docker("logs", "again")).out());
        ok(d.docker("rm", "again"));
        ok(d.docker("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "sleep 1; echo tick; sleep 1; exit 9"));
        Cmd.Result att = d.docker("attach", "ticker");
        assertEquals(9, att.code(), att::toString);
        assertEquals("tick\n", att.out());
        ok(d.docker("rm", "ticker"));
    }

    @Test
    void parallelRunsAllSucceedAndLeaveNothing() throws Exception {
        int n = 8;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<Cmd.Result>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "par" + i;
                fs.add(pool.submit(() -> d.docker("run", "--rm", "--name", name, "busybox", "sh", "-c", "echo " + name + "; sleep 0.2")));
            }
            for (int i = 0; i < n; i++) assertEquals("par" + i + "\n", ok(fs.get(i).get()).out());
        } finally {
            pool.shutdownNow();
        }
        assertEquals("", ok(d.docker("ps", "-aq", "--filter", "name=par")).out());
        assertEquals(List.of(), Leaks.mountsUnder(d.execRoot));
    }

    @Test
    void historyFiltersAndPrune() throws Exception {
        String first = ok(d.docker("import", "-m", "first import", Fixtures.busyboxTar().toString(), "hist:1")).out().strip();
        Thread.sleep(1100);
        ok(d.docker("import", Fixtures.busyboxTar().toString(), "hist:2"));
        Cmd.Result h = ok(d.docker("history", "hist:1"));
        assertTrue(h.out().contains(first.substring(7, 19)) && h.out().contains("first import") && h.out().contains("1.98MB"), h::toString);
        String before = ok(d.docker("images", "--filter", "before=hist:2", "--format", "{{.Repository}}:{{.Tag}}")).out();
        assertTrue(before.contains("hist:1") && !before.contains("hist:2"), before);
        String since = ok(d.docker("images", "--filter", "since=hist:1", "--format", "{{.Repository}}:{{.Tag}}")).out();
        assertTrue(since.contains("hist:2") && !since.contains("hist:1"), since);
        String dangling = ok(d.docker("import", Fixtures.busyboxTar().toString())).out().strip();
        assertTrue(ok(d.docker("images", "-q", "--filter", "dangling=true")).out().contains(dangling.substring(7, 19)));
        Cmd.Result prune = ok(d.docker("image", "prune", "-f"));
        assertTrue(prune.out().contains("deleted: " + dangling), prune::toString);
        assertEquals("", ok(d.docker("images", "-q", "--filter", "dangling=true")).out());
        assertTrue(ok(d.docker("images", "--format", "{{.Repository}}:{{.Tag}}")).out().contains("hist:1"), "tagged images stay");
        ok(d.docker("rmi", "hist:1", "hist:2"));
    }

    @Test
    void systemDfCountsImagesAndWritableLayers() throws Exception {
        ok(d.docker("run", "--name", "dfuser", "busybox", "sh", "-c", "head -c 1000000 /dev/zero > /big"));
        Cmd.Result df = ok(d.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}}"));
        List<String> rows = df.out().lines().toList();
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("Images ") && l.contains(" 1.98")), df::toString);
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("Containers ") && l.endsWith(" 1MB")), df::toString);
        ok(d.docker("rm", "dfuser"));
    }
}
