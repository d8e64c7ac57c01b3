package dev.berth.registry.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An htpasswd file of bcrypt entries, as {@code htpasswd -B} writes them ({@code user:$2y$05$...}).
 * Other hash types (MD5 {@code $apr1$}, {@code {SHA}}, crypt, SHA-crypt, plain text) are refused
 * when the file is read, naming the line: accepting them would silently lock those users out.
 *
 * <p>Like distribution, the file is read again when it changes (size or modification time); a
 * change that does not parse keeps the last good table. Verification costs one bcrypt run
 * whether or not the user exists, so the answer's timing does not tell which users exist; a
 * successful check is remembered (a salted SHA-256 of the password, tied to the entry's hash) so
 * a client sending the same Basic header on every request pays bcrypt once.
 */
public final class Htpasswd {

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    /** Apache's htpasswd and OpenBSD's bcrypt use the first 72 bytes of a password. */
    private static final BCrypt.Verifyer VERIFYER =
            BCrypt.verifyer(BCrypt.Version.VERSION_2Y, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));

    private final Path path;
    private final byte[] cacheSalt = new byte[32];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private volatile Table table;

    private record Table(Map<String, String> hashes, FileTime modified, long size) {}

    private Htpasswd(Path path, Table table) {
        this.path = path;
        this.table = table;
        new SecureRandom().nextBytes(cacheSalt);
    }

    /** Reads {@code path}; {@link IllegalArgumentException} naming the line when an entry is not bcrypt. */
    public static Htpasswd load(Path path) {
        try {
            return new Htpasswd(path, read(path));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read htpasswd file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The entries of an htpasswd text; {@code source} names it in errors. */
    public static Map<String, String> parse(String text, String source) {
        Map<String, String> hashes = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = "htpasswd " + source + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException(where + ": expected user:hash");
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            String kind = kindOf(hash);
            if (kind != null) {
                throw new IllegalArgumentException(where + ": user \"" + user + "\" has " + kind
                        + "; only bcrypt entries are supported (make them with htpasswd -B)");
            }
            hashes.put(user, hash); // as distribution: a later line for the same user wins
        }
        return hashes;
    }

    /** Null for a well-formed bcrypt hash, else what the hash is, for the error. */
    static String kindOf(String hash) {
        if (BCRYPT.matcher(hash).matches()) return null;
        if (hash.startsWith("$2x$")) return "a $2x$ hash (crypt_blowfish's compatibility mode for its old bug)";
        if (hash.startsWith("$2")) return "a malformed bcrypt hash";
        if (hash.startsWith("$apr1$")) return "an MD5 ($apr1$) hash";
        if (hash.startsWith("{SHA}")) return "a SHA-1 ({SHA}) hash";
        if (hash.startsWith("$5$") || hash.startsWith("$6$")) return "a SHA-crypt (" + hash.substring(0, 3) + ") hash";
        if (hash.startsWith("$1$")) return "an MD5-crypt ($1$) hash";
        if (hash.length() == 13) return "a DES crypt hash";
        return "an unknown hash type (or a plain-text password)";
    }

    public Path path() { return path; }

    /** The user's current bcrypt hash, if the user is in the file (a refresh token is bound to it). */
    public Optional<String> hashOf(String user) {
        return Optional.ofNullable(current().hashes.get(user));
    }

    /** True when {@code user} is in the file and {@code password} matches its bcrypt hash. */
    public boolean verify(String user, String password) {
        Table t = current();
        String hash = t.hashes.get(user);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (hash == null) {
            // an unknown user costs what a known one costs: verify against some entry's hash
            t.hashes.values().stream().findFirst()
                    .ifPresent(any -> VERIFYER.verify(pw, any.getBytes(StandardCharsets.US_ASCII)));
            return false;
        }
        byte[] fingerprint = fingerprint(user, pw, hash);
        byte[] known = verified.get(user);
        if (known != null && MessageDigest.isEqual(known, fingerprint)) return true;
        boolean ok = VERIFYER.verify(pw, hash.getBytes(StandardCharsets.US_ASCII)).verified;
        if (ok) {
            if (verified.size() > 10_000) verified.clear();
            verified.put(user, fingerprint);
        }
        return ok;
    }

    private byte[] fingerprint(String user, byte[] password, String hash) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(cacheSalt);
            d.update((user + "\0" + hash + "\0").getBytes(StandardCharsets.UTF_8));
            d.update(password);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Table current() {
        Table t = table;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.lastModifiedTime().equals(t.modified) && a.size() == t.size) return t;
            synchronized (this) {
                if (table != t) return table;
                Table fresh = read(path);
                verified.clear();
                table = fresh;
                return fresh;
            }
        } catch (IOException | IllegalArgumentException e) {
            // said once per change of the file, not once per request
            synchronized (this) {
                if (table != t) return table;
                System.err.println("berth-registry: keeping the previous htpasswd table: " + e.getMessage());
                FileTime now = FileTime.fromMillis(System.currentTimeMillis());
                try {
                    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                    table = new Table(t.hashes, a.lastModifiedTime(), a.size());
                } catch (IOException gone) {
                    table = new Table(t.hashes, now, -1);
                }
                return table;
            }
        }
    }

    private static Table read(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        Map<String, String> hashes = parse(Files.readString(path, StandardCharsets.UTF_8), path.toString());
        return new Table(new HashMap<>(hashes), a.lastModifiedTime(), a.size());
    }

}
