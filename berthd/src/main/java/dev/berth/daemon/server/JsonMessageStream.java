package dev.berth.daemon.server;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * dockerd's JSON-message responses (pull, push, load): the chunked stream starts with the first
 * message, so errors found before it are ordinary HTTP errors with {@code {"message"}}; later
 * ones become an {@code errorDetail} line, which the docker CLI prints and exits non-zero on.
 */
final class JsonMessageStream {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(JsonMessageStream.class.getName());
    private JsonMessageStream() {}

    interface Work {
        void run(OutputStream out) throws IOException, InterruptedException;
    }

    static void run(Response res, Work work) throws IOException, InterruptedException {
        LazyStream out = new LazyStream(res);
        try {
            work.run(out);
        } catch (IOException | RuntimeException e) {
            if (!out.started()) throw e;
            // once streaming, every failure must reach the client as an errorDetail: a stream
            // that just ends reads as success to the docker CLI
            if (!(e instanceof BerthException)) LOG.log(java.util.logging.Level.WARNING, "streamed operation failed", e);
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            out.write(Json.line(Map.of("errorDetail", Map.of("message", msg), "error", msg)));
        }
        out.close();
    }

    /** Opens the chunked response on first write. */
    private static final class LazyStream extends OutputStream {
        private final Response res;
        private OutputStream out;

        LazyStream(Response res) { this.res = res; }

        synchronized boolean started() { return out != null; }

        private OutputStream out() throws IOException {
            if (out == null) out = res.stream(200, "application/json");
            return out;
        }

        // synchronized: progress comes from download threads while the handler may write the error
        @Override public synchronized void write(int b) throws IOException { out().write(b); }
        @Override public synchronized void write(byte[] b, int off, int len) throws IOException { out().write(b, off, len); }
        @Override public synchronized void close() throws IOException { out().close(); }
    }
}
