package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.content.Compression;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

/**
 * A container's files from outside: {@code docker diff}, {@code docker export} and the archive
 * endpoints behind {@code docker cp}. Works on running and stopped containers alike
 * ({@link ContainerRootfs}); paths are container paths, resolved inside its root.
 */
public final class ContainerFiles {
    /** Where a response body goes once every check passed (so errors are still plain HTTP errors). */
    public interface Body {
        OutputStream open(PathStat stat) throws IOException;
    }

    private final ContainerService service;
    private final EventBus events;

    public ContainerFiles(ContainerService service, EventBus events) {
        this.service = service;
        this.events = events;
    }

    /** {@code GET /containers/{id}/changes}. */
    public List<ContainerChanges.Change> changes(String ref) throws IOException {
        ContainerRecord r = service.resolve(ref);
        Path upper = service.store().dir(r.id).resolve("fs/upper");
        return ContainerChanges.compute(upper, service.lowerDirs(r, service.image(r)));
    }

    /** {@code GET /containers/{id}/export}: the merged file system as one tar. */
    public void export(String ref, Body body) throws IOException {
        ContainerRecord r = service.resolve(ref);
        try (ContainerRootfs fs = ContainerRootfs.open(service, r, false)) {
            OutputStream out = body.open(null);
            TreeTar tar = new TreeTar(out);
            tar.addChildren(fs.root(), "");
            tar.finish();
        }
        events.publish("container", "export", r.id, ContainerService.attrs(r));
    }

    /** {@code HEAD /containers/{id}/archive}. */
    public PathStat stat(String ref, String path) throws IOException {
        ContainerRecord r = service.resolve(ref);
        checkPath(path);
        try (ContainerRootfs fs = ContainerRootfs.open(service, r, false);
             Resolved res = resolve(fs, ref, path)) {
            return stat(fs.root(), ref, path, res);
        }
    }

    /** {@code GET /containers/{id}/archive}: a tar of the path, its entries named after the path's base name. */
    public void archive(String ref, String path, Body body) throws IOException {
        ContainerRecord r = service.resolve(ref);
        checkPath(path);
        try (ContainerRootfs fs = ContainerRootfs.open(service, r, false);
             Resolved res = resolve(fs, ref, path)) {
            PathStat stat = stat(fs.root(), ref, path, res);
            OutputStream out = body.open(stat);
            TreeTar tar = new TreeTar(out);
            if (res.base().isEmpty()) tar.addDir(res.dir().host(), baseName(res.absPath()));
            else tar.add(res.dir().host(), res.base(), baseName(res.absPath()));
            tar.finish();
        }
        events.publish("container", "archive-path", r.id, ContainerService.attrs(r));
    }

    /**
     * {@code PUT /containers/{id}/archive}: extracts a tar (plain or compressed) into the directory
     * at {@code path}, which is resolved in the container with its last component followed.
     */
    public void extract(String ref, String path, InputStream body, boolean noOverwriteDirNonDir, boolean copyUidGid)
            throws IOException {
        ContainerRecord r = service.resolve(ref);
        checkPath(path);
        try (ContainerRootfs fs = ContainerRootfs.open(service, r, true)) {
            Path root = fs.root();
            String abs = absPath(path);
            String destPath;
            try (RootDirs.Dir dest = RootDirs.open(fs.fd(), abs, false)) {
                destPath = dest.path();
            } catch (NoSuchFileException e) {
                throw notFound(path, ref);
            } catch (java.nio.file.NotDirectoryException e) {
                throw BerthException.invalid("extraction point is not a directory");
            }
            if (r.hostConfig.path("ReadonlyRootfs").asBoolean(false)) {
                throw BerthException.invalid("container rootfs is marked read-only");
            }
            int[] chown = null;
            String user = r.config.path("User").asText("");
            if (copyUidGid && !user.isEmpty()) {
                UserSpec us = UserSpec.resolve(root, user);
                chown = new int[] {us.uid(), us.gid()};
            }
            ArchiveExtractor.extract(Compression.detect(body), fs.fd(), destPath, noOverwriteDirNonDir, chown);
        }
        events.publish("container", "extract-to-dir", r.id, ContainerService.attrs(r));
    }

    // ---------------------------------------------------------------- paths as dockerd sees them

    /**
     * A requested path as moby's ResolvePath splits it: absolute and cleaned ({@code absPath}, a
     * trailing "/" or "/." kept), its directory part resolved inside the root and held, and the
     * last element ({@code base}, not followed; empty when the path names the directory itself).
     */
    record Resolved(String absPath, RootDirs.Dir dir, String base) implements AutoCloseable {
        @Override public void close() { dir.close(); }
    }

    private static void checkPath(String path) {
        if (path == null || path.isEmpty()) throw BerthException.invalid("bad parameter: path cannot be empty");
    }

    /** moby's PreserveTrailingDotOrSeparator(Join("/", path), path). */
    static String absPath(String path) {
        String clean = cleanAbs(path);
        if ((path.endsWith("/.") || path.equals(".")) && !clean.endsWith("/.")) {
            return clean.equals("/") ? "/." : clean + "/.";
        }
        if (path.endsWith("/") && !clean.endsWith("/")) return clean + "/";
        return clean;
    }

    /** Go's filepath.Clean of "/" + path. */
    static String cleanAbs(String path) {
        List<String> parts = new java.util.ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** Go's filepath.Base: the last element after trailing slashes are dropped; "/" for the root. */
    static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.equals("/")) return "/";
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** moby's ResolvePath: the directory part is resolved inside the root, the last element is not followed. */
    private static Resolved resolve(ContainerRootfs fs, String ref, String path) throws IOException {
        String abs = absPath(path);
        int slash = abs.lastIndexOf('/');
        String dir = abs.substring(0, slash + 1);
        String base = abs.substring(slash + 1);
        try {
            return new Resolved(abs, RootDirs.open(fs.fd(), dir, false), base.equals(".") ? "" : base);
        } catch (NoSuchFileException e) {
            throw notFound(path, ref);
        } catch (java.nio.file.NotDirectoryException e) {
            throw notADirectory(abs);
        }
    }

    private static PathStat stat(Path root, String ref, String path, Resolved res) throws IOException {
        Map<String, Object> a;
        try {
            a = res.base().isEmpty()
                    ? Files.readAttributes(res.dir().host(), "unix:mode,size,lastModifiedTime")
                    : Files.readAttributes(res.dir().host().resolve(res.base()), "unix:mode,size,lastModifiedTime", NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw notFound(path, ref);
        }
        int mode = (Integer) a.get("mode");
        String linkTarget = "";
        if ((mode & 0170000) == 0120000) {
            Path target = RootPath.resolve(root, res.absPath());
            linkTarget = "/" + root.relativize(target);
        }
        return new PathStat(baseName(res.absPath()), (Long) a.get("size"), PathStat.goMode(mode),
                ((FileTime) a.get("lastModifiedTime")).toInstant(), linkTarget);
    }

    /** dockerd's answer (500) when a path goes through a non-directory. */
    private static BerthException notADirectory(String absPath) {
        return BerthException.internal("lstat " + absPath + ": not a directory", null);
    }

    private static BerthException notFound(String path, String ref) {
        return BerthException.notFound("Could not find the file " + path + " in container " + ref);
    }
}
