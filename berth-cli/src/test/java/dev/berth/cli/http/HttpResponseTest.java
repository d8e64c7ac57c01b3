package dev.berth.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpResponseTest {
    private static HttpResponse parse(String raw, String method) throws IOException {
        return HttpResponse.read(raw.getBytes(StandardCharsets.ISO_8859_1), method);
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() throws IOException {
        HttpResponse r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                + "4;ext=1\r\n{\"St\r\n0b\r\natusCode\":0\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n", "POST");
        assertEquals(200, r.status());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("{\"StatusCode\":0}", r.bodyString());
    }

    @Test
    void contentLengthStopsAtTheEnd() throws IOException {
        HttpResponse r = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhelloEXTRA", "GET");
        assertEquals(404, r.status());
        assertEquals("hello", r.bodyString());
    }

    @Test
    void readUntilCloseWithoutFraming() throws IOException {
        assertEquals("stream", parse("HTTP/1.1 200 OK\r\n\r\nstream", "GET").bodyString());
    }

    @Test
    void interimContinueIsSkippedAndHeadHasNoBody() throws IOException {
        HttpResponse r = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", "POST");
        assertEquals(204, r.status());
        assertEquals("", r.bodyString());
    }

    @Test
    void bytesAfterAnUpgradeStayInTheStream() throws IOException {
        InputStream in = new BufferedInputStream(new ByteArrayInputStream(
                "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nRAW".getBytes(StandardCharsets.US_ASCII)));
        HttpResponse r = HttpResponse.read(in, "POST", () -> {});
        assertEquals(101, r.status());
        assertEquals("RAW", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void truncatedChunkIsAnError() throws IOException {
        HttpResponse r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", "GET");
        assertThrows(IOException.class, r::bodyString);
    }

    @Test
    void chunkedOutputRoundTrip() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ChunkedOutputStream out = new ChunkedOutputStream(buf);
        out.write("hello ".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[0]);
        out.write("world".getBytes(StandardCharsets.US_ASCII));
        out.finish();
        assertEquals("6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", buf.toString(StandardCharsets.US_ASCII));
        InputStream in = new ChunkedInputStream(new BufferedInputStream(new ByteArrayInputStream(buf.toByteArray())));
        assertEquals("hello world", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void errorMessageFromJsonBody() {
        assertEquals("No such container: x", DaemonClient.errorMessage(404, "Not Found", "{\"message\":\"No such container: x\"}\n"));
        assertEquals("plain text", DaemonClient.errorMessage(500, "Internal", "plain text\n"));
        assertEquals("500 Internal", DaemonClient.errorMessage(500, "Internal", ""));
    }

    @Test
    void endpoints() {
        assertEquals("/run/berth/berth.sock", Endpoint.parse(Endpoint.DEFAULT).unixPath());
        Endpoint tcp = Endpoint.parse("tcp://127.0.0.1:2375");
        assertEquals("127.0.0.1", tcp.host());
        assertEquals(2375, tcp.port());
        assertEquals(2376, Endpoint.parse("tcp://[::1]:2376").port());
    }
}
