package dev.berth.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An {@link SSLContext} from a PEM certificate chain and a PEM private key: PKCS#8 (RSA, EC or
 * Ed25519), or the traditional {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY} forms that
 * docker-registry (Go) also reads, wrapped into PKCS#8 here.
 */
final class Tls {
    private Tls() {}

    static SSLContext context(Path certificate, Path key) throws IOException, GeneralSecurityException {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificate)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        }
        if (chain.length == 0) throw new IllegalArgumentException(certificate + " holds no certificate");
        PrivateKey pk = privateKey(Files.readString(key), key);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = new char[0];
        ks.setKeyEntry("registry", pk, pw, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    static PrivateKey privateKey(String pem, Path file) {
        try {
            return dev.berth.daemon.util.PemKeys.privateKey(pem);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }
}
