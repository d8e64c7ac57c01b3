package dev.berth.registry;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.berth.registry.http.PlainHttpServer;
import dev.berth.registry.http.RegistryHttp;
import dev.berth.registry.storage.FsRegistryStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running registry: plain HTTP on {@link PlainHttpServer}, HTTPS on the JDK's server (one
 * virtual thread per exchange), the same handlers on both; the filesystem storage, and the
 * sweeper that cancels upload sessions older than the expiry.
 */
public final class RegistryServer implements AutoCloseable {
    private final AutoCloseable http;
    private final InetSocketAddress address;
    private final ExecutorService executor;
    private final ScheduledExecutorService sweeper;
    private final StorageLock lock;

    private RegistryServer(AutoCloseable http, InetSocketAddress address, ExecutorService executor, ScheduledExecutorService sweeper,
            StorageLock lock) {
        this.http = http;
        this.address = address;
        this.executor = executor;
        this.sweeper = sweeper;
        this.lock = lock;
    }

    public static RegistryServer start(RegistryConfig config, Authorizer authorizer) throws IOException, GeneralSecurityException {
        return start(config, authorizer, null);
    }

    /**
     * Serves the registry; with {@code tokens} (token auth) also Docker's token endpoint at the
     * path of its realm URL (e.g. {@code /token}), outside {@code /v2/}.
     */
    public static RegistryServer start(RegistryConfig config, Authorizer authorizer, dev.berth.registry.auth.TokenService tokens)
            throws IOException, GeneralSecurityException {
        // Small answers (manifests, 202s) go out at once instead of waiting for Nagle's timer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        StorageLock lock = null;
        if (!config.readOnly()) {
            lock = StorageLock.tryAcquire(config.storage());
            if (lock == null) {
                throw new IllegalStateException("storage " + config.storage()
                        + " is in use by another read-write berth-registry or a running gc");
            }
        }
        try {
            Registry registry = new Registry(new FsRegistryStorage(config.storage()));
            HttpHandler handler = new RegistryHttp(registry, authorizer, config.readOnly(), config.deleteEnabled());
            HttpHandler tokenHandler = tokens == null ? null : exchange -> tokenEndpoint(tokens, exchange);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            AutoCloseable http;
            InetSocketAddress address;
            if (config.tlsCertificate() != null) {
                HttpsServer https = HttpsServer.create(config.addr(), 1024);
                https.setHttpsConfigurator(new HttpsConfigurator(Tls.context(config.tlsCertificate(), config.tlsKey())));
                https.setExecutor(executor);
                https.createContext("/", handler);
                if (tokenHandler != null) https.createContext(tokens.path(), tokenHandler);
                https.start();
                http = () -> https.stop(0);
                address = https.getAddress();
            } else {
                PlainHttpServer plain = PlainHttpServer.create(config.addr(), 1024);
                plain.createContext("/", handler);
                if (tokenHandler != null) plain.createContext(tokens.path(), tokenHandler);
                plain.start();
                http = plain;
                address = plain.address();
            }
            ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "upload-sweeper");
                t.setDaemon(true);
                return t;
            });
            if (!config.readOnly()) {
                Duration expiry = config.uploadExpiry();
                long period = Math.max(1000, Math.min(expiry.toMillis() / 4, Duration.ofMinutes(10).toMillis()));
                sweeper.scheduleWithFixedDelay(() -> {
                    try {
                        registry.expireUploads(expiry, Instant.now());
                    } catch (IOException | RuntimeException e) {
                        System.err.println("berth-registry: expiring uploads: " + e);
                    }
                }, period, period, TimeUnit.MILLISECONDS);
            }
            return new RegistryServer(http, address, executor, sweeper, lock);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (lock != null) lock.close();
            throw e;
        }
    }

    private static void tokenEndpoint(dev.berth.registry.auth.TokenService tokens, com.sun.net.httpserver.HttpExchange ex) throws IOException {
        try (ex) {
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> {
                if (!v.isEmpty()) headers.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst());
            });
            byte[] body = ex.getRequestBody().readNBytes(64 * 1024);
            var answer = tokens.handleToken(ex.getRequestMethod(), ex.getRequestURI().getRawQuery(), headers, body);
            answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) ex.getResponseBody().write(answer.body());
        }
    }

    public InetSocketAddress address() { return address; }

    @Override public void close() throws IOException {
        try {
            http.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        sweeper.shutdownNow();
        executor.shutdownNow();
        if (lock != null) lock.close();
    }
}
