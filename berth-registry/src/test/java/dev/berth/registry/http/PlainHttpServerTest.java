package dev.berth.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plain-HTTP server under the registry: framing both ways, keep-alive, and TLS clients told off at once. */
class PlainHttpServerTest {
    private PlainHttpServer server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        server = PlainHttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        // echoes method, path and body; /chunked answers with a chunked body; HEAD gets headers only
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            byte[] answer = (ex.getRequestMethod() + " " + ex.getRequestURI() + " " + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Content-Length", "42");
                ex.sendResponseHeaders(200, -1);
            } else if (ex.getRequestURI().getPath().equals("/chunked")) {
                ex.sendResponseHeaders(200, 0);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(answer, 0, 3);
                    o.write(answer, 3, answer.length - 3);
                }
            } else {
                ex.sendResponseHeaders(201, answer.length);
                ex.getResponseBody().write(answer);
            }
            ex.close();
        });
        server.createContext("/token", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        port = server.address().getPort();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void aTlsClientGetsAPlainTextAnswerAtOnce() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            // the start of a TLS 1.2 ClientHello record, with no end of line anywhere
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4, 0x03, 0x03});
            s.setSoTimeout(30_000);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // ends: the server hung up
            assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
        }
        // so an HTTPS client fails with a TLS error, and can fall back to HTTP, as with distribution
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest https = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/")).timeout(Duration.ofSeconds(30)).build();
        assertThrows(javax.net.ssl.SSLException.class, () -> client.send(https, HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void keepAliveWithFixedAndChunkedBodiesBothWays() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(base + "/a?x=1"))
                .PUT(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode());
        assertEquals("PUT /a?x=1 hello", put.body());
        // a body of unknown length goes chunked
        HttpResponse<String> chunkedIn = client.send(HttpRequest.newBuilder(URI.create(base + "/b"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream("streamed".getBytes()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("POST /b streamed", chunkedIn.body());
        HttpResponse<String> chunkedOut = client.send(HttpRequest.newBuilder(URI.create(base + "/chunked")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("GET /chunked ", chunkedOut.body());
        assertEquals("chunked", chunkedOut.headers().firstValue("Transfer-Encoding").orElse(""));
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create(base + "/h")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("42", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(204, client.send(HttpRequest.newBuilder(URI.create(base + "/token?scope=x")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "the longest prefix wins");
    }

    @Test
    void rawHttp10KeepAliveExpectContinueAndBadRequests() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String first = readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 201 Created\r\n") && first.contains("Connection: keep-alive\r\n"), first);
            assertTrue(first.endsWith("GET /one "), first);
            out.write("PUT /two HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String cont = readResponse(in);
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", cont);
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            String second = readResponse(in);
            assertTrue(second.endsWith("PUT /two abc"), second);
            out.write("garbage\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String bad = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(bad.startsWith("HTTP/1.1 400 Bad Request\r\n"), bad);
        }
    }

    /** One response: the head, then Content-Length bytes of body (none for a 100). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            b.write(c);
        }
        String head = b.toString(StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        if (m.find()) b.write(in.readNBytes(Integer.parseInt(m.group(1))));
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
