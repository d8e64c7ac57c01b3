package dev.berth.it;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The HTTP edge, byte by byte: ping headers, versions, status codes and bodies for bad input. */
class ApiIT extends BusyboxDaemonTest {
    /** Sends one raw request (Connection: close) and returns the whole raw response. */
    static String raw(String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(d.socket));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            ch.shutdownOutput(); // a client that sent everything it will send
            InputStream in = Channels.newInputStream(ch);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

    static String req(String method, String path, String body) throws IOException {
        String b = body == null ? "" : body;
        return raw(method + " " + path + " HTTP/1.1\r\nHost: berth\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b);
    }

    @Test
    void pingAnswersGetAndHeadWithDockerHeaders() throws Exception {
        String get = req("GET", "/_ping", null);
        assertTrue(get.startsWith("HTTP/1.1 200 OK"), get);
        assertTrue(get.contains("Api-Version: 1.47"), get);
        assertTrue(get.contains("Builder-Version: 1"), get);
        assertTrue(get.contains("Ostype: linux"), get);
        assertTrue(get.endsWith("\r\n\r\nOK"), get);
        String head = req("HEAD", "/_ping", null);
        assertTrue(head.startsWith("HTTP/1.1 200 OK") && head.contains("Api-Version: 1.47") && head.endsWith("\r\n\r\n"), head);
        assertTrue(req("GET", "/v1.24/_ping", null).startsWith("HTTP/1.1 200"));
    }

    @Test
    void versionsOutOfRangeAre400() throws Exception {
        String old = req("GET", "/v1.12/version", null);
        assertTrue(old.startsWith("HTTP/1.1 400"), old);
        assertTrue(old.contains("client version 1.12 is too old. Minimum supported API version is 1.24"), old);
        String young = req("GET", "/v1.99/version", null);
        assertTrue(young.contains("client version 1.99 is too new. Maximum supported API version is 1.47"), young);
        assertTrue(req("GET", "/v1.47/version", null).contains("\"ApiVersion\":\"1.47\""));
    }

    @Test
    void unknownRoutesAndBadBodies() throws Exception {
        String nf = req("GET", "/v1.47/nothing/here", null);
        assertTrue(nf.startsWith("HTTP/1.1 404") && nf.contains("{\"message\":\"page not found\"}"), nf);
        String malformed = req("POST", "/v1.47/containers/create", "{\"Image\": \"busybox\", ");
        assertTrue(malformed.startsWith("HTTP/1.1 400") && malformed.contains("\"message\":\"invalid JSON"), malformed);
        String noImage = req("POST", "/v1.47/containers/create", "{\"Image\":\"ghost\",\"Cmd\":[\"true\"]}");
        assertTrue(noImage.startsWith("HTTP/1.1 404") && noImage.contains("No such image: ghost:latest"), noImage);
        String badRef = req("POST", "/v1.47/containers/create", "{\"Image\":\"UPPER/case\",\"Cmd\":[\"true\"]}");
        assertTrue(badRef.startsWith("HTTP/1.1 4"), badRef);
        String noCmd = req("POST", "/v1.47/containers/create", "{\"Image\":\"busybox\"}");
        assertTrue(noCmd.startsWith("HTTP/1.1 400") && noCmd.contains("no command specified"), noCmd);
        String badSignal = req("POST", "/v1.47/containers/create", "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"StopSignal\":\"SIGNOPE\"}");
        assertTrue(badSignal.startsWith("HTTP/1.1 400") && badSignal.contains("Invalid signal: SIGNOPE"), badSignal);
        String badFilter = req("GET", "/v1.47/containers/json?filters=%7Bnot-json", null);
        assertTrue(badFilter.startsWith("HTTP/1.1 400"), badFilter);
        String badWait = req("POST", "/v1.47/containers/nosuch/wait", null);
        assertTrue(badWait.startsWith("HTTP/1.1 404") && badWait.contains("No such container: nosuch"), badWait);
        String truncated = raw("POST /v1.47/containers/create HTTP/1.1\r\nHost: b\r\nContent-Length: 100\r\n\r\n{\"Image\":");
        assertTrue(truncated.startsWith("HTTP/1.1 400") && truncated.contains("truncated"), truncated);
    }

    @Test
    void stopOfStoppedIs304AndStartOfRunningIs304() throws Exception {
        String created = req("POST", "/v1.47/containers/create?name=api304", "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"60\"]}");
        assertTrue(created.startsWith("HTTP/1.1 201") && created.contains("\"Warnings\":[]"), created);
        assertTrue(req("POST", "/v1.47/containers/api304/stop", null).startsWith("HTTP/1.1 304"));
        assertTrue(req("POST", "/v1.47/containers/api304/start", null).startsWith("HTTP/1.1 204"));
        assertTrue(req("POST", "/v1.47/containers/api304/start", null).startsWith("HTTP/1.1 304"));
        String conflict = req("DELETE", "/v1.47/containers/api304", null);
        assertTrue(conflict.startsWith("HTTP/1.1 409") && conflict.contains("container is running"), conflict);
        assertTrue(req("DELETE", "/v1.47/containers/api304?force=1", null).startsWith("HTTP/1.1 204"));
        assertTrue(req("GET", "/v1.47/containers/api304/json", null).startsWith("HTTP/1.1 404"));
    }

    @Test
    void waitConditionsAndAttachWithoutUpgrade() throws Exception {
        req("POST", "/v1.47/containers/create?name=apiwait", "{\"Image\":\"busybox\",\"Cmd\":[\"sh\",\"-c\",\"echo hi; exit 2\"]}");
        String bad = req("POST", "/v1.47/containers/apiwait/wait?condition=whenever", null);
        assertTrue(bad.startsWith("HTTP/1.1 400"), bad);
        // not-running on a created container answers at once
        assertTrue(req("POST", "/v1.47/containers/apiwait/wait", null).contains("{\"StatusCode\":0}"));
        // a plain (non-upgrade) attach gets a 200 raw stream that ends when the process exits
        String attachedText;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(d.socket));
            OutputStream out = Channels.newOutputStream(ch);
            out.write("POST /v1.47/containers/apiwait/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: b\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            ch.shutdownOutput();
            InputStream in = Channels.newInputStream(ch);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            // the head comes once the attach is in place: only then start the container
            while (!buf.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int c = in.read();
                assertNotEquals(-1, c, buf::toString);
                buf.write(c);
            }
            assertTrue(req("POST", "/v1.47/containers/apiwait/start", null).startsWith("HTTP/1.1 204"));
            in.transferTo(buf);
            attachedText = buf.toString(StandardCharsets.UTF_8);
        }
        String[] attached = {attachedText};
        assertNotNull(attached[0]);
        assertTrue(attached[0].startsWith("HTTP/1.1 200") && attached[0].contains("application/vnd.docker.multiplexed-stream"), attached[0]);
        assertTrue(attached[0].endsWith("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003hi\n"), attached[0]);
        String logs = req("GET", "/v1.47/containers/apiwait/logs?stdout=1&timestamps=1", null);
        assertTrue(logs.contains("Z hi\n"), logs);
        assertTrue(req("GET", "/v1.47/containers/apiwait/logs", null).startsWith("HTTP/1.1 400"));
        assertTrue(req("POST", "/v1.47/containers/apiwait/wait?condition=not-running", null).contains("{\"StatusCode\":2}"));
        req("DELETE", "/v1.47/containers/apiwait", null);
    }

    @Test
    void logsWindowsAndAttachReplay() throws Exception {
        req("POST", "/v1.47/containers/create?name=apilogs", "{\"Image\":\"busybox\",\"Cmd\":[\"sh\",\"-c\",\"echo one; sleep 1.2; echo two; echo three\"]}");
        long before = System.currentTimeMillis();
        assertTrue(req("POST", "/v1.47/containers/apilogs/start", null).startsWith("HTTP/1.1 204"));
        assertTrue(req("POST", "/v1.47/containers/apilogs/wait", null).contains("{\"StatusCode\":0}"));
        String all = req("GET", "/v1.47/containers/apilogs/logs?stdout=1", null);
        assertTrue(all.contains("one\n") && all.contains("two\n") && all.contains("three\n"), all);
        String tail = req("GET", "/v1.47/containers/apilogs/logs?stdout=1&tail=1", null);
        assertTrue(tail.contains("three\n") && !tail.contains("two\n") && !tail.contains("one\n"), tail);
        String cut = String.format("%.3f", (before + 600) / 1000.0);
        String since = req("GET", "/v1.47/containers/apilogs/logs?stdout=1&since=" + cut, null);
        assertTrue(since.contains("two\n") && !since.contains("one\n"), since);
        String until = req("GET", "/v1.47/containers/apilogs/logs?stdout=1&until=" + cut, null);
        assertTrue(until.contains("one\n") && !until.contains("two\n"), until);
        String noStderr = req("GET", "/v1.47/containers/apilogs/logs?stderr=1", null);
        assertFalse(noStderr.contains("one"), noStderr);
        // attach with logs=1 and stream=0 replays the log and ends
        String replay = raw("POST /v1.47/containers/apilogs/attach?logs=1&stream=0&stdout=1 HTTP/1.1\r\nHost: b\r\n\r\n");
        assertTrue(replay.contains("one\n") && replay.contains("three\n"), replay);
        req("DELETE", "/v1.47/containers/apilogs", null);
    }

    @Test
    void listsWithLimitSizeAndImageFilters() throws Exception {
        for (String n : new String[] {"apil1", "apil2", "apil3"}) {
            req("POST", "/v1.47/containers/create?name=" + n, "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
        }
        String limited = req("GET", "/v1.47/containers/json?all=1&limit=2", null);
        assertEquals(2, limited.split("\"Id\"").length - 1, limited);
        String sized = req("GET", "/v1.47/containers/json?all=1&size=1&filters=%7B%22name%22%3A%7B%22apil1%22%3Atrue%7D%7D", null);
        assertTrue(sized.contains("\"SizeRw\":0") && sized.contains("\"SizeRootFs\""), sized);
        String ref = req("GET", "/v1.47/images/json?filters=%7B%22reference%22%3A%7B%22busy*%22%3Atrue%7D%7D", null);
        assertTrue(ref.contains("busybox:latest"), ref);
        String none = req("GET", "/v1.47/images/json?filters=%7B%22reference%22%3A%7B%22nothing*%22%3Atrue%7D%7D", null);
        assertTrue(none.contains("\r\n\r\n[]"), none);
        String dangling = req("GET", "/v1.47/images/json?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D", null);
        assertTrue(dangling.contains("\r\n\r\n[]"), dangling);
        String badFilter = req("GET", "/v1.47/images/json?filters=%7B%22color%22%3A%7B%22red%22%3Atrue%7D%7D", null);
        assertTrue(badFilter.startsWith("HTTP/1.1 400"), badFilter);
        for (String n : new String[] {"apil1", "apil2", "apil3"}) req("DELETE", "/v1.47/containers/" + n, null);
    }
}
