package dev.berth.daemon.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} whose reads fail with an {@link IOException} when
 * the server sends nothing for {@code timeout}. The JDK client's request timeout ends when the
 * headers arrive, so without this a registry that stalls mid-blob would hold a pull forever.
 * Closing the stream (or a stall) cancels the subscription, which drops the connection.
 */
final class StallGuardedBody implements HttpResponse.BodyHandler<InputStream> {
    private final Duration timeout;

    StallGuardedBody(Duration timeout) { this.timeout = timeout; }

    @Override
    public HttpResponse.BodySubscriber<InputStream> apply(HttpResponse.ResponseInfo info) {
        return new Body(timeout);
    }

    private static final class Body extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
        private static final Object END = new Object();

        private final Duration timeout;
        /** {@code List<ByteBuffer>} items, a {@link Throwable}, or {@link #END}; at most two items are requested ahead. */
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
        private Iterator<ByteBuffer> items = Collections.emptyIterator();
        private ByteBuffer current;
        private boolean eof;
        private volatile boolean closed;

        Body(Duration timeout) { this.timeout = timeout; }

        @Override public CompletionStage<InputStream> getBody() { return CompletableFuture.completedStage(this); }

        @Override public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
            s.request(1);
        }

        @Override public void onNext(List<ByteBuffer> item) { queue.add(item); }

        @Override public void onError(Throwable t) { queue.add(t); }

        @Override public void onComplete() { queue.add(END); }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override @SuppressWarnings("unchecked")
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) throw new IOException("stream closed");
            if (len == 0) return 0;
            while (current == null || !current.hasRemaining()) {
                if (items.hasNext()) {
                    current = items.next();
                    continue;
                }
                if (eof) return -1;
                Object next;
                try {
                    next = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    close();
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading from the registry");
                }
                if (next == null) {
                    close();
                    throw new IOException("read stalled: no data from the registry for " + RegistryClient.seconds(timeout));
                }
                if (next == END) {
                    eof = true;
                    return -1;
                }
                if (next instanceof Throwable t) {
                    eof = true;
                    throw t instanceof IOException io ? io : new IOException(t);
                }
                items = ((List<ByteBuffer>) next).iterator();
                subscription.join().request(1);
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            subscription.thenAccept(Flow.Subscription::cancel);
        }
    }
}
