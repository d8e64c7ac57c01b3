package dev.berth.cli.commands;

import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.HttpConnection;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /containers/{id}/wait?condition=...} registered before the container starts:
 * the daemon answers the headers at once and the body {@code {"StatusCode":N,"Error":...}}
 * when the condition is met. The response is read on a background thread.
 */
final class ExitWaiter {
    private final CountDownLatch headers = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final HttpConnection conn;
    private volatile Object result;
    private volatile IOException failure;

    private ExitWaiter(HttpConnection conn) { this.conn = conn; }

    /**
     * Sends the wait request and returns once its response head arrived (or after a few
     * seconds if a daemon only answers at exit). {@code condition} may be empty (not-running).
     */
    static ExitWaiter start(DaemonClient client, String id, String condition) throws IOException {
        String path = "/containers/" + dev.berth.cli.http.Query.seg(id) + "/wait"
                + (condition.isEmpty() ? "" : "?condition=" + condition);
        ExitWaiter w = new ExitWaiter(client.begin("POST", path));
        Thread t = new Thread(w::read, "berth-wait");
        t.setDaemon(true);
        t.start();
        try {
            w.headers.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (w.failure != null) throw w.failure;
        return w;
    }

    private void read() {
        try {
            HttpResponse r = conn.readResponse("POST");
            headers.countDown();
            r = DaemonClient.checked(r);
            String body = r.bodyString().trim();
            result = body.isEmpty() ? null : Json.parse(body);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException(e.getMessage(), e);
        } finally {
            headers.countDown();
            done.countDown();
            try {
                conn.close();
            } catch (IOException ignored) {
                // already done with it
            }
        }
    }

    /** Waits up to {@code millis} for the result; true when it arrived. */
    boolean await(long millis) {
        try {
            return done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The container's exit status; a wait error ({@code Error.Message}) is an IOException. */
    int statusCode() throws IOException {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (failure != null) throw failure;
        String err = Json.str(result, "Error", "Message");
        if (!err.isEmpty()) throw new IOException("Error waiting for container: " + err);
        return (int) Json.num(result, "StatusCode");
    }

    void cancel() {
        try {
            conn.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
