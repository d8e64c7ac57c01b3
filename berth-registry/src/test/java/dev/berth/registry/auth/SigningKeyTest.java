package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
    @TempDir Path dir;

    static boolean haveOpenssl() { return Files.isExecutable(Path.of("/usr/bin/openssl")); }

    static void openssl(String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void aMissingKeyIsGeneratedPrivatelyAndReadBackTheSame() throws Exception {
        Path f = dir.resolve("sub/token.pem");
        SigningKey made = SigningKey.loadOrGenerate(f);
        assertEquals("ES256", made.algorithm());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        SigningKey read = SigningKey.loadOrGenerate(f);
        assertEquals(made.publicKey(), read.publicKey());
        assertEquals(made.keyId(), read.keyId());
        assertTrue(made.keyId().matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}"), made.keyId());
        byte[] sig = made.sign("x".getBytes());
        assertEquals(64, sig.length, "JWS ES256 signatures are raw r||s");
        assertTrue(read.verify("x".getBytes(), sig));
    }

    @Test
    void opensslKeysLoad() throws Exception {
        assumeTrue(haveOpenssl(), "openssl not installed");
        Path rsa = dir.resolve("rsa.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa.toString());
        assertEquals("RS256", SigningKey.loadOrGenerate(rsa).algorithm(), "the public half follows from an RSA key");

        Path ec = dir.resolve("ec.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> SigningKey.loadOrGenerate(ec));
        assertTrue(e.getMessage().contains("needs its PUBLIC KEY block"), e.getMessage());
        Path pub = dir.resolve("ec.pub");
        openssl("pkey", "-in", ec.toString(), "-pubout", "-out", pub.toString());
        Files.writeString(ec, Files.readString(ec) + Files.readString(pub));
        SigningKey k = SigningKey.loadOrGenerate(ec);
        assertEquals("ES256", k.algorithm());

        // an openssl-made key's signature verifies with openssl: the JWS ES256 form is not what openssl
        // takes, so check RS256 (PKCS#1 v1.5, same bytes in both worlds)
        SigningKey r = SigningKey.loadOrGenerate(rsa);
        Path data = dir.resolve("data");
        Files.writeString(data, "signed by berth");
        Files.write(dir.resolve("sig"), r.sign(Files.readAllBytes(data)));
        Path rsaPub = dir.resolve("rsa.pub");
        openssl("pkey", "-in", rsa.toString(), "-pubout", "-out", rsaPub.toString());
        openssl("dgst", "-sha256", "-verify", rsaPub.toString(), "-signature", dir.resolve("sig").toString(), data.toString());
    }

    @Test
    void unsuitableKeysAreRefusedClearly() throws Exception {
        assumeTrue(haveOpenssl(), "openssl not installed");
        Path sec1 = dir.resolve("sec1.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1.toString());
        if (Files.readString(sec1).contains("EC PRIVATE KEY")) {
            var e = assertThrows(IllegalArgumentException.class, () -> SigningKey.loadOrGenerate(sec1));
            assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
        }
        Path p384 = dir.resolve("p384.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p384.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> SigningKey.loadOrGenerate(p384));
        assertTrue(e.getMessage().contains("P-256"), e.getMessage());

        SigningKey a = SigningKey.generate();
        SigningKey b = SigningKey.generate();
        String mismatched = a.pem().substring(0, a.pem().indexOf("-----BEGIN PUBLIC KEY")) + b.pem().substring(b.pem().indexOf("-----BEGIN PUBLIC KEY"));
        e = assertThrows(IllegalArgumentException.class, () -> SigningKey.parse(mismatched, "k"));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SigningKey.parse("nothing", "k"));
        assertTrue(e.getMessage().contains("no PEM PRIVATE KEY"), e.getMessage());
    }
}
