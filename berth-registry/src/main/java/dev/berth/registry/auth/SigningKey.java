package dev.berth.registry.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token service's key pair: ES256 (EC P-256) or RS256 (RSA, 2048 bits or more), in one PEM
 * file holding a PKCS#8 {@code PRIVATE KEY} block and an X.509 {@code PUBLIC KEY} block (the
 * public block may be left out for RSA: it follows from the private key). A missing file is
 * created with a fresh EC P-256 pair, mode 0600, written atomically. {@link #keyId()} is the
 * libtrust key ID that distribution's token verifier matches a token's {@code kid} against.
 */
public record SigningKey(String algorithm, PrivateKey privateKey, PublicKey publicKey) {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    public SigningKey {
        if (!algorithm.equals("ES256") && !algorithm.equals("RS256")) throw new IllegalArgumentException("unsupported algorithm " + algorithm);
    }

    public static SigningKey generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            return new SigningKey("ES256", pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    /** Loads {@code path}, or generates a key and writes it there when the file does not exist. */
    public static SigningKey loadOrGenerate(Path path) {
        if (!Files.exists(path)) {
            SigningKey key = generate();
            try {
                key.write(path);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write the token signing key " + path + ": " + e.getMessage(), e);
            }
            return key;
        }
        try {
            return parse(Files.readString(path, StandardCharsets.US_ASCII), path.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the token signing key " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads the PEM text; {@code source} names it in errors. */
    public static SigningKey parse(String pem, String source) {
        Map<String, byte[]> blocks = new LinkedHashMap<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) blocks.put(m.group(1), Base64.getMimeDecoder().decode(m.group(2)));
        if (blocks.containsKey("EC PRIVATE KEY") || blocks.containsKey("RSA PRIVATE KEY")) {
            throw new IllegalArgumentException("token signing key " + source + " is in the traditional (SEC1/PKCS#1) format;"
                    + " convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW, then append: openssl pkey -in NEW -pubout");
        }
        if (blocks.containsKey("ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException("token signing key " + source + " is encrypted; give an unencrypted PKCS#8 key");
        }
        byte[] der = blocks.get("PRIVATE KEY");
        if (der == null) throw new IllegalArgumentException("token signing key " + source + " has no PEM PRIVATE KEY block");
        try {
            PrivateKey priv = privateKey(der, source);
            PublicKey pub;
            if (blocks.containsKey("PUBLIC KEY")) {
                pub = KeyFactory.getInstance(priv.getAlgorithm()).generatePublic(new X509EncodedKeySpec(blocks.get("PUBLIC KEY")));
            } else if (priv instanceof RSAPrivateCrtKey rsa) {
                pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            } else {
                throw new IllegalArgumentException("token signing key " + source + " needs its PUBLIC KEY block too (openssl pkey -in "
                        + source + " -pubout >> " + source + ")");
            }
            SigningKey key = new SigningKey(priv instanceof ECPrivateKey ? "ES256" : "RS256", priv, pub);
            key.checkPair(source);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("token signing key " + source + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] der, String source) throws GeneralSecurityException {
        for (String alg : new String[] {"EC", "RSA"}) {
            try {
                PrivateKey k = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                if (k instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IllegalArgumentException("token signing key " + source + " is an EC key on a curve other than P-256 (ES256 needs P-256)");
                }
                if (k instanceof RSAPrivateCrtKey rsa && rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("token signing key " + source + " is an RSA key shorter than 2048 bits");
                }
                return k;
            } catch (java.security.spec.InvalidKeySpecException notThisType) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("token signing key " + source + " is neither an EC nor an RSA PKCS#8 key");
    }

    private void checkPair(String source) throws GeneralSecurityException {
        byte[] probe = "berth-registry key check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(probe, sign(probe))) {
            throw new IllegalArgumentException("token signing key " + source + ": the PUBLIC KEY block does not belong to the private key");
        }
    }

    String jcaAlgorithm() {
        return algorithm.equals("ES256") ? "SHA256withECDSAinP1363Format" : "SHA256withRSA";
    }

    /** A JWS signature: for ES256 the raw 64-byte r||s that JWS wants, not DER. */
    public byte[] sign(byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(jcaAlgorithm());
        s.initSign(privateKey);
        s.update(data);
        return s.sign();
    }

    public boolean verify(byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(jcaAlgorithm());
            s.initVerify(publicKey);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a wrong one
        }
    }

    /**
     * libtrust's key ID: SHA-256 of the DER public key, the first 240 bits in base32, as
     * twelve groups of four joined by colons.
     */
    public String keyId() {
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            String b32 = base32(java.util.Arrays.copyOf(sum, 30));
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < b32.length(); i += 4) {
                if (i > 0) out.append(':');
                out.append(b32, i, i + 4);
            }
            return out.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0, bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        return out.toString();
    }

    public String pem() {
        return block("PRIVATE KEY", privateKey.getEncoded()) + block("PUBLIC KEY", publicKey.getEncoded());
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    void write(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".key-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, pem(), StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm + " " + keyId() + "]";
    }

}
