package dev.berth.daemon.util;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * PEM private keys as Go's crypto/tls reads them (so dockerd and docker-registry): PKCS#8
 * ({@code PRIVATE KEY}: RSA, EC or Ed25519), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC 1
 * ({@code EC PRIVATE KEY}, with or without an {@code EC PARAMETERS} block before it); the
 * traditional forms are wrapped into PKCS#8 here. berthd's registry client certificates and
 * berth-registry's TLS both read keys through it.
 */
public final class PemKeys {
    private PemKeys() {}

    public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        byte[] der;
        byte[] pkcs1 = block(pem, "RSA PRIVATE KEY");
        byte[] sec1 = block(pem, "EC PRIVATE KEY");
        if (pkcs1 != null) {
            der = pkcs8(RSA_ALGORITHM, pkcs1); // as `openssl genrsa` (1.x) and many registry guides write it
        } else if (sec1 != null) {
            der = pkcs8(ecAlgorithm(sec1), sec1);
        } else {
            der = block(pem, "PRIVATE KEY");
        }
        if (der == null) throw new GeneralSecurityException("no PEM private key (PKCS#8, RSA or EC)");
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported private key (RSA, EC or Ed25519 expected)");
    }

    /** DER of {@code SEQUENCE {rsaEncryption OID, NULL}}. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** DER of the id-ecPublicKey OID. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private static byte[] block(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf("-----END " + label + "-----");
        if (b < 0 || e < b) return null;
        return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    }

    /** {@code PrivateKeyInfo}: version 0, the algorithm, the key as an OCTET STRING. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = tlv(0x04, key);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return tlv(0x30, body);
    }

    /** SEC 1's ECPrivateKey names its curve in {@code [0]}: the algorithm is id-ecPublicKey with that curve. */
    private static byte[] ecAlgorithm(byte[] sec1) throws GeneralSecurityException {
        int[] pos = {0};
        int[] seq = header(sec1, pos, 0x30);
        int end = pos[0] + seq[1];
        skip(sec1, pos, 0x02); // version
        skip(sec1, pos, 0x04); // the private key
        if (pos[0] < end && (sec1[pos[0]] & 0xff) == 0xa0) {
            int[] params = header(sec1, pos, 0xa0);
            byte[] oid = java.util.Arrays.copyOfRange(sec1, pos[0], pos[0] + params[1]);
            byte[] body = new byte[EC_PUBLIC_KEY.length + oid.length];
            System.arraycopy(EC_PUBLIC_KEY, 0, body, 0, EC_PUBLIC_KEY.length);
            System.arraycopy(oid, 0, body, EC_PUBLIC_KEY.length, oid.length);
            return tlv(0x30, body);
        }
        throw new GeneralSecurityException("the EC key does not name its curve (convert it: openssl pkcs8 -topk8 -nocrypt)");
    }

    /** Reads a tag (which must be {@code tag}) and a length at {@code pos}; returns {tag, length}, pos at the content. */
    private static int[] header(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        if (pos[0] + 2 > der.length || (der[pos[0]] & 0xff) != tag) throw new GeneralSecurityException("malformed DER key");
        pos[0]++;
        int len = der[pos[0]++] & 0xff;
        if (len > 0x80) {
            int n = len & 0x7f;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        if (pos[0] + len > der.length) throw new GeneralSecurityException("malformed DER key");
        return new int[] {tag, len};
    }

    private static void skip(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        int[] h = header(der, pos, tag);
        pos[0] += h[1];
    }

    private static byte[] tlv(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
