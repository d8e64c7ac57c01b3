package dev.berth.daemon.build;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.api.DockerIgnore;
import dev.berth.daemon.container.RootPath;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.snapshot.InvalidLayerException;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.util.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A build context: the tar the client sent, unpacked (with the layer unpacker's checks: no
 * {@code ../}, no writing through symlinks, no device nodes) into a private directory, with
 * {@code .dockerignore} applied as dockerd does after the Dockerfile has been read. Sources
 * named by COPY/ADD are resolved inside it: never outside, symlinks followed within it.
 */
final class BuildContext implements AutoCloseable {
    private final Path root;

    private BuildContext(Path root) {
        this.root = root;
    }

    /** Unpacks {@code body} (tar, plain or compressed) into {@code dir}, a fresh directory. */
    static BuildContext unpack(InputStream body, Path dir) throws IOException {
        Files.createDirectories(dir);
        BuildContext ctx = new BuildContext(dir);
        try {
            InputStream tar = new TarTail(Compression.detect(new BufferedInputStream(body, 65536)));
            LayerUnpacker.unpack(tar, dir);
        } catch (InvalidLayerException e) {
            ctx.close();
            throw BerthException.invalid("invalid build context: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            ctx.close();
            throw e;
        }
        return ctx;
    }

    /** A context with only a Dockerfile, under {@code name} (a remote context that is a Dockerfile). */
    static BuildContext ofDockerfile(byte[] dockerfile, String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        String rel = clean(name);
        if (rel == null || rel.isEmpty()) throw BerthException.invalid("invalid Dockerfile name " + name);
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.write(f, dockerfile);
        return new BuildContext(dir);
    }

    Path root() { return root; }

    /**
     * Reads the Dockerfile at {@code name} (relative to the context; "Dockerfile", falling back
     * to "dockerfile", when empty), then drops what .dockerignore excludes, and the Dockerfile
     * and .dockerignore themselves when they are excluded, as dockerd does.
     */
    String readDockerfile(String name) throws IOException {
        String wanted = name == null || name.isEmpty() ? "Dockerfile" : name;
        Path file = locate(wanted);
        if (file == null && (name == null || name.isEmpty())) file = locate("dockerfile");
        if (file == null) throw BerthException.internal("Cannot locate specified Dockerfile: " + wanted, null);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        applyDockerignore();
        return text;
    }

    private Path locate(String name) throws IOException {
        String rel = clean(name);
        if (rel == null) return null;
        Path p = RootPath.resolve(root, rel);
        return Files.isRegularFile(p) ? p : null;
    }

    private void applyDockerignore() throws IOException {
        Path f = root.resolve(".dockerignore");
        if (!Files.isRegularFile(f, NOFOLLOW_LINKS)) return;
        DockerIgnore ignore;
        try {
            ignore = DockerIgnore.parse(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("failed to parse .dockerignore: " + e.getMessage());
        }
        prune(root, "", ignore);
    }

    private void prune(Path dir, String prefix, DockerIgnore ignore) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.toList();
        }
        for (Path c : children) {
            String rel = prefix + c.getFileName();
            boolean isDir = Files.isDirectory(c, NOFOLLOW_LINKS);
            if (ignore.excluded(rel)) {
                if (isDir && ignore.mayReinclude(rel)) {
                    prune(c, rel + "/", ignore);
                } else {
                    AtomicFiles.deleteTree(c);
                }
            } else if (isDir) {
                prune(c, rel + "/", ignore);
            }
        }
    }

    /**
     * The context-relative path a source names ("/" and "./" prefixes dropped, "." and ".."
     * resolved), or null when it climbs out of the context.
     */
    static String clean(String source) {
        List<String> parts = dev.berth.api.PathNames.components(source);
        return parts == null ? null : String.join("/", parts);
    }

    /**
     * The paths a COPY/ADD source names in {@code base} (the context, or a stage's file system):
     * the path itself, followed through symlinks within {@code base}, or every match of a
     * wildcard pattern ({@code * ? [ ]}, per path component, as Go's filepath.Match).
     */
    static List<Path> sources(Path base, String source, String instruction) throws IOException {
        String rel = clean(source);
        if (rel == null) throw BerthException.invalid("forbidden path outside the build context: " + source + " ()");
        if (!hasWildcard(rel)) {
            Path p = RootPath.resolve(base, rel);
            if (!Files.exists(p, NOFOLLOW_LINKS)) {
                throw BerthException.invalid(instruction + " failed: file not found in build context or excluded by .dockerignore: stat "
                        + source + ": file does not exist");
            }
            return List.of(p);
        }
        List<Path> found = new ArrayList<>();
        match(base, base, rel.split("/"), 0, found);
        found.sort(null);
        return found;
    }

    static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static void match(Path base, Path dir, String[] parts, int i, List<Path> out) throws IOException {
        if (!Files.isDirectory(dir)) return;
        String part = parts[i];
        List<Path> candidates = new ArrayList<>();
        if (hasWildcard(part)) {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + part.replace("{", "\\{").replace("}", "\\}"));
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> m.matches(p.getFileName())).sorted().forEach(candidates::add);
            }
        } else {
            candidates.add(dir.resolve(part));
        }
        for (Path c : candidates) {
            // a symlink met on the way is followed, but only inside base
            Path real = RootPath.resolve(base, base.relativize(c).toString());
            if (!Files.exists(real, NOFOLLOW_LINKS)) continue;
            if (i == parts.length - 1) out.add(real);
            else match(base, real, parts, i + 1, out);
        }
    }

    /**
     * A digest of what a COPY/ADD would copy: names, types, modes, owners, link targets and
     * file contents — never times, so touching a file does not invalidate the cache.
     */
    static String contentHash(List<Path> sources, Path base) throws IOException {
        MessageDigest md = Digest.sha256();
        for (Path s : sources) {
            md.update(("src " + base.relativize(s) + "\n").getBytes(StandardCharsets.UTF_8));
            hashTree(s, "", md);
        }
        return Digest.of(md).hex();
    }

    /** The sha256 of a file's content alone (an ADD download: its temp name must not matter). */
    static String fileDigest(Path f) throws IOException {
        MessageDigest md = Digest.sha256();
        hashContent(md, f);
        return Digest.of(md).hex();
    }

    private static void hashContent(MessageDigest md, Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f, NOFOLLOW_LINKS)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
    }

    private static void hashTree(Path p, String rel, MessageDigest md) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", NOFOLLOW_LINKS);
        String head = rel + "\0" + Integer.toOctalString((Integer) a.get("mode")) + "\0" + a.get("uid") + ":" + a.get("gid");
        if (Files.isSymbolicLink(p)) {
            md.update((head + "\0L" + Files.readSymbolicLink(p) + "\n").getBytes(StandardCharsets.UTF_8));
        } else if (Files.isDirectory(p, NOFOLLOW_LINKS)) {
            md.update((head + "\0D\n").getBytes(StandardCharsets.UTF_8));
            List<Path> children;
            try (Stream<Path> s = Files.list(p)) {
                children = s.sorted().toList();
            }
            for (Path c : children) hashTree(c, rel + "/" + c.getFileName(), md);
        } else if (Files.isRegularFile(p, NOFOLLOW_LINKS)) {
            md.update((head + "\0F" + a.get("size") + "\n").getBytes(StandardCharsets.UTF_8));
            hashContent(md, p);
        } else {
            md.update((head + "\0O\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        AtomicFiles.deleteTree(root);
    }
}
