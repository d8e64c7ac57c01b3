package dev.berth.daemon.distribution;

import dev.berth.daemon.errors.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for one registry host, from dockerd's {@code certs.d} layout: {@code <dir>/<host:port>/}
 * holds {@code *.crt} CA certificates (trusted besides the host's own CAs) and
 * {@code <name>.cert} + {@code <name>.key} client certificate pairs (PEM keys: PKCS#8, PKCS#1 RSA
 * or SEC 1 EC). Insecure registries skip verification, as dockerd's do, but still present a
 * client certificate.
 */
final class RegistryTls {
    private RegistryTls() {}

    static SSLContext context(String host, List<Path> certsDirs, boolean insecure) {
        try {
            List<X509Certificate> cas = new ArrayList<>();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            int pairs = 0;
            for (Path root : certsDirs) {
                Path dir = root.resolve(host);
                if (!Files.isDirectory(dir)) continue;
                try (var s = Files.list(dir)) {
                    for (Path p : s.sorted().toList()) {
                        String name = p.getFileName().toString();
                        if (name.endsWith(".crt")) cas.addAll(certificates(Files.readAllBytes(p)));
                        if (name.endsWith(".cert")) {
                            Path key = p.resolveSibling(name.substring(0, name.length() - 5) + ".key");
                            if (!Files.exists(key)) {
                                throw BerthException.invalid("missing key " + key.getFileName() + " for client certificate " + name);
                            }
                            List<X509Certificate> chain = certificates(Files.readAllBytes(p));
                            keys.setKeyEntry("client" + pairs++, privateKey(Files.readString(key)), new char[0], chain.toArray(new Certificate[0]));
                        }
                        if (name.endsWith(".key") && !Files.exists(p.resolveSibling(name.substring(0, name.length() - 4) + ".cert"))) {
                            throw BerthException.invalid("missing client certificate " + name.substring(0, name.length() - 4) + ".cert for key " + name);
                        }
                    }
                }
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            TrustManager[] trust;
            if (insecure) {
                trust = new TrustManager[] {new TrustAll()};
            } else {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                sys.init((KeyStore) null);
                int n = 0;
                for (TrustManager tm : sys.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) for (X509Certificate c : x.getAcceptedIssuers()) ts.setCertificateEntry("sys" + n++, c);
                }
                for (X509Certificate c : cas) ts.setCertificateEntry("certs.d" + n++, c);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trust = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trust, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw BerthException.invalid("invalid TLS configuration for registry " + host + ": " + e.getMessage());
        }
    }

    static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** A PEM private key: PKCS#8, PKCS#1 RSA or SEC 1 EC ({@link dev.berth.daemon.util.PemKeys}). */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        return dev.berth.daemon.util.PemKeys.privateKey(pem);
    }

    /**
     * Insecure registries: any certificate and any name, as dockerd's InsecureSkipVerify. It
     * must be an extended trust manager, or the JDK wraps it and still checks the host name.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
