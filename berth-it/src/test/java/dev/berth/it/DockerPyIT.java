package dev.berth.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-py (Debian's python3-docker) against a real berthd. */
class DockerPyIT {
    private static final String SCRIPT = """
            import sys, time, docker
            c = docker.DockerClient(base_url=sys.argv[1], version="auto")
            assert c.version()["ApiVersion"] == "1.47"
            assert c.info()["Driver"] == "overlay2"
            assert c.containers.run("busybox", ["sh", "-c", "echo hi from py"], remove=True) == b"hi from py\\n"
            ct = c.containers.run("busybox", ["sh", "-c", "echo bg; sleep 30"], detach=True, name="pyd", labels={"a": "b"})
            for _ in range(50):
                if ct.logs() == b"bg\\n":
                    break
                time.sleep(0.1)
            assert ct.logs() == b"bg\\n", ct.logs()
            assert [x.name for x in c.containers.list(filters={"label": "a=b"})] == ["pyd"]
            ct.reload()
            assert ct.status == "running", ct.status
            ct.stop(timeout=1)
            assert ct.wait()["StatusCode"] == 137
            ct.remove()
            assert ["busybox:latest"] in [i.tags for i in c.images.list()]
            try:
                c.containers.get("nope")
                raise AssertionError("expected NotFound")
            except docker.errors.NotFound as e:
                assert "No such container: nope" in str(e.explanation)
            try:
                c.containers.run("busybox", ["nosuchcommand"], remove=True)
                raise AssertionError("expected APIError")
            except docker.errors.APIError as e:
                assert "executable file not found" in str(e.explanation), e.explanation
            # build: docker-py sends its own context tar (with .dockerignore applied client-side too)
            import io, os, tempfile
            ctx = tempfile.mkdtemp()
            with open(os.path.join(ctx, "Dockerfile"), "w") as f:
                f.write("FROM busybox\\nARG MSG\\nCOPY hello.txt /hello.txt\\nRUN echo $MSG >> /hello.txt\\nCMD [\\"cat\\", \\"/hello.txt\\"]\\n")
            with open(os.path.join(ctx, "hello.txt"), "w") as f:
                f.write("hello from docker-py\\n")
            img, logs = c.images.build(path=ctx, tag="pybuilt:1", buildargs={"MSG": "built"}, rm=True)
            assert "pybuilt:1" in img.tags, img.tags
            assert any("Successfully built" in l.get("stream", "") for l in logs), list(logs)
            assert c.containers.run("pybuilt:1", remove=True) == b"hello from docker-py\\nbuilt\\n"
            try:
                c.images.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN exit 4\\n"), rm=True)
                raise AssertionError("expected BuildError")
            except docker.errors.BuildError as e:
                assert "returned a non-zero code: 4" in str(e), e
            print("ok")
            """;

    @Test
    void dockerPyRunsContainers() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3-docker is installed by bin/install-deps --test");
        try (BerthDaemon d = new BerthDaemon()) {
            d.start();
            d.importBusybox();
            Path script = d.dir.resolve("client.py");
            Files.writeString(script, SCRIPT);
            // Debian's python3 and its python3-docker, not a python from the user's PATH
            Cmd.Result r = Cmd.run(Map.of("PYTHONPATH", ""), null, "/usr/bin/python3", script.toString(), d.host());
            assertEquals(0, r.code(), r::toString);
            assertEquals("ok\n", r.out(), r::toString);
        }
    }
}
