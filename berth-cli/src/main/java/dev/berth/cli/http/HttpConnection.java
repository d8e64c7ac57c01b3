package dev.berth.cli.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP/1.1 exchange (or a hijacked raw stream) over one socket. */
public final class HttpConnection implements Closeable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;

    public HttpConnection(SocketChannel channel, String hostHeader) {
        this.channel = channel;
        this.in = new BufferedInputStream(HttpIo.input(channel), 16384);
        this.out = new BufferedOutputStream(HttpIo.output(channel), 16384);
        this.hostHeader = hostHeader;
    }

    private void writeHead(String method, String target, Map<String, String> headers) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(hostHeader).append("\r\n");
        sb.append("User-Agent: Berth-Client/").append(dev.berth.api.ApiVersion.BERTH_VERSION).append(" (linux)\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a request with an optional fixed body (JSON) and reads the response head. */
    public HttpResponse exchange(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        if (body != null) {
            h.putIfAbsent("Content-Type", "application/json");
            h.put("Content-Length", Integer.toString(body.length));
        } else if (method.equals("POST") || method.equals("PUT")) {
            h.put("Content-Length", "0");
        }
        writeHead(method, target, h);
        if (body != null) out.write(body);
        out.flush();
        return HttpResponse.read(in, method, this);
    }

    /**
     * Sends a request whose body is streamed from {@code body} with chunked Transfer-Encoding.
     * If the daemon answers early and closes (e.g. an error), the write failure is swallowed
     * and its response is returned.
     */
    public HttpResponse exchangeStreaming(String method, String target, Map<String, String> headers, InputStream body)
            throws IOException {
        return exchangeStreaming(method, target, headers, new DaemonClient.BodyWriter() {
            @Override
            public void writeTo(OutputStream o) throws IOException { body.transferTo(o); }
        });
    }

    /**
     * As above, with the body produced by {@code body} writing into the chunked stream (e.g. a
     * build context tar made while it is sent). Only a failure to write to the socket is taken
     * as the daemon answering early; other failures of {@code body} propagate.
     */
    public HttpResponse exchangeStreaming(String method, String target, Map<String, String> headers, DaemonClient.BodyWriter body)
            throws IOException {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put("Transfer-Encoding", "chunked");
        writeHead(method, target, h);
        try {
            SocketWriteGuard guarded = new SocketWriteGuard(new ChunkedOutputStream(out));
            try {
                body.writeTo(guarded);
            } catch (IOException e) {
                if (guarded.failure == null) throw new BodyException(e);
                throw e;
            }
            guarded.finish();
        } catch (BodyException notTheSocket) {
            throw notTheSocket;
        } catch (IOException writeFailed) {
            try {
                return HttpResponse.read(in, method, this);
            } catch (IOException readFailed) {
                throw writeFailed;
            }
        }
        return HttpResponse.read(in, method, this);
    }

    /** A failure of the body producer (not of the socket): reported as it is, never as the daemon's answer. */
    public static final class BodyException extends IOException {
        BodyException(IOException cause) { super(cause.getMessage(), cause); }
    }

    /** Remembers whether a write to the socket failed, to tell it apart from a failure of the body's producer. */
    private static final class SocketWriteGuard extends OutputStream {
        private final ChunkedOutputStream out;
        IOException failure;

        SocketWriteGuard(ChunkedOutputStream out) { this.out = out; }

        @Override
        public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        void finish() throws IOException {
            try {
                out.finish();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Writes a request without waiting for the answer (see {@link #readResponse}). */
    public void send(String method, String target, Map<String, String> headers) throws IOException {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        if (method.equals("POST")) h.put("Content-Length", "0");
        writeHead(method, target, h);
        out.flush();
    }

    public HttpResponse readResponse(String method) throws IOException { return HttpResponse.read(in, method, this); }

    /** The buffered socket input: after a 101 answer, the raw hijacked stream. */
    public InputStream rawInput() { return in; }

    public OutputStream rawOutput() { return out; }

    /** Half-close: tells the daemon our side (stdin) is done while we keep reading. */
    public void shutdownOutput() throws IOException {
        out.flush();
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException { channel.close(); }
}
