package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docker build} against berthd (the classic builder API): a corpus of Dockerfiles covering
 * every instruction and form, built with the real docker CLI; the images are run and inspected
 * (config, history, layers); cache hits and misses; multi-stage and --target; .dockerignore;
 * hostile contexts; reproducible layers; errors; the build cache in df and prune; no leftovers.
 */
class BuildIT extends BusyboxDaemonTest {

    private static Path context(String name, Map<String, String> files) throws IOException {
        Path dir = d.dir.resolve("ctx-" + name);
        Files.createDirectories(dir);
        for (var e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
        }
        return dir;
    }

    private static Cmd.Result build(Path ctx, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "build";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = ctx.toString();
        return d.docker(all);
    }

    /** Runs the image as root (some images under test set USER). */
    private static String run(String image, String... cmd) throws Exception {
        String[] all = new String[cmd.length + 5];
        all[0] = "run";
        all[1] = "--rm";
        all[2] = "-u";
        all[3] = "0";
        all[4] = image;
        System.arraycopy(cmd, 0, all, 5, cmd.length);
        return ok(d.docker(all)).out();
    }

    private static String inspect(String format, String image) throws Exception {
        return ok(d.docker("image", "inspect", "-f", format, image)).out().strip();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void everyInstructionAndForm() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/files/remote.txt", ex -> {
            byte[] b = "from the web\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/files/remote.txt";
            Path ctx = context("all", Map.of(
                    "a.txt", "A\n",
                    "b.txt", "B\n",
                    "dir/one", "1\n",
                    "dir/sub/two", "2\n",
                    "Dockerfile", """
                            # syntax=docker/dockerfile:1
                            # escape=\\
                            ARG BASE=busybox
                            FROM ${BASE} AS base
                            MAINTAINER someone@example.com
                            ARG WHO=world
                            ARG VERSION
                            ENV GREETING="hello ${WHO}" \\
                                EMPTY= \\
                                PATH=/opt/bin:$PATH
                            ENV LEGACY legacy form value
                            LABEL org.example.who=$WHO "spaced key"="a value"
                            RUN echo "$GREETING" > /greeting && echo "version=${VERSION:-none}" > /version
                            RUN ["/bin/sh", "-c", "echo exec form > /exec"]
                            RUN <<EOF
                            echo heredoc one > /heredoc
                            echo "who=$WHO" >> /heredoc
                            EOF
                            COPY a.txt b.txt /multi/
                            COPY *.txt /glob/
                            COPY a.txt /renamed.txt
                            COPY dir /copied-dir
                            COPY dir/ /copied-dir-slash/
                            COPY --chown=1234:5678 --chmod=750 a.txt /owned
                            COPY --chown=nobody a.txt /owned-by-name
                            COPY <<EOT /here.txt
                            heredoc file for ${WHO}
                            EOT
                            ADD %s /downloads/
                            ADD layer.tar /unpacked/
                            WORKDIR /work
                            WORKDIR sub
                            RUN pwd > /pwd
                            USER nobody
                            EXPOSE 80 53/udp 8000-8001
                            VOLUME ["/data", "/logs"]
                            STOPSIGNAL SIGINT
                            HEALTHCHECK --interval=5s --timeout=2s --retries=3 CMD wget -q localhost || exit 1
                            SHELL ["/bin/sh", "-ec"]
                            ONBUILD RUN echo triggered > /tmp/onbuild
                            ENTRYPOINT ["/bin/sh", "-c"]
                            CMD ["cat /greeting"]
                            """.formatted(url)));
            // a local tar that ADD unpacks
            Path layerDir = Files.createDirectories(d.dir.resolve("tar-src/inner"));
            Files.writeString(layerDir.resolve("file"), "inside the tar\n");
            ok(Cmd.run(Map.of(), null, "tar", "-czf", ctx.resolve("layer.tar").toString(), "-C", d.dir.resolve("tar-src").toString(), "inner"));

            Cmd.Result r = ok(build(ctx, "-t", "corpus:all", "--build-arg", "VERSION=7", "--build-arg", "UNUSED=1"));
            String out = r.out();
            assertTrue(out.contains("Step 1/33 : ARG BASE=busybox"), out);
            assertTrue(out.contains("Step 33/33 : CMD [\"cat /greeting\"]"), out);
            assertTrue(out.contains("Successfully tagged corpus:all"), out);
            assertTrue(out.contains("[Warning] One or more build-args [UNUSED] were not consumed"), out);
            assertTrue(out.contains(" ---> Running in "), out);
            assertTrue(out.contains(" ---> Removed intermediate container "), out);

            assertEquals("hello world", run("corpus:all", "cat /greeting").strip());
            assertEquals("version=7", run("corpus:all", "cat /version").strip());
            assertEquals("exec form", run("corpus:all", "cat /exec").strip());
            assertEquals("heredoc one\nwho=world", run("corpus:all", "cat /heredoc").strip());
            assertEquals("A\nB", run("corpus:all", "cat /multi/a.txt /multi/b.txt").strip());
            assertEquals("a.txt b.txt", run("corpus:all", "cd /glob && echo *").strip());
            assertEquals("A", run("corpus:all", "cat /renamed.txt").strip());
            assertEquals("1 2", run("corpus:all", "echo $(cat /copied-dir/one /copied-dir/sub/two)").strip());
            assertEquals("one sub", run("corpus:all", "cd /copied-dir-slash && echo *").strip());
            assertEquals("1234:5678 750", run("corpus:all", "stat -c '%u:%g %a' /owned").strip());
            assertEquals("65534:65534", run("corpus:all", "stat -c '%u:%g' /owned-by-name").strip());
            assertEquals("0:0", run("corpus:all", "stat -c '%u:%g' /renamed.txt").strip());
            assertEquals("heredoc file for world", run("corpus:all", "cat /here.txt").strip());
            assertEquals("from the web", run("corpus:all", "cat /downloads/remote.txt").strip());
            assertEquals("600 1445412480", run("corpus:all", "stat -c '%a %Y' /downloads/remote.txt").strip());
            assertEquals("inside the tar", run("corpus:all", "cat /unpacked/inner/file").strip());
            assertEquals("/work/sub", run("corpus:all", "cat /pwd").strip());
            assertEquals("/work/sub nobody", ok(d.docker("run", "--rm", "corpus:all", "echo $(pwd) $(whoami)")).out().strip());
            assertEquals("legacy form value|", run("corpus:all", "echo \"$LEGACY|$EMPTY\"").strip());

            assertEquals("[/bin/sh -c]", inspect("{{.Config.Entrypoint}}", "corpus:all"));
            assertEquals("[cat /greeting]", inspect("{{.Config.Cmd}}", "corpus:all"));
            assertEquals("nobody", inspect("{{.Config.User}}", "corpus:all"));
            assertEquals("/work/sub", inspect("{{.Config.WorkingDir}}", "corpus:all"));
            assertEquals("SIGINT", inspect("{{.Config.StopSignal}}", "corpus:all"));
            assertEquals("map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]", inspect("{{.Config.ExposedPorts}}", "corpus:all"));
            assertEquals("map[/data:{} /logs:{}]", inspect("{{.Config.Volumes}}", "corpus:all"));
            assertEquals("map[org.example.who:world spaced key:a value]", inspect("{{.Config.Labels}}", "corpus:all"));
            assertEquals("[/bin/sh -ec]", inspect("{{.Config.Shell}}", "corpus:all"));
            assertEquals("[RUN echo triggered > /tmp/onbuild]", inspect("{{.Config.OnBuild}}", "corpus:all"));
            assertEquals("{[CMD-SHELL wget -q localhost || exit 1] 5s 2s 0s 0s 3}", inspect("{{.Config.Healthcheck}}", "corpus:all"));
            assertEquals("someone@example.com", inspect("{{.Author}}", "corpus:all"));
            assertTrue(inspect("{{json .Config.Env}}", "corpus:all").contains("\"PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\""));
            // one history row per instruction of the stage (+ the base), layers only for file changes
            String history = ok(d.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", "corpus:all")).out();
            assertEquals(31 + 1, ok(d.docker("history", "-q", "corpus:all")).out().strip().split("\n").length, history);
            assertTrue(history.contains("|2 VERSION=7 WHO=world /bin/sh -c echo \"$GREETING\" > /greeting"), history);
            int layers = Integer.parseInt(inspect("{{len .RootFS.Layers}}", "corpus:all"));
            assertEquals(1 + 4 + 10 + 2, layers); // base, 4 RUN, 10 COPY/ADD, 2 WORKDIR making their directory

            // berth build sends the same context: every step is a cache hit, the same image results
            Cmd.Result berth = ok(d.berth("build", "-t", "corpus:berth", "--build-arg", "VERSION=7", "--build-arg", "UNUSED=1", ctx.toString()));
            assertEquals(31, count(berth.out(), "Using cache"), berth.out());
            assertEquals(inspect("{{.Id}}", "corpus:all"), inspect("{{.Id}}", "corpus:berth"));
            String quiet = ok(d.berth("build", "-q", "--build-arg", "VERSION=7", "--build-arg", "UNUSED=1", ctx.toString())).out().strip();
            assertEquals(inspect("{{.Id}}", "corpus:all"), quiet);

            // the ONBUILD trigger runs in a child build
            Path child = context("child", Map.of("Dockerfile", "FROM corpus:all\nRUN true\n"));
            String childOut = ok(build(child, "-t", "corpus:child")).out();
            assertTrue(childOut.contains("# Executing 1 build trigger"), childOut);
            assertEquals("triggered", run("corpus:child", "cat /tmp/onbuild").strip());
            assertEquals("[]", inspect("{{.Config.OnBuild}}", "corpus:child"));
        } finally {
            http.stop(0);
        }
        assertNoLeftovers();
    }

    @Test
    void cacheIsByContentNotTime() throws Exception {
        Path ctx = context("cache", Map.of(
                "app.txt", "v1\n",
                "Dockerfile", "FROM busybox\nARG N=1\nCOPY app.txt /app.txt\nRUN echo run-$N > /ran\nCMD [\"cat\", \"/app.txt\"]\n"));
        String first = ok(build(ctx, "-t", "cache:1")).out();
        assertEquals(0, count(first, "Using cache"), first);
        String second = ok(build(ctx, "-t", "cache:2")).out();
        assertEquals(4, count(second, "Using cache"), second);
        assertEquals(inspect("{{.Id}}", "cache:1"), inspect("{{.Id}}", "cache:2"));

        // a new mtime with the same content still hits
        Files.setLastModifiedTime(ctx.resolve("app.txt"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals(4, count(ok(build(ctx)).out(), "Using cache"));

        // a build arg the RUN sees misses from the RUN on
        String arg = ok(build(ctx, "--build-arg", "N=2")).out();
        assertEquals(2, count(arg, "Using cache"), arg);

        // new content misses from the COPY on
        Files.writeString(ctx.resolve("app.txt"), "v2\n");
        String changed = ok(build(ctx, "-t", "cache:3")).out();
        assertEquals(1, count(changed, "Using cache"), changed);
        assertEquals("v2", run("cache:3").strip());

        // --no-cache never hits
        assertEquals(0, count(ok(build(ctx, "--no-cache")).out(), "Using cache"));
        assertNoLeftovers();
    }

    @Test
    void multiStageBuildsOnlyWhatTheTargetNeeds() throws Exception {
        Path ctx = context("multi", Map.of("Dockerfile", """
                FROM busybox AS tools
                RUN echo tool > /tool
                FROM busybox AS broken
                RUN echo never-built && exit 9
                FROM tools AS middle
                RUN echo middle > /middle
                FROM busybox
                COPY --from=middle /tool /middle /out/
                COPY --from=0 /tool /tool0
                COPY --from=busybox /etc/passwd /from-image/
                CMD ["cat", "/out/tool", "/out/middle", "/tool0"]
                """));
        String out = ok(build(ctx, "-t", "multi:final")).out();
        assertFalse(out.contains("never-built"), out);
        assertFalse(out.contains("AS broken"), out);
        assertEquals("tool\nmiddle\ntool", run("multi:final").strip());
        assertTrue(run("multi:final", "cat", "/from-image/passwd").contains("nobody:x:65534"), "COPY --from an image");

        ok(build(ctx, "-t", "multi:middle", "--target", "middle"));
        assertEquals("middle", run("multi:middle", "cat", "/middle").strip());

        Cmd.Result failed = build(ctx, "--target", "broken");
        assertEquals(9, failed.code(), failed::toString);
        assertTrue(failed.err().contains("The command '/bin/sh -c echo never-built && exit 9' returned a non-zero code: 9"), failed::toString);
        ok(d.docker("container", "prune", "-f")); // the failed step's container is kept, as dockerd does

        Cmd.Result noTarget = build(ctx, "--target", "nosuch");
        assertNotEquals(0, noTarget.code());
        assertTrue(noTarget.err().contains("failed to reach build target nosuch in Dockerfile"), noTarget::toString);
        assertNoLeftovers();
    }

    @Test
    void dockerignoreAndDockerfileLocation() throws Exception {
        Path ctx = context("ignore", Map.of(
                "keep.txt", "keep\n",
                "secret.key", "secret\n",
                "logs/a.log", "log\n",
                "logs/important.log", "important\n",
                "deep/x/y/z.tmp", "tmp\n",
                ".dockerignore", "*.key\nlogs\n!logs/important.log\n**/*.tmp\nbuild/Dockerfile.custom\n",
                "build/Dockerfile.custom", "FROM busybox\nCOPY . /ctx/\nRUN cd /ctx && find . -type f | sort > /listing\n"));
        ok(build(ctx, "-t", "ignore:1", "-f", ctx.resolve("build/Dockerfile.custom").toString()));
        String listing = run("ignore:1", "cat", "/listing");
        assertEquals(List.of("./.dockerignore", "./keep.txt", "./logs/important.log"), List.of(listing.strip().split("\n")), listing);
        assertNoLeftovers();
    }

    @Test
    void hostileContextsStayInside() throws Exception {
        Path ctx = context("hostile", Map.of("inside.txt", "inside\n", "Dockerfile", "FROM busybox\nCOPY leak /leak\n"));
        Files.createSymbolicLink(ctx.resolve("leak"), Path.of("/etc/shadow"));
        Cmd.Result r = build(ctx);
        assertNotEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("file not found in build context"), r::toString);

        // a symlink that climbs out resolves inside the context
        Files.delete(ctx.resolve("leak"));
        Files.createSymbolicLink(ctx.resolve("leak"), Path.of("../../../../../../inside.txt"));
        ok(build(ctx, "-t", "hostile:link"));
        assertEquals("inside", run("hostile:link", "cat", "/leak").strip());

        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY ../../etc/passwd /p\n");
        Cmd.Result up = build(ctx);
        assertNotEquals(0, up.code());
        assertTrue(up.err().contains("forbidden path outside the build context: ../../etc/passwd"), up::toString);

        // a big file goes through intact
        Path big = ctx.resolve("big.bin");
        try (var ch = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            byte[] chunk = new byte[1 << 20];
            new java.util.Random(7).nextBytes(chunk);
            for (int i = 0; i < 64; i++) ch.write(java.nio.ByteBuffer.wrap(chunk));
        }
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY big.bin /big.bin\n");
        Files.delete(ctx.resolve("leak"));
        ok(build(ctx, "-t", "hostile:big"));
        String sum = ok(Cmd.run(Map.of(), null, "sha256sum", big.toString())).out().split(" ")[0];
        assertEquals(sum, run("hostile:big", "sha256sum", "/big.bin").split(" ")[0]);
        assertNoLeftovers();
    }

    @Test
    void runChangesBecomeLayersWithWhiteoutsAndReproducibleDigests() throws Exception {
        Path ctx = context("layers", Map.of("f", "f\n", "Dockerfile", """
                FROM busybox
                RUN mkdir -p /d && touch /d/a /d/b /gone
                RUN rm /gone /d/a && rm -r /d && mkdir /d && touch /d/c
                COPY f /f
                """));
        ok(build(ctx, "-t", "layers:1", "--build-arg", "SOURCE_DATE_EPOCH=1700000000"));
        assertEquals("c", run("layers:1", "ls", "/d").strip());
        assertNotEquals(0, d.docker("run", "--rm", "layers:1", "ls", "/gone").code());
        String id1 = inspect("{{.Id}}", "layers:1");
        ok(build(ctx, "-t", "layers:2", "--no-cache", "--build-arg", "SOURCE_DATE_EPOCH=1700000000"));
        assertEquals(id1, inspect("{{.Id}}", "layers:2"), "the same inputs and epoch give the same image");

        // without an epoch, a COPY of the same context still gives the same layer
        Path copyOnly = context("copyonly", Map.of("f", "f\n", "Dockerfile", "FROM busybox\nCOPY f /f\n"));
        ok(build(copyOnly, "-t", "copyonly:1"));
        ok(build(copyOnly, "-t", "copyonly:2", "--no-cache"));
        assertEquals(inspect("{{json .RootFS.Layers}}", "copyonly:1"), inspect("{{json .RootFS.Layers}}", "copyonly:2"));
        assertNoLeftovers();
    }

    @Test
    void runHeredocsAndNetworks() throws Exception {
        Path ctx = context("heredocs", Map.of("Dockerfile", """
                FROM busybox
                RUN <<EOF
                #!/bin/sh
                echo "shebang script as $(id -u)" > /shebang
                EOF
                RUN cat <<EOF > /stdin-heredoc
                line one
                EOF
                RUN <<-EOT sh
                	echo tabs stripped > /tabs
                	EOT
                RUN --network=none ip -o link | grep -c : > /links
                """));
        ok(build(ctx, "-t", "heredocs:1"));
        assertEquals("shebang script as 0", run("heredocs:1", "cat", "/shebang").strip());
        assertEquals("line one", run("heredocs:1", "cat", "/stdin-heredoc").strip());
        assertEquals("tabs stripped", run("heredocs:1", "cat", "/tabs").strip());
        assertEquals("1", run("heredocs:1", "cat", "/links").strip(), "RUN without a network sees only lo");
        assertEquals("", run("heredocs:1", "sh", "-c", "ls /tmp").strip(), "the script file is gone");

        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN --mount=type=cache,target=/c true\n");
        Cmd.Result mount = build(ctx);
        assertTrue(mount.err().contains("the --mount option requires BuildKit"), mount::toString);
        assertNoLeftovers();
    }

    @Test
    void fromScratchAndPlatforms() throws Exception {
        Path ctx = context("scratch", Map.of("Dockerfile", """
                FROM --platform=linux/amd64 scratch AS s
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /made && echo from-scratch > /made/it"]
                ENTRYPOINT ["/bin/busybox"]
                CMD ["cat", "/made/it"]
                """));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox")); // Debian's busybox-static (bin/install-deps)
        ok(build(ctx, "-t", "scratch:1", "--platform", "linux/amd64"));
        assertEquals("from-scratch", ok(d.docker("run", "--rm", "scratch:1")).out().strip());
        assertEquals("2", inspect("{{len .RootFS.Layers}}", "scratch:1"));
        assertEquals("amd64 linux", inspect("{{.Architecture}} {{.Os}}", "scratch:1"));

        Cmd.Result arm = build(ctx, "--platform", "linux/arm64");
        assertNotEquals(0, arm.code());
        assertTrue(arm.err().contains("linux/arm64"), arm::toString);
        assertNoLeftovers();
    }

    @Test
    void fromPullsFromARegistry() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
        try (LocalRegistry reg = new LocalRegistry()) {
            Path layout = d.dir.resolve("oci-build");
            LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
            reg.push(layout, "latest", "base/bb:1");
            Path ctx = context("pull", Map.of("Dockerfile", "FROM " + reg.host() + "/base/bb:1\nRUN echo pulled > /p\n"));
            String out = ok(build(ctx, "-t", "pulled:1")).out();
            assertTrue(out.contains("Pulling from base/bb"), out);
            assertEquals("pulled", run("pulled:1", "cat", "/p").strip());
            // --pull asks again (the image is up to date); a registry that is gone fails the build
            ok(build(ctx, "--pull"));
            reg.close();
            Cmd.Result gone = build(ctx, "--pull");
            assertNotEquals(0, gone.code(), gone::toString);
        }
        assertNoLeftovers();
    }

    @Test
    void errorsAreDockers() throws Exception {
        Path ctx = context("errors", Map.of("Dockerfile", "FROM busybox\nRUN true\nBOGUS thing\n"));
        Cmd.Result parse = build(ctx);
        assertNotEquals(0, parse.code());
        assertTrue(parse.err().contains("dockerfile parse error on line 3: unknown instruction: BOGUS"), parse::toString);

        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN echo out && echo err >&2 && exit 3\n");
        int before = ok(d.docker("ps", "-aq")).out().strip().isEmpty() ? 0 : ok(d.docker("ps", "-aq")).out().strip().split("\n").length;
        Cmd.Result fail = build(ctx);
        assertEquals(3, fail.code(), fail::toString);
        assertTrue(fail.out().contains("out"), fail::toString);
        assertTrue(fail.err().contains("The command '/bin/sh -c echo out && echo err >&2 && exit 3' returned a non-zero code: 3"), fail::toString);
        // the failed step's container is kept (rm only after success), as dockerd does
        assertEquals(before + 1, ok(d.docker("ps", "-aq")).out().strip().split("\n").length);
        ok(d.docker("container", "prune", "-f"));

        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY missing.txt /\n");
        Cmd.Result missing = build(ctx);
        assertTrue(missing.err().contains("file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist"), missing::toString);

        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY Dockerfile Dockerfile /nodir\n");
        Cmd.Result multi = build(ctx);
        assertTrue(multi.err().contains("When using COPY with more than one source file, the destination must be a directory and end with a /"), multi::toString);

        Cmd.Result noFile = d.docker("build", "-f", "nope", ctx.toString());
        assertNotEquals(0, noFile.code());
        assertNoLeftovers();
    }

    @Test
    void buildCacheInDfPruneAndRmi() throws Exception {
        Path ctx = context("df", Map.of("x", "x\n", "Dockerfile", "FROM busybox\nCOPY x /x\nRUN echo y > /y\nLABEL stage=df\n"));
        ok(build(ctx, "-t", "df:1"));
        String df = ok(d.docker("system", "df", "--format", "{{.Type}} {{.TotalCount}}")).out();
        Matcher cache = Pattern.compile("Build Cache (\\d+)").matcher(df);
        assertTrue(cache.find() && Integer.parseInt(cache.group(1)) >= 2, df);
        // intermediate images: hidden from images, shown with -a
        String images = ok(d.docker("images", "-q")).out();
        String all = ok(d.docker("images", "-aq")).out();
        assertTrue(all.strip().split("\n").length > images.strip().split("\n").length, all);

        // a rebuild with a new label leaves the old final image dangling; prune removes the dangling cache
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY x /x\nRUN echo y > /y\nLABEL stage=df2\n");
        ok(build(ctx, "-t", "df:1"));
        ok(d.docker("image", "prune", "-f"));
        String pruned = ok(d.docker("builder", "prune", "-f")).out();
        assertTrue(pruned.contains("Total reclaimed space"), pruned);

        // removing the tagged image removes its untagged parents with it
        String rmi = ok(d.docker("rmi", "df:1")).out();
        assertTrue(count(rmi, "Deleted: ") >= 3, rmi);
        assertNoLeftovers();
    }

    @Test
    void aClientThatLeavesCancelsTheBuild() throws Exception {
        Path ctx = context("cancel", Map.of("Dockerfile", "FROM busybox\nRUN echo ru\"\"nning-now && sleep 3171\nRUN touch /never\n"));
        Path log = d.dir.resolve("cancel-build.log");
        ProcessBuilder pb = new ProcessBuilder("/usr/local/bin/docker", "build", "--no-cache", "-t", "cancel:1", ctx.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DOCKER_HOST", d.host());
        Process client = pb.start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(log).contains("running-now") && client.isAlive() && System.nanoTime() < deadline) Thread.sleep(100);
            assertTrue(Files.readString(log).contains("running-now"), () -> "the RUN step started: " + read(log));
            String step = ok(d.docker("ps", "-q", "--no-trunc", "--filter", "status=running")).out().strip();
            assertFalse(step.isEmpty(), "the RUN step's container runs");
            client.destroyForcibly(); // the CLI dies: its connection closes
            client.waitFor();
            // berthd kills and removes the step's container and starts no further step
            deadline = System.nanoTime() + 30_000_000_000L;
            while (d.docker("ps", "-aq", "--no-trunc").out().contains(step) && System.nanoTime() < deadline) Thread.sleep(100);
            assertFalse(d.docker("ps", "-aq", "--no-trunc").out().contains(step), "the cancelled step's container is removed");
            assertNotEquals(0, new ProcessBuilder("pgrep", "-f", "sleep 3171").start().waitFor(), "the step's process is gone");
            assertNotEquals(0, d.docker("image", "inspect", "cancel:1").code(), "no image from a cancelled build");
            assertTrue(d.log().contains("build client went away"), "berthd saw the client leave");
            assertNoLeftovers();
        } finally {
            client.destroyForcibly();
        }
    }

    /** {@code remote=<URL>} as docker-py sends it for a URL path (the docker CLI downloads URL contexts itself). */
    @Test
    void remoteUrlContexts() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3-docker: bin/install-deps --test");
        Path ctx = context("remote", Map.of("Dockerfile", "FROM busybox\nCOPY hello /hello\nCMD [\"cat\", \"/hello\"]\n",
                "hello", "from a remote tar\n"));
        Process tar = new ProcessBuilder("tar", "-C", ctx.toString(), "-cz", ".").redirectErrorStream(true).start();
        byte[] tgz = tar.getInputStream().readAllBytes();
        assertEquals(0, tar.waitFor());
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/ctx.tar.gz", ex -> {
            ex.sendResponseHeaders(200, tgz.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(tgz);
            }
        });
        http.createContext("/Dockerfile", ex -> {
            byte[] b = "FROM busybox\nRUN echo from a remote Dockerfile > /d\nCMD [\"cat\", \"/d\"]\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            Path script = d.dir.resolve("remote_build.py");
            Files.writeString(script, """
                    import sys, docker
                    c = docker.DockerClient(base_url=sys.argv[1], version="auto")
                    for path, tag in ((sys.argv[2] + "/ctx.tar.gz", "remote:tar"), (sys.argv[2] + "/Dockerfile", "remote:dockerfile")):
                        image, logs = c.images.build(path=path, tag=tag)
                        print(tag, image.id)
                    try:
                        c.images.build(path="https://example.invalid/repo.git", tag="remote:git")
                    except docker.errors.APIError as e:
                        print("git:", e.explanation)
                    try:
                        c.images.build(path=sys.argv[2] + "/missing.tar", tag="remote:missing")
                    except (docker.errors.APIError, docker.errors.BuildError) as e:
                        print("missing:", e)
                    """);
            Cmd.Result r = ok(Cmd.run(Map.of("PYTHONPATH", ""), null, "/usr/bin/python3", script.toString(), d.host(), base));
            assertTrue(r.out().contains("remote:tar sha256:") && r.out().contains("remote:dockerfile sha256:"), r::toString);
            assertTrue(r.out().contains("git: git build contexts are not supported"), r::toString);
            assertTrue(r.out().contains("missing:") && r.out().contains("404"), r::toString);
            assertEquals("from a remote tar\n", ok(d.docker("run", "--rm", "remote:tar")).out());
            assertEquals("from a remote Dockerfile\n", ok(d.docker("run", "--rm", "remote:dockerfile")).out());
            try (var s = Files.list(d.dataRoot.resolve("builder/tmp"))) {
                assertEquals(List.of(), s.toList(), "the download is gone");
            }
        } finally {
            http.stop(0);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** No build container, context, view mount or layer temp dir is left behind. */
    private static void assertNoLeftovers() throws Exception {
        Path tmp = d.dataRoot.resolve("builder/tmp");
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList(), "builder temp dir");
        }
        assertEquals(List.of(), Leaks.mountsUnder(d.dataRoot.resolve("builder")));
        try (var s = Files.list(d.dataRoot.resolve("layers/tmp"))) {
            assertEquals(List.of(), s.toList(), "layer temp dir");
        }
        assertEquals("", ok(d.docker("ps", "-aq", "--filter", "status=running")).out().strip());
    }

    static final Pattern ID = Pattern.compile("Successfully built ([0-9a-f]{12})");

    static String builtId(String out) {
        Matcher m = ID.matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }
}
