package dev.berth.cli.config;

import dev.berth.cli.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The docker CLI's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, default
 * {@code ~/.docker/config.json}), read and written so that docker and berth share it: the
 * {@code auths} map holds {@code {"auth": base64(user:password)}} per registry key
 * ({@code host[:port]}, or {@value #INDEX_SERVER} for Docker Hub).
 *
 * <p>The whole document is kept as parsed, so keys berth does not know (psFormat, proxies,
 * plugins, credHelpers…) survive a login. Writes go to a 0600 temp file in the same directory,
 * fsynced, then renamed over the file (a symlinked config.json is followed, as docker does).
 * Credential helpers ({@code credsStore}, {@code credHelpers}) are recognised but not run.
 */
public final class ConfigFile {
    /** The key of Docker Hub's credentials (docker's {@code registry.IndexServer}). */
    public static final String INDEX_SERVER = "https://index.docker.io/v1/";

    private final Path file;
    private final Map<String, Object> doc;
    private final String loadError;

    private ConfigFile(Path file, Map<String, Object> doc, String loadError) {
        this.file = file;
        this.doc = doc;
        this.loadError = loadError;
    }

    /** The config directory: {@code --config}, else {@code DOCKER_CONFIG}, else {@code $HOME/.docker}. */
    public static Path dir(String flag, Map<String, String> env) {
        if (flag != null && !flag.isEmpty()) return Path.of(flag);
        String d = env.get("DOCKER_CONFIG");
        if (d != null && !d.isEmpty()) return Path.of(d);
        String home = env.get("HOME");
        if (home == null || home.isEmpty()) home = System.getProperty("user.home");
        return Path.of(home, ".docker");
    }

    /**
     * Reads {@code dir/config.json}. A missing file is an empty config; an unreadable or invalid
     * one too, but {@link #loadError()} says why and {@link #save()} refuses to overwrite it.
     */
    public static ConfigFile load(Path dir) {
        Path file = dir.resolve("config.json");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ConfigFile(file, new LinkedHashMap<>(), null);
        } catch (IOException e) {
            return new ConfigFile(file, new LinkedHashMap<>(), file + ": " + e.getMessage());
        }
        if (text.isBlank()) return new ConfigFile(file, new LinkedHashMap<>(), null);
        try {
            Object parsed = Json.parse(text.strip());
            if (!(parsed instanceof Map<?, ?>)) return new ConfigFile(file, new LinkedHashMap<>(), file + ": not a JSON object");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) parsed;
            return new ConfigFile(file, m, null);
        } catch (IllegalArgumentException e) {
            return new ConfigFile(file, new LinkedHashMap<>(), file + ": " + e.getMessage());
        }
    }

    public Path path() { return file; }

    /** Why the file could not be read, or null. */
    public String loadError() { return loadError; }

    /** A top-level string setting such as {@code imagesFormat}; empty when absent. */
    public String string(String key) { return doc.get(key) instanceof String s ? s : ""; }

    /** A top-level value as parsed (e.g. the {@code proxies} object), or null. */
    public Object value(String key) { return doc.get(key); }

    /**
     * Every credential stored in the file, by registry key, as docker's file store lists them
     * for a build's {@code X-Registry-Config} ({@code auth} decoded, the key as server address).
     */
    public Map<String, AuthConfig> allAuths() {
        Map<String, AuthConfig> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Object> e : auths(false).entrySet()) {
            Object entry = e.getValue();
            String user = Json.str(entry, "username");
            String pass = Json.str(entry, "password");
            String auth = Json.str(entry, "auth");
            if (!auth.isEmpty()) {
                String[] up = decodeAuth(auth);
                user = up[0];
                pass = up[1];
            }
            out.put(e.getKey(), new AuthConfig(user, pass, Json.str(entry, "email"), e.getKey(), Json.str(entry, "identitytoken")));
        }
        return out;
    }

    /** A top-level list of strings such as {@code pruneFilters}. */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        if (doc.get(key) instanceof List<?> l) for (Object o : l) if (o instanceof String s) out.add(s);
        return out;
    }

    /**
     * The credential helper docker would use for {@code serverKey} ({@code credHelpers[key]},
     * else {@code credsStore}), or null. Berth does not run helpers; callers say so.
     */
    public String credentialHelper(String serverKey) {
        Object helpers = doc.get("credHelpers");
        if (helpers instanceof Map<?, ?> m && serverKey != null && m.get(serverKey) instanceof String s && !s.isEmpty()) return s;
        return doc.get("credsStore") instanceof String s && !s.isEmpty() ? s : null;
    }

    /** A clear message for a configured credential helper berth cannot use. */
    public String helperMessage(String serverKey) {
        String helper = credentialHelper(serverKey);
        if (helper == null) return null;
        boolean specific = doc.get("credHelpers") instanceof Map<?, ?> m && m.containsKey(serverKey);
        return "credential helper \"docker-credential-" + helper + "\" (" + (specific ? "credHelpers" : "credsStore") + " in " + file
                + ") is not supported by berth";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> auths(boolean create) {
        Object a = doc.get("auths");
        if (a instanceof Map<?, ?> m) return (Map<String, Object>) m;
        if (!create) return Map.of();
        Map<String, Object> fresh = new LinkedHashMap<>();
        // docker writes "auths" first; keep the rest in their order
        Map<String, Object> rest = new LinkedHashMap<>(doc);
        rest.remove("auths");
        doc.clear();
        doc.put("auths", fresh);
        doc.putAll(rest);
        return fresh;
    }

    /**
     * The stored credentials for {@code serverKey}, docker's file-store {@code Get}: the exact key,
     * else a key whose hostname is {@code serverKey} (entries saved as {@code https://host/}).
     * {@link AuthConfig#NONE} when nothing is stored (docker then sends {@code {}}).
     */
    public AuthConfig get(String serverKey) {
        Map<String, Object> auths = auths(false);
        Object entry = auths.get(serverKey);
        String key = serverKey;
        if (entry == null) {
            for (Map.Entry<String, Object> e : auths.entrySet()) {
                if (serverKey.equals(convertToHostname(e.getKey()))) {
                    entry = e.getValue();
                    key = e.getKey();
                    break;
                }
            }
        }
        if (!(entry instanceof Map<?, ?>)) return AuthConfig.NONE;
        String user = Json.str(entry, "username");
        String pass = Json.str(entry, "password");
        String auth = Json.str(entry, "auth");
        if (!auth.isEmpty()) {
            String[] up = decodeAuth(auth);
            user = up[0];
            pass = up[1];
        }
        return new AuthConfig(user, pass, Json.str(entry, "email"), key, Json.str(entry, "identitytoken"));
    }

    /** True when an entry exists under exactly this key. */
    public boolean contains(String key) { return auths(false).containsKey(key); }

    /**
     * Stores credentials under {@code auth.serverAddress()} as {@code {"auth": …}} (plus
     * {@code identitytoken} when the registry gave one). Returns false, without writing, when
     * the same credentials were already stored (docker's file store is idempotent too).
     */
    public boolean store(AuthConfig auth) throws IOException {
        Map<String, Object> entry = new LinkedHashMap<>();
        String encoded = encodeAuth(auth.username(), auth.password());
        if (!encoded.isEmpty()) entry.put("auth", encoded);
        if (!auth.email().isEmpty()) entry.put("email", auth.email());
        if (!auth.identityToken().isEmpty()) entry.put("identitytoken", auth.identityToken());
        Map<String, Object> auths = auths(true);
        if (entry.equals(auths.get(auth.serverAddress()))) return false;
        auths.put(auth.serverAddress(), entry);
        save();
        return true;
    }

    /** Removes the entry under exactly {@code key}; returns false (and writes nothing) when there was none. */
    public boolean erase(String key) throws IOException {
        Map<String, Object> auths = auths(false);
        if (!auths.containsKey(key)) return false;
        auths.remove(key);
        save();
        return true;
    }

    /** Writes the document atomically: 0600 temp file, fsync, rename, fsync of the directory. */
    public void save() throws IOException {
        if (loadError != null) throw new IOException("refusing to overwrite " + file + ", which could not be read (" + loadError + ")");
        Path target = file;
        if (Files.isSymbolicLink(file)) {
            try {
                target = file.toRealPath();
            } catch (NoSuchFileException dangling) {
                target = file.resolveSibling(Files.readSymbolicLink(file)).normalize();
            }
        }
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        byte[] data = Json.indent(Json.toJson(doc), "\t").getBytes(StandardCharsets.UTF_8);
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = dir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + "." + attempt + ".tmp");
            try {
                Files.createFile(candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                tmp = candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            copyOwner(target, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is done
        }
    }

    /** Keeps the owner of an existing config.json (e.g. a user's file written by root through sudo). */
    private static void copyOwner(Path existing, Path tmp) {
        try {
            PosixFileAttributes a = Files.readAttributes(existing, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributeView v = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            v.setOwner(a.owner());
            v.setGroup(a.group());
        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
            // no existing file, or not allowed: the new file keeps our ownership
        }
    }

    /** The {@code auth} value: base64 of {@code user:password} (empty when both are empty, as docker). */
    public static String encodeAuth(String user, String password) {
        if (user.isEmpty() && password.isEmpty()) return "";
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {user, password} from an {@code auth} value; the password may contain ':'. */
    static String[] decodeAuth(String auth) {
        try {
            String s = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon <= 0) return new String[] {"", ""};
            String pass = s.substring(colon + 1);
            int b = 0, e = pass.length();
            while (b < e && pass.charAt(b) == 0) b++;
            while (e > b && pass.charAt(e - 1) == 0) e--;
            return new String[] {s.substring(0, colon), pass.substring(b, e)};
        } catch (IllegalArgumentException e) {
            return new String[] {"", ""};
        }
    }

    /** The registry key for a reference's domain ({@code getAuthConfigKey}): Docker Hub's is {@value #INDEX_SERVER}. */
    public static String keyForDomain(String domain) {
        return domain.equals("docker.io") || domain.equals("index.docker.io") ? INDEX_SERVER : domain;
    }

    /** docker's {@code ConvertToHostname}: {@code https://host:5000/v2/} → {@code host:5000}. */
    public static String convertToHostname(String maybeUrl) {
        String s = maybeUrl;
        if (s.contains("://")) {
            try {
                URI u = URI.create(s);
                if (u.getHost() != null && !u.getHost().isEmpty()) return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            } catch (IllegalArgumentException ignored) {
                // not a URL after all
            }
        }
        int slash = s.indexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }
}
