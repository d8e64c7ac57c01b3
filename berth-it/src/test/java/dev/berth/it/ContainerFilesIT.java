package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * A container's files with the real docker CLI and the berth CLI: diff, export, cp both ways
 * (running and stopped containers, directories, "/.", symlinks, stdin/stdout tars), hostile cp
 * archives, commit; no mount may stay behind after access to a stopped container.
 */
class ContainerFilesIT extends BusyboxDaemonTest {

    private static Cmd.Result sh(String script) throws Exception {
        return Cmd.run(Map.of("DOCKER_HOST", d.host(), "BERTH_HOST", d.host(), "PATH", BerthDaemon.HOME.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin"),
                null, "sh", "-c", script);
    }

    private static String create(String name, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(List.of("create", "--name", name, "busybox"));
        args.addAll(List.of(cmd));
        return ok(d.docker(args.toArray(String[]::new))).out().strip();
    }

    private static void noMounts(String id) throws IOException {
        for (String m : Leaks.mountsUnder(d.dir)) assertFalse(m.contains(id), "left mounted: " + m);
    }

    @Test
    void diffListsChangesLikeDocker() throws Exception {
        ok(d.docker("run", "--name", "diffed", "busybox", "sh", "-c",
                "mkdir -p /data/sub && echo x > /data/sub/f && rm /etc/group && echo more >> /etc/passwd && touch /bin/newtool"));
        String diff = ok(d.docker("diff", "diffed")).out();
        assertEquals("""
                C /bin
                A /bin/newtool
                A /data
                A /data/sub
                A /data/sub/f
                C /etc
                D /etc/group
                C /etc/passwd
                """, diff);
        assertEquals(diff, ok(d.berth("diff", "diffed")).out());
        assertEquals(diff, ok(d.berth("container", "diff", "diffed")).out());
        // nothing changed: dockerd's null, printed as nothing
        String quiet = create("quiet", "true");
        ok(d.docker("start", "-a", quiet));
        assertEquals("", ok(d.docker("diff", "quiet")).out());
        Cmd.Result missing = d.docker("diff", "nosuch");
        assertEquals(1, missing.code());
        assertEquals("Error response from daemon: No such container: nosuch\n", missing.err());
        ok(d.docker("rm", "diffed", "quiet"));
    }

    @Test
    void exportWritesTheMergedFileSystem() throws Exception {
        String id = ok(d.docker("run", "--name", "exported", "busybox", "sh", "-c", "echo data > /root/f && rm /etc/group")).out().strip();
        id = ok(d.docker("inspect", "-f", "{{.Id}}", "exported")).out().strip();
        Cmd.Result t = ok(sh("docker export exported | tar -t"));
        List<String> names = List.of(t.out().split("\n"));
        assertTrue(names.contains("root/f"), t.out());
        assertTrue(names.contains("bin/"), t.out());
        assertTrue(names.contains("etc/passwd"), t.out());
        assertFalse(names.contains("etc/group"), t.out());
        assertFalse(names.getFirst().startsWith("./"), t.out());
        // hard-linked applets stay links: the archive is not 300 copies of busybox
        Path out = d.dir.resolve("export.tar");
        ok(d.docker("export", "-o", out.toString(), "exported"));
        assertTrue(Files.size(out) < 10_000_000, "export size " + Files.size(out));
        assertEquals("data\n", ok(Cmd.run(Map.of(), null, "tar", "-xOf", out.toString(), "root/f")).out());
        Path berthOut = d.dir.resolve("export-berth.tar");
        ok(d.berth("export", "-o", berthOut.toString(), "exported"));
        assertEquals(Files.size(out), Files.size(berthOut));
        assertEquals(ok(sh("docker export exported | sha256sum")).out(), ok(sh("berth container export exported | sha256sum")).out());
        noMounts(id);
        String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
        assertTrue(ok(d.docker("events", "--since", "0", "--until", until, "--filter", "container=exported", "--filter", "event=export",
                "--format", "{{.Action}}")).out().startsWith("export\n"));
        ok(d.docker("rm", "exported"));
    }

    @Test
    void cpOutOfAndIntoRunningAndStoppedContainers() throws Exception {
        Path work = Files.createDirectories(d.dir.resolve("cp"));
        String id = ok(d.docker("run", "-d", "--name", "cpr", "busybox", "sh", "-c",
                "mkdir -p /srv/app/conf && echo a > /srv/app/conf/a && ln -s /srv/app /srv/link && touch /ready && exec sleep 1000")).out().strip();
        while (d.docker("cp", "cpr:/ready", "-").code() != 0) Thread.sleep(20); // the script has run
        // a directory, its contents with "/.", a symlink (kept) and followed with -L
        ok(d.docker("cp", "cpr:/srv/app", work.resolve("app").toString()));
        assertEquals("a\n", Files.readString(work.resolve("app/conf/a")));
        Files.createDirectories(work.resolve("contents"));
        ok(d.docker("cp", "cpr:/srv/app/.", work.resolve("contents").toString()));
        assertEquals("a\n", Files.readString(work.resolve("contents/conf/a")));
        ok(d.docker("cp", "cpr:/srv/link", work.resolve("link").toString()));
        assertTrue(Files.isSymbolicLink(work.resolve("link")));
        assertEquals("/srv/app", Files.readSymbolicLink(work.resolve("link")).toString());
        ok(d.docker("cp", "-L", "cpr:/srv/link", work.resolve("followed").toString()));
        assertEquals("a\n", Files.readString(work.resolve("followed/conf/a")));
        // into the running container: a file, a directory, into a symlinked dir
        Files.writeString(work.resolve("in.txt"), "in\n");
        Cmd.Result msg = ok(d.docker("cp", work.resolve("in.txt").toString(), "cpr:/tmp/"));
        assertEquals("", msg.out() + msg.err()); // progress and "Successfully copied" only on a terminal
        ok(d.docker("cp", work.resolve("app").toString(), "cpr:/tmp/app2"));
        ok(d.docker("cp", work.resolve("in.txt").toString(), "cpr:/srv/link/"));
        assertEquals("in\n", readBack("cpr", "/tmp/in.txt"));
        assertEquals("a\n", readBack("cpr", "/tmp/app2/conf/a"));
        assertEquals("in\n", readBack("cpr", "/srv/app/in.txt"));
        // tar on stdin and stdout
        assertEquals("conf/\nconf/a\n", ok(sh("docker cp cpr:/srv/app/conf - | tar -t")).out());
        ok(sh("cd " + work + " && tar -c in.txt | docker cp - cpr:/root"));
        assertEquals("in\n", readBack("cpr", "/root/in.txt"));

        // stopped: both directions, and nothing stays mounted
        ok(d.docker("stop", "-t", "0", "cpr"));
        ok(d.docker("cp", work.resolve("in.txt").toString(), "cpr:/etc/stopped.txt"));
        ok(d.docker("cp", "cpr:/etc/stopped.txt", work.resolve("back.txt").toString()));
        assertEquals("in\n", Files.readString(work.resolve("back.txt")));
        noMounts(id);
        ok(d.docker("start", "cpr"));
        assertEquals("in\n", readBack("cpr", "/etc/stopped.txt"));
        ok(d.docker("rm", "-f", "cpr"));
        assertEquals(List.of(), Leaks.of(d, id));
    }

    /** The berth CLI's cp: same files, same messages and exit codes as docker's for the same command lines. */
    @Test
    void berthCpBehavesLikeDockerCp() throws Exception {
        Path work = Files.createDirectories(d.dir.resolve("bcp"));
        ok(d.docker("run", "-d", "--name", "bcp", "busybox", "sh", "-c",
                "mkdir -p /srv/app/conf && echo a > /srv/app/conf/a && ln -s /srv/app /srv/link && touch /ready && exec sleep 1000"));
        while (d.docker("cp", "bcp:/ready", "-").code() != 0) Thread.sleep(20);
        Files.writeString(work.resolve("in.txt"), "in\n");
        for (String tool : List.of("docker", "berth")) {
            Path out = Files.createDirectories(work.resolve(tool));
            Files.createDirectories(out.resolve("contents"));
            String pre = tool + " cp ";
            ok(sh(pre + "bcp:/srv/app " + out.resolve("app")));
            ok(sh(pre + "bcp:/srv/app/. " + out.resolve("contents")));
            ok(sh(pre + "bcp:/srv/link " + out.resolve("link")));
            ok(sh(pre + "-L bcp:/srv/link " + out.resolve("followed")));
            ok(sh(pre + "bcp:/etc/passwd " + out + "/"));
        }
        for (String tool : List.of("docker", "berth")) {
            Path out = work.resolve(tool);
            String pre = tool + " cp ";
            ok(sh(pre + work.resolve("in.txt") + " bcp:/tmp/" + tool + ".txt"));
            ok(sh(pre + out.resolve("app") + " bcp:/tmp/" + tool + "-app"));
            ok(sh(pre + work.resolve("in.txt") + " bcp:/srv/link/" + tool + ".txt"));
            ok(sh("cd " + work + " && tar -c in.txt | " + pre + "- bcp:/root/"));
            ok(sh(pre + "bcp:/root/in.txt " + out.resolve("root-in.txt")));
        }
        assertEquals(ok(sh("cd " + work + "/docker && find . | sort && cat app/conf/a contents/conf/a root-in.txt passwd && readlink link")).out(),
                ok(sh("cd " + work + "/berth && find . | sort && cat app/conf/a contents/conf/a root-in.txt passwd && readlink link")).out());
        assertEquals("in\n", readBack("bcp", "/tmp/berth.txt"));
        assertEquals("a\n", readBack("bcp", "/tmp/berth-app/conf/a"));
        assertEquals("in\n", readBack("bcp", "/srv/app/berth.txt"));
        assertEquals(ok(sh("docker cp bcp:/srv/app - | tar -t")).out(), ok(sh("berth cp bcp:/srv/app - | tar -t")).out());
        for (String args : List.of("bcp:/nope " + work, work.resolve("in.txt") + " bcp:/nope/dir/", work + "/docker/app bcp:/etc/passwd",
                "bcp:/srv/app " + work.resolve("in.txt"), "bcp:/etc/passwd " + work + "/newdir/", "a b", "c1:/a c2:/b",
                "nosuch:/a " + work, work.resolve("missing") + " bcp:/tmp")) {
            Cmd.Result docker = sh("docker cp " + args), berth = sh("berth cp " + args);
            assertEquals(docker.code(), berth.code(), args);
            // docker's own goroutine may log a "closed pipe" line when it gives up early: not part of the answer
            assertEquals(docker.err().lines().filter(l -> !l.startsWith("time=")).toList(), berth.err().lines().toList(), args);
        }
        ok(d.docker("rm", "-f", "bcp"));
    }

    @Test
    void cpKeepsOwnersOrTakesTheContainerUsersWithArchiveMode() throws Exception {
        ok(d.docker("create", "--name", "owners", "-u", "nobody", "busybox", "true"));
        Path f = Files.writeString(d.dir.resolve("owned.txt"), "x");
        ok(Cmd.run(Map.of(), null, "chown", "1234:4321", f.toString()));
        ok(d.docker("cp", f.toString(), "owners:/tmp/plain.txt"));
        ok(d.docker("cp", "-a", f.toString(), "owners:/tmp/archived.txt"));
        ok(d.berth("cp", "-a", f.toString(), "owners:/tmp/berth-archived.txt"));
        String listing = ok(sh("docker cp owners:/tmp - | tar -tv --numeric-owner")).out();
        assertTrue(listing.matches("(?s).*1234/4321 .* tmp/plain.txt\n.*"), listing);
        assertTrue(listing.matches("(?s).*65534/65534 .* tmp/archived.txt\n.*"), listing);
        assertTrue(listing.matches("(?s).*65534/65534 .* tmp/berth-archived.txt\n.*"), listing);
        // export and cp out of a container that never ran (no init layer yet), and nothing stays mounted
        String id = ok(d.docker("inspect", "-f", "{{.Id}}", "owners")).out().strip();
        assertTrue(ok(sh("docker export owners | tar -t")).out().contains("tmp/plain.txt\n"));
        noMounts(id);
        ok(d.docker("rm", "owners"));
    }

    @Test
    void commitTakesAConfigBodyLikeDockerJava() throws Exception {
        ok(d.docker("run", "--name", "bodied", "-e", "A=1", "busybox", "touch", "/made"));
        String out = ok(Cmd.run(Map.of(), null, "curl", "-s", "-X", "POST", "-H", "Content-Type: application/json",
                "--unix-socket", d.socket.toString(), "--data", "{\"Cmd\":[\"echo\",\"from body\"],\"Env\":[\"B=2\"]}",
                "http://x/v1.47/commit?container=bodied&repo=bodied&tag=v2&changes=LABEL%20k%3Dv")).out();
        assertTrue(out.matches("\\{\"Id\":\"sha256:[0-9a-f]{64}\"}\n"), out);
        assertEquals("from body\n", ok(d.docker("run", "--rm", "bodied:v2")).out());
        assertEquals("[B=2 A=1] map[k:v]", ok(d.docker("image", "inspect", "-f", "{{.Config.Env}} {{.Config.Labels}}", "bodied:v2")).out().strip());
        ok(d.docker("rm", "bodied"));
    }

    /** docker-java: an independent client of the archive, changes and commit endpoints. */
    @Test
    void dockerJavaCopiesDiffsAndCommits() throws Exception {
        var config = com.github.dockerjava.core.DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new com.github.dockerjava.zerodep.ZerodepDockerHttpClient.Builder().dockerHost(java.net.URI.create(d.host())).build();
        try (com.github.dockerjava.api.DockerClient client = com.github.dockerjava.core.DockerClientImpl.getInstance(config, http)) {
            String id = client.createContainerCmd("busybox").withCmd("true").withName("javafiles").exec().getId();
            client.copyArchiveToContainerCmd(id).withTarInputStream(new java.io.ByteArrayInputStream(tar("hello.txt", "from java")))
                    .withRemotePath("/tmp").exec();
            try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                    client.copyArchiveFromContainerCmd(id, "/tmp/hello.txt").exec())) {
                assertEquals("hello.txt", in.getNextEntry().getName());
                assertEquals("from java", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            var changes = client.containerDiffCmd(id).exec();
            assertEquals(List.of("/tmp:0", "/tmp/hello.txt:1"),
                    changes.stream().map(c -> c.getPath() + ":" + c.getKind()).toList());
            String image = client.commitCmd(id).withRepository("javafiles").withTag("1").withCmd("cat", "/tmp/hello.txt").exec();
            assertTrue(image.startsWith("sha256:"), image);
            assertEquals("from java", ok(d.docker("run", "--rm", "javafiles:1")).out());
            client.removeContainerCmd(id).exec();
        }
    }

    @Test
    void cpErrorsAreDockers() throws Exception {
        create("cperr", "true");
        Cmd.Result missing = d.docker("cp", "cperr:/no/such", d.dir.toString());
        assertEquals(1, missing.code());
        assertEquals("Error response from daemon: Could not find the file /no/such in container cperr\n", missing.err());
        Path f = Files.writeString(d.dir.resolve("f.txt"), "x");
        Cmd.Result notDir = d.docker("cp", f.toString(), "cperr:/etc/passwd/");
        assertEquals(1, notDir.code(), notDir::toString);
        Cmd.Result toMissing = d.docker("cp", f.toString(), "cperr:/no/such/dir/");
        assertEquals(1, toMissing.code(), toMissing::toString);
        ok(d.docker("rm", "cperr"));
    }

    // ---------------------------------------------------------------- hostile archives over the API

    record Http(int code, String body) {}

    /** PUT /containers/{id}/archive with a raw tar, through curl (the JDK client has no unix sockets). */
    private static Http put(String container, String path, byte[] tar) throws Exception {
        Path body = Files.write(d.dir.resolve("hostile.tar"), tar);
        String out = ok(Cmd.run(Map.of(), null, "curl", "-s", "-w", "\n%{http_code}", "--unix-socket", d.socket.toString(),
                "-X", "PUT", "--data-binary", "@" + body, "http://x/v1.47/containers/" + container + "/archive?path=" + path)).out();
        int nl = out.lastIndexOf('\n');
        return new Http(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, nl));
    }

    private static byte[] tar(Object... entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            for (int i = 0; i < entries.length; i += 2) {
                String name = (String) entries[i];
                String v = (String) entries[i + 1];
                TarArchiveEntry e;
                if (v.startsWith("->")) {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(v.substring(2));
                    t.putArchiveEntry(e);
                } else {
                    e = new TarArchiveEntry(name);
                    byte[] data = v.getBytes(StandardCharsets.UTF_8);
                    e.setSize(data.length);
                    t.putArchiveEntry(e);
                    t.write(data);
                }
                t.closeArchiveEntry();
            }
        }
        return b.toByteArray();
    }

    @Test
    void hostileArchivesNeverLeaveTheRootfs() throws Exception {
        String marker = "berth-escape-" + System.nanoTime();
        String id = create("hostile", "true");
        Http dots = put("hostile", "/tmp", tar("../../../../../../../tmp/" + marker, "pwned"));
        assertEquals(400, dots.code(), dots.body());
        assertTrue(dots.body().contains("is outside of"), dots.body());
        // an absolute symlink, then a write through it: lands in the container's /tmp
        Http link = put("hostile", "/tmp", tar("esc", "->/", "esc/tmp/" + marker, "contained",
                "up", "->../../../../../..", "up/" + marker + "-2", "x"));
        assertEquals(400, link.code(), link.body()); // "up" climbs out of /tmp: refused like dockerd
        Http abs = put("hostile", "/tmp", tar("esc", "->/", "esc/tmp/" + marker, "contained"));
        assertEquals(200, abs.code(), abs.body());
        assertFalse(Files.exists(Path.of("/tmp", marker)));
        assertFalse(Files.exists(Path.of("/" + marker + "-2")));
        ok(d.docker("start", "-a", "hostile"));
        assertEquals("contained", readBack("hostile", "/tmp/" + marker));
        noMounts(id);
        ok(d.docker("rm", "hostile"));
    }

    private static String readBack(String container, String path) throws Exception {
        return ok(sh("docker cp " + container + ":" + path + " - | tar -xO")).out();
    }

    @Test
    void statHeaderCarriesGoModes() throws Exception {
        create("statted", "true");
        Cmd.Result r = ok(Cmd.run(Map.of(), null, "curl", "-sI", "--unix-socket", d.socket.toString(),
                "http://x/v1.47/containers/statted/archive?path=/tmp"));
        String header = r.out().lines().filter(l -> l.toLowerCase().startsWith("x-docker-container-path-stat:")).findFirst().orElseThrow();
        String json = new String(Base64.getDecoder().decode(header.substring(header.indexOf(':') + 1).strip()), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"name\":\"tmp\",\"size\":"), json);
        assertTrue(json.contains("\"mode\":" + ((1L << 31) | (1L << 20) | 0777) + ","), json);
        ok(d.docker("rm", "statted"));
    }

    @Test
    void commitMakesAnImageWithTheChangesAndConfig() throws Exception {
        ok(d.docker("run", "--name", "tocommit", "-e", "KEEP=1", "busybox", "sh", "-c", "echo committed > /hello && rm /etc/group"));
        String id = ok(d.docker("commit", "-a", "Ann <ann@example.com>", "-m", "first", "-c", "CMD [\"cat\", \"/hello\"]",
                "-c", "ENV FOO=bar", "tocommit", "committed:v1")).out().strip();
        assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
        assertEquals("committed\n", ok(d.docker("run", "--rm", "committed:v1")).out());
        assertEquals("bar 1\nno group\n", ok(d.docker("run", "--rm", "committed:v1", "sh", "-c",
                "echo $FOO $KEEP; test -e /etc/group || echo no group")).out());
        assertEquals("[cat /hello]|Ann <ann@example.com>|first|" + ok(d.docker("inspect", "-f", "{{.Image}}", "tocommit")).out().strip(),
                ok(d.docker("image", "inspect", "-f", "{{.Config.Cmd}}|{{.Author}}|{{.Comment}}|{{.Parent}}", "committed:v1")).out().strip());
        String history = ok(d.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "committed:v1")).out();
        assertTrue(history.startsWith("sh -c echo committed > /hello && rm /etc/group|first\n"), history);
        // the layer holds the container's changes only: no runc mount points
        String layers = ok(d.docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", "committed:v1")).out().strip();
        assertEquals("2", layers);
        Path saved = d.dir.resolve("committed.tar");
        ok(d.docker("save", "-o", saved.toString(), "committed:v1"));
        assertEquals("etc/\netc/.wh.group\nhello\n", ok(sh("L=$(tar -xOf " + saved + " manifest.json | sed 's/.*\"Layers\":\\[\\([^]]*\\)\\].*/\\1/' | tr ',' '\\n' | tail -1 | tr -d '\"')"
                + " && tar -xOf " + saved + " $L | tar -t")).out());
        // a running container is committed as it is
        ok(d.docker("run", "-d", "--name", "runningcommit", "busybox", "sh", "-c", "echo live > /live && touch /ready && exec sleep 1000"));
        while (d.docker("cp", "runningcommit:/ready", "-").code() != 0) Thread.sleep(20);
        ok(d.docker("commit", "runningcommit", "committed:live"));
        assertEquals("live\n", ok(d.docker("run", "--rm", "committed:live", "cat", "/live")).out());
        ok(d.docker("rm", "-f", "runningcommit"));
        // nothing changed: no new layer, an empty_layer history entry
        String same = ok(d.docker("commit", ok(d.docker("create", "busybox", "true")).out().strip())).out().strip();
        assertEquals("1", ok(d.docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", same)).out().strip());
        // the berth CLI: same command line, full ID printed
        String berthId = ok(d.berth("commit", "-c", "CMD [\"cat\", \"/hello\"]", "tocommit", "committed:berth")).out().strip();
        assertTrue(berthId.matches("sha256:[0-9a-f]{64}"), berthId);
        assertEquals("committed\n", ok(d.docker("run", "--rm", "committed:berth")).out());
        // events as dockerd sends them (the CLI sends whole seconds: an until in the next second covers them)
        String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
        String events = ok(d.docker("events", "--since", "0", "--until", until, "--filter", "container=tocommit",
                "--format", "{{.Action}} {{.Actor.Attributes.comment}} {{.Actor.Attributes.imageRef}}")).out();
        assertTrue(events.contains("commit first committed:v1\n"), events);
        Cmd.Result missing = d.docker("commit", "nosuch");
        assertEquals("Error response from daemon: No such container: nosuch\n", missing.err());
    }

    @Test
    void fileCapabilitiesSurviveCommitSaveAndLoad() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/setcap")), "setcap: bin/install-deps --test");
        ok(d.docker("run", "--name", "capsrc", "busybox", "cp", "/bin/busybox", "/pingx"));
        String upper = ok(d.docker("inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", "capsrc")).out().strip();
        ok(Cmd.run(Map.of(), null, "/usr/sbin/setcap", "cap_net_raw+ep", upper + "/pingx")); // a binary xattr value
        ok(d.docker("commit", "capsrc", "caps:v1"));
        String layer = ok(d.docker("image", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", "caps:v1")).out().strip();
        String caps = ok(Cmd.run(Map.of(), null, "/usr/sbin/getcap", layer + "/pingx")).out();
        assertTrue(caps.contains("cap_net_raw=ep"), caps);
        // the layer holds it as Docker writes it: the raw value in a SCHILY.xattr record
        Path saved = d.dir.resolve("caps.tar");
        ok(d.docker("save", "-o", saved.toString(), "caps:v1"));
        assertEquals("1\n", ok(sh("L=$(tar -xOf " + saved + " manifest.json | sed 's/.*\"Layers\":\\[\\([^]]*\\)\\].*/\\1/' | tr ',' '\\n' | tail -1 | tr -d '\"')"
                + " && tar -xOf " + saved + " $L | grep -ac 'SCHILY.xattr.security.capability='")).out());
        // and loading it back (the layer unpacked anew) restores it
        ok(d.docker("rm", "capsrc"));
        ok(d.docker("rmi", "caps:v1"));
        assertFalse(Files.exists(Path.of(layer)), "the layer went with the image");
        ok(d.docker("load", "-i", saved.toString()));
        caps = ok(Cmd.run(Map.of(), null, "/usr/sbin/getcap", layer + "/pingx")).out();
        assertTrue(caps.contains("cap_net_raw=ep"), caps);
        ok(d.docker("rmi", "caps:v1"));
    }
}
