package dev.berth.daemon.distribution;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How berthd reaches registries, as dockerd does: HTTPS verified against the host's CAs plus
 * {@code certs.d/<host>/ca.crt}, with the client certificate found there; registries listed in
 * {@code insecure-registries} (names or CIDRs) and loopback ones are tried over HTTPS without
 * verification first and then plain HTTP; Docker Hub pulls go to {@code registry-mirrors}
 * first. One HTTP client per registry host, kept for the daemon's life.
 *
 * <p>{@code loopbackOnly} (tests) refuses every non-loopback endpoint before any name lookup.
 */
public final class Registries {
    private static final String HUB_HOST = "registry-1.docker.io";

    private final boolean loopbackOnly;
    private final List<String> insecure;
    private final List<URI> mirrors;
    private final List<Path> certsDirs;
    private final Duration stallTimeout;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, String> bases = new ConcurrentHashMap<>();

    public Registries(boolean loopbackOnly, List<String> insecure, List<String> mirrors, List<Path> certsDirs) {
        this(loopbackOnly, insecure, mirrors, certsDirs, RegistryClient.DEFAULT_STALL_TIMEOUT);
    }

    /** @param stallTimeout how long a registry may send nothing before a request fails (and is retried) */
    public Registries(boolean loopbackOnly, List<String> insecure, List<String> mirrors, List<Path> certsDirs, Duration stallTimeout) {
        this.loopbackOnly = loopbackOnly;
        this.stallTimeout = stallTimeout;
        this.insecure = List.copyOf(insecure);
        List<URI> ms = new ArrayList<>();
        for (String m : mirrors) ms.add(mirrorUri(m));
        this.mirrors = List.copyOf(ms);
        this.certsDirs = List.copyOf(certsDirs);
    }

    /** Only loopback registries, no mirrors, no certs.d: for tests. */
    public static Registries loopbackOnly() {
        return new Registries(true, List.of(), List.of(), List.of());
    }

    /** A mirror URL from daemon.json, checked as dockerd checks it. */
    static URI mirrorUri(String s) {
        URI u;
        try {
            u = URI.create(s.endsWith("/") ? s : s + "/");
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("invalid mirror: \"" + s + "\" is not a valid URI");
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw BerthException.invalid("invalid mirror: unsupported scheme \"" + u.getScheme() + "\" in \"" + s + "\"");
        }
        return u;
    }

    /** The registry for pushes, logins and inspection: never a mirror. */
    public RegistryClient client(String domain, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        String host = domain.equals(ImageRef.DEFAULT_DOMAIN) ? HUB_HOST : domain;
        return new RegistryClient(host, base(host), http(host), credentials, loopbackOnly, stallTimeout);
    }

    /** Where a pull of {@code domain} goes, in order: mirrors (Docker Hub only), then the registry. */
    public List<Endpoint> pullEndpoints(String domain) {
        List<Endpoint> out = new ArrayList<>();
        if (domain.equals(ImageRef.DEFAULT_DOMAIN)) {
            for (URI m : mirrors) out.add(new Endpoint(hostPort(m), m.getScheme() + "://" + hostPort(m), true));
        }
        out.add(new Endpoint(domain.equals(ImageRef.DEFAULT_DOMAIN) ? HUB_HOST : domain, null, false));
        return out;
    }

    /** A place to pull from: a mirror (with its own URL) or the registry itself. */
    public record Endpoint(String host, String base, boolean mirror) {}

    public RegistryClient client(Endpoint e, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        if (e.base() == null) return new RegistryClient(e.host(), base(e.host()), http(e.host()), credentials, loopbackOnly, stallTimeout);
        guard(e.host());
        return new RegistryClient(e.host(), e.base(), http(e.host()), credentials, loopbackOnly, stallTimeout);
    }

    private static String hostPort(URI u) {
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }

    private void guard(String host) {
        if (loopbackOnly && !isLoopback(host)) {
            throw new BerthException.Forbidden("registry " + host + " refused: this daemon only uses loopback registries (--registry-loopback-only)");
        }
    }

    /** https:// for secure registries; for insecure ones whichever answers, HTTPS first, as dockerd. */
    private String base(String host) throws IOException, InterruptedException {
        guard(host);
        String known = bases.get(host);
        if (known != null) return known;
        if (!isInsecure(host)) return "https://" + host;
        String base = "https://" + host;
        try {
            http(host).send(HttpRequest.newBuilder(URI.create(base + "/v2/")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (javax.net.ssl.SSLException | java.net.http.HttpTimeoutException e) {
            base = "http://" + host;
        } catch (IOException e) {
            // refused or reset: plain HTTP is the last resort; its own errors say what is wrong
            base = "http://" + host;
        }
        bases.put(host, base);
        return base;
    }

    boolean isInsecure(String host) {
        if (isLoopback(host)) return true;
        String bare = host.startsWith("[") ? host.substring(1, host.indexOf(']')) : host.replaceFirst(":\\d+$", "");
        for (String entry : insecure) {
            String e = entry.replaceFirst("^https?://", "").replaceFirst("/+$", "");
            if (e.equals(host) || e.equals(bare)) return true;
            if (e.contains("/") && Cidr.contains(e, bare)) return true;
        }
        return false;
    }

    static boolean isLoopback(String hostPort) {
        String h = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']')) : hostPort.replaceFirst(":\\d+$", "");
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    private HttpClient http(String host) {
        return clients.computeIfAbsent(host, h -> {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(15))
                    // a loopback-only daemon must not follow a redirect off the machine (a blob on a CDN)
                    .followRedirects(loopbackOnly ? HttpClient.Redirect.NEVER : HttpClient.Redirect.NORMAL);
            b.sslContext(RegistryTls.context(h, certsDirs, isInsecure(h)));
            return b.build();
        });
    }

    /** IPv4 CIDR membership for IP literals (names are not resolved: no lookups for a check). */
    static final class Cidr {
        private Cidr() {}

        static boolean contains(String cidr, String ip) {
            String[] parts = cidr.split("/");
            long net = ipv4(parts[0]);
            long addr = ipv4(ip);
            if (net < 0 || addr < 0) return false;
            int bits = Integer.parseInt(parts[1]);
            long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
            return (net & mask) == (addr & mask);
        }

        private static long ipv4(String s) {
            String[] o = s.split("\\.");
            if (o.length != 4) return -1;
            long v = 0;
            for (String x : o) {
                if (!x.matches("\\d{1,3}")) return -1;
                int n = Integer.parseInt(x);
                if (n > 255) return -1;
                v = (v << 8) | n;
            }
            return v;
        }
    }
}
