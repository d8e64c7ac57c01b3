package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code berth build} and {@code builder prune} side by side with docker CLI 28's legacy build
 * on the same berthd: the same context (with .dockerignore, a Dockerfile outside the context,
 * a Dockerfile on stdin) gives the same output (cache and intermediate-container lines aside),
 * the same image ID (the second build hits the first one's cache) and the same exit code for a
 * failing RUN.
 */
class BerthBuildCliIT extends BusyboxDaemonTest {
    static final String LEGACY_NOTICE = """
            DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
                        Install the buildx component to build images with BuildKit:
                        https://docs.docker.com/go/buildx/

            """;

    /** Output with the parts that differ per build (container IDs) blanked. */
    private static String normal(String s) {
        return s.replace(LEGACY_NOTICE, "").replaceAll("(?m)^ ---> (Using cache|Running in [0-9a-f]{12}|Removed intermediate container [0-9a-f]{12})\n", "");
    }

    private static Path context() throws Exception {
        Path ctx = Files.createDirectories(d.dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM busybox
                COPY . /ctx/
                RUN test -f /ctx/a.txt && ! test -e /ctx/ign && ! test -e /ctx/x.log
                LABEL k=v
                """);
        Files.writeString(ctx.resolve("a.txt"), "hi\n");
        Files.createDirectories(ctx.resolve("ign"));
        Files.writeString(ctx.resolve("ign/f"), "no\n");
        Files.writeString(ctx.resolve("x.log"), "no\n");
        Files.writeString(ctx.resolve(".dockerignore"), "ign\n*.log\n");
        return ctx;
    }

    @Test
    void sameOutputAndImageAsDocker() throws Exception {
        Path ctx = context();
        Cmd.Result docker = ok(d.docker("build", "-t", "built:docker", ctx.toString()));
        Cmd.Result berth = ok(d.berth("build", "-t", "built:berth", ctx.toString()));
        assertEquals(normal(docker.out()).replace("built:docker", "X"), normal(berth.out()).replace("built:berth", "X"), berth.toString());
        assertEquals("", berth.err());
        assertTrue(berth.out().startsWith("Sending build context to Docker daemon"), berth.out());

        Cmd.Result dq = ok(d.docker("build", "-q", ctx.toString()));
        Cmd.Result bq = ok(d.berth("build", "-q", ctx.toString()));
        assertTrue(bq.out().matches("sha256:[0-9a-f]{64}\n"), bq.out());
        assertEquals(dq.out(), bq.out(), "the cached build is the same image");
    }

    @Test
    void dockerfileFromOutsideAndFromStdin() throws Exception {
        Path ctx = context();
        Path outside = d.dir.resolve("Dockerfile.outside");
        Files.writeString(outside, "FROM busybox\nRUN test -f /etc/passwd\nLABEL outside=1\n");
        Cmd.Result berth = ok(d.berth("build", "-q", "-f", outside.toString(), ctx.toString()));
        assertEquals("1\n", ok(d.berth("image", "inspect", "-f", "{{index .Config.Labels \"outside\"}}", berth.out().strip())).out());
        // docker 28 sends this context without the tar's final padding and end blocks; berthd
        // completes such a tar as dockerd does (build.TarTail)
        Cmd.Result docker = ok(d.docker("build", "-q", "-f", outside.toString(), ctx.toString()));
        assertEquals(berth.out(), docker.out(), "the same context and Dockerfile give the same image");

        Cmd.Result stdinDocker = ok(d.dockerIn("FROM busybox\nLABEL stdin=1\n", "build", "-q", "-"));
        Cmd.Result stdinBerth = ok(d.berthIn("FROM busybox\nLABEL stdin=1\n", "build", "-q", "-"));
        assertEquals(stdinDocker.out(), stdinBerth.out());

        // -f - with a directory: the same cut-short tar from docker
        Cmd.Result dashF = ok(d.berthIn("FROM busybox\nCOPY a.txt /\nLABEL dash=f\n", "build", "-q", "-f", "-", ctx.toString()));
        Cmd.Result dashFDocker = ok(d.dockerIn("FROM busybox\nCOPY a.txt /\nLABEL dash=f\n", "build", "-q", "-f", "-", ctx.toString()));
        assertEquals(dashF.out(), dashFDocker.out());
        assertEquals("f\n", ok(d.berth("image", "inspect", "-f", "{{index .Config.Labels \"dash\"}}", dashF.out().strip())).out());
        ok(d.berth("run", "--rm", dashF.out().strip(), "test", "-f", "/a.txt"));
    }

    @Test
    void failingRunExitsWithItsCode() throws Exception {
        Path ctx = Files.createDirectories(d.dir.resolve("failing"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nRUN exit 3\n");
        Cmd.Result docker = d.docker("build", ctx.toString());
        Cmd.Result berth = d.berth("build", ctx.toString());
        assertEquals(docker.code(), berth.code(), berth.toString());
        assertEquals(normal(docker.err()), berth.err());
        assertEquals(normal(docker.out()), normal(berth.out()));
    }

    @Test
    void builderPruneLikeDocker() throws Exception {
        Cmd.Result berth = ok(d.berth("builder", "prune", "-f"));
        Cmd.Result docker = ok(d.docker("builder", "prune", "-f"));
        assertTrue(berth.out().endsWith("Total reclaimed space: 0B\n") || berth.out().startsWith("Deleted build cache objects:"), berth.out());
        assertEquals("Total reclaimed space: 0B\n", docker.out(), "nothing left after berth's prune");
    }
}
