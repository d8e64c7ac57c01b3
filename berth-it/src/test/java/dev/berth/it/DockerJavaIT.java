package dev.berth.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker-java (zerodep transport) against a real berthd. */
class DockerJavaIT {
    static BerthDaemon d;
    static DockerClient client;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        d = new BerthDaemon().start();
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host()))
                .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofSeconds(60)).build();
        client = DockerClientImpl.getInstance(config, http);
        d.importBusybox(); // docker-java's createImageCmd sends the stream as JSON, not as a tar
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) client.close();
        if (d != null) d.close();
    }

    @Test
    void pingVersionInfo() {
        client.pingCmd().exec();
        Version v = client.versionCmd().exec();
        assertEquals("1.47", v.getApiVersion());
        Info info = client.infoCmd().exec();
        assertEquals("overlay2", info.getDriver());
        assertTrue(info.getNCPU() > 0);
        assertTrue(info.getImages() >= 1);
    }

    @Test
    void createStartWaitLogs() throws Exception {
        CreateContainerResponse c = client.createContainerCmd("busybox").withName("dj-echo")
                .withCmd("sh", "-c", "echo to-out; echo to-err >&2; exit 7").exec();
        client.startContainerCmd(c.getId()).exec();
        int code = client.waitContainerCmd(c.getId()).start().awaitStatusCode(30, TimeUnit.SECONDS);
        assertEquals(7, code);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        client.logContainerCmd(c.getId()).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
            @Override public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).append(new String(f.getPayload(), StandardCharsets.UTF_8));
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        assertEquals("to-out\n", out.toString());
        assertEquals("to-err\n", err.toString());
        InspectContainerResponse i = client.inspectContainerCmd("dj-echo").exec();
        assertEquals(7L, i.getState().getExitCodeLong());
        assertEquals("exited", i.getState().getStatus());
        assertEquals("/dj-echo", i.getName());
        assertEquals(List.of("sh", "-c", "echo to-out; echo to-err >&2; exit 7").subList(1, 3), List.of(i.getArgs()));
        client.removeContainerCmd(c.getId()).exec();
        assertThrows(NotFoundException.class, () -> client.inspectContainerCmd(c.getId()).exec());
    }

    @Test
    void attachWithStdinEndsWhenTheProcessExits() throws Exception {
        CreateContainerResponse c = client.createContainerCmd("busybox").withCmd("sh", "-c", "read line; echo got:$line")
                .withStdinOpen(true).withAttachStdin(true).withAttachStdout(true).withAttachStderr(true).exec();
        StringBuilder out = new StringBuilder();
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed);
        var cb = client.attachContainerCmd(c.getId()).withStdIn(in).withStdOut(true).withStdErr(true).withFollowStream(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override public void onNext(Frame f) { out.append(new String(f.getPayload(), StandardCharsets.UTF_8)); }
                });
        cb.awaitStarted(10, TimeUnit.SECONDS);
        client.startContainerCmd(c.getId()).exec();
        feed.write("hello\n".getBytes(StandardCharsets.UTF_8));
        feed.flush();
        // docker-java never half-closes stdin: the attach must end because the process exits.
        assertTrue(cb.awaitCompletion(30, TimeUnit.SECONDS), "attach did not end when the process exited");
        assertEquals("got:hello\n", out.toString());
        feed.close();
        client.removeContainerCmd(c.getId()).withForce(true).exec();
    }

    @Test
    void listFiltersAndConflicts() throws Exception {
        CreateContainerResponse c = client.createContainerCmd("busybox").withName("dj-long").withCmd("sleep", "300")
                .withLabels(java.util.Map.of("app", "dj")).exec();
        client.startContainerCmd(c.getId()).exec();
        List<Container> running = client.listContainersCmd().withLabelFilter(java.util.Map.of("app", "dj")).exec();
        assertEquals(1, running.size());
        assertEquals("running", running.getFirst().getState());
        assertEquals("/dj-long", running.getFirst().getNames()[0]);
        assertThrows(ConflictException.class, () -> client.removeContainerCmd(c.getId()).exec());
        assertThrows(ConflictException.class, () -> client.createContainerCmd("busybox").withName("dj-long").withCmd("true").exec());
        client.stopContainerCmd(c.getId()).withTimeout(1).exec();
        assertEquals(137L, client.inspectContainerCmd(c.getId()).exec().getState().getExitCodeLong());
        client.removeContainerCmd(c.getId()).exec();
        assertEquals(List.of(), Leaks.of(d, c.getId()));
    }

    @Test
    void imagesListAndInspect() {
        List<Image> images = client.listImagesCmd().exec();
        assertTrue(images.stream().anyMatch(i -> i.getRepoTags() != null && List.of(i.getRepoTags()).contains("busybox:latest")));
        var inspect = client.inspectImageCmd("busybox").exec();
        assertEquals("linux", inspect.getOs());
        assertEquals(1, inspect.getRootFS().getLayers().size());
        assertThrows(NotFoundException.class, () -> client.inspectImageCmd("nope:1").exec());
        assertThrows(com.github.dockerjava.api.exception.BadRequestException.class,
                () -> client.createImageCmd("Bad/Name", new ByteArrayInputStream(new byte[0])).exec());
        // what docker-java sends for an import is not a tar: refused, nothing stored
        var bad = assertThrows(com.github.dockerjava.api.exception.BadRequestException.class,
                () -> client.createImageCmd("notatar", new ByteArrayInputStream("hello".getBytes())).exec());
        assertTrue(bad.getMessage().contains("invalid tar header"), bad.getMessage());
        assertThrows(NotFoundException.class, () -> client.inspectImageCmd("notatar").exec());
    }
}
