package dev.berth.daemon.build;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.container.RootPath;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.os.NodeMeta;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes what a COPY or ADD adds into a fresh layer directory, with Docker's rules: a directory
 * source copies its contents, a file source lands at the destination (or inside it when the
 * destination is a directory), parents are created. The destination is resolved in the image
 * being built ({@code view}, its merged file system), symlinks followed inside it, so COPY to
 * {@code /lib/x} on an image where {@code /lib -> usr/lib} writes {@code usr/lib/x}. Directories
 * on the way that the image already has are recreated in the layer with the image's own
 * metadata (an upper directory's metadata wins in overlayfs); new ones are 0755.
 */
final class Copier {
    /**
     * @param uid       owner of everything written, or null to keep the source's (then
     *                  {@code defaultOwner} decides)
     * @param chmod     mode bits for files and directories written, or null to keep the source's
     * @param rootOwned whether sources without {@code --chown} become 0:0 (the build context) or
     *                  keep their owners (another stage or image)
     * @param newDirTime mtime (epoch seconds) of directories created on the way
     */
    record Options(Integer uid, Integer gid, Integer chmod, boolean rootOwned, long newDirTime) {}

    private final Path layer;
    private final Path view;
    private final Options o;

    Copier(Path layer, Path view, Options o) {
        this.layer = layer;
        this.view = view;
        this.o = o;
    }

    /** The destination as a path relative to the image root, symlinks in the image resolved. */
    String resolveDest(String absDest) throws IOException {
        Path real = RootPath.resolve(view, absDest);
        return view.relativize(real).toString();
    }

    /** Whether the destination exists in the image as a directory. */
    boolean isDirInImage(String rel) {
        return !rel.isEmpty() && Files.isDirectory(view.resolve(rel), NOFOLLOW_LINKS) || rel.isEmpty();
    }

    /** Creates {@code rel} (and its parents) as directories in the layer; returns the layer path. */
    Path ensureDir(String rel) throws IOException {
        Path p = layer;
        Path v = view;
        if (rel.isEmpty()) return p;
        for (String c : rel.split("/")) {
            p = p.resolve(c);
            v = v.resolve(c);
            if (Files.isDirectory(p, NOFOLLOW_LINKS)) continue;
            if (Files.exists(p, NOFOLLOW_LINKS)) throw BerthException.invalid("cannot copy to non-directory: /" + layer.relativize(p));
            if (Files.isDirectory(v, NOFOLLOW_LINKS)) {
                Files.createDirectory(p);
                NodeMeta.copy(v, p, null, null, null);
            } else if (Files.exists(v, NOFOLLOW_LINKS)) {
                throw BerthException.invalid("cannot copy to non-directory: /" + view.relativize(v));
            } else {
                Files.createDirectory(p);
                Posix.chmod(p.toString(), o.chmod != null ? o.chmod : 0755);
                if (o.uid != null) Posix.lchown(p.toString(), o.uid, o.gid);
                Posix.utimensNoFollow(p.toString(), o.newDirTime * 1_000_000_000L);
            }
        }
        return p;
    }

    /** Copies a source's contents into the directory {@code destRel}. */
    void copyContents(Path srcDir, String destRel) throws IOException {
        Path target = ensureDir(destRel);
        List<Path> children;
        try (Stream<Path> s = Files.list(srcDir)) {
            children = s.sorted().toList();
        }
        for (Path c : children) copyNode(c, target.resolve(c.getFileName().toString()));
        // the directory itself takes the source's metadata unless the image already has it
        if (!destRel.isEmpty() && !Files.isDirectory(view.resolve(destRel), NOFOLLOW_LINKS)) NodeMeta.copy(srcDir, target, o.uid, o.gid, o.chmod);
    }

    /** Copies one file, symlink or directory to {@code destRel} exactly (its parent is created). */
    void copyTo(Path src, String destRel) throws IOException {
        int slash = destRel.lastIndexOf('/');
        Path parent = ensureDir(slash < 0 ? "" : destRel.substring(0, slash));
        Path target = parent.resolve(slash < 0 ? destRel : destRel.substring(slash + 1));
        if (Files.isDirectory(target, NOFOLLOW_LINKS) && Files.isDirectory(src)) {
            copyContents(src, destRel);
            return;
        }
        copyNode(src, target);
    }

    private void copyNode(Path src, Path target) throws IOException {
        if (Files.exists(target, NOFOLLOW_LINKS) && !Files.isDirectory(target, NOFOLLOW_LINKS)) Files.delete(target);
        if (Files.isSymbolicLink(src)) {
            Files.createSymbolicLink(target, Files.readSymbolicLink(src));
            owner(src, target);
        } else if (Files.isDirectory(src, NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, NOFOLLOW_LINKS)) Files.createDirectory(target);
            List<Path> children;
            try (Stream<Path> s = Files.list(src)) {
                children = s.sorted().toList();
            }
            for (Path c : children) copyNode(c, target.resolve(c.getFileName().toString()));
            NodeMeta.copy(src, target, null, null, o.chmod);
            owner(src, target);
        } else if (Files.isRegularFile(src, NOFOLLOW_LINKS)) {
            Files.copy(src, target, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            NodeMeta.copy(src, target, null, null, o.chmod);
            owner(src, target);
        } else {
            Map<String, Object> a = Files.readAttributes(src, "unix:mode", NOFOLLOW_LINKS);
            if (((Integer) a.get("mode") & 0170000) == Posix.S_IFIFO) {
                Posix.mkfifo(target.toString(), (Integer) a.get("mode") & 07777);
                owner(src, target);
            }
            // sockets and device nodes are not copied
        }
    }

    private void owner(Path src, Path target) throws IOException {
        int uid;
        int gid;
        if (o.uid != null) {
            uid = o.uid;
            gid = o.gid;
        } else if (o.rootOwned) {
            uid = 0;
            gid = 0;
        } else {
            Map<String, Object> a = Files.readAttributes(src, "unix:uid,gid", NOFOLLOW_LINKS);
            uid = (Integer) a.get("uid");
            gid = (Integer) a.get("gid");
        }
        Posix.lchown(target.toString(), uid, gid);
    }

    /** Writes a file with the given content (a COPY heredoc, an ADD download) at {@code destRel}. */
    void writeFile(byte[] content, String destRel, int mode, long mtime) throws IOException {
        int slash = destRel.lastIndexOf('/');
        Path parent = ensureDir(slash < 0 ? "" : destRel.substring(0, slash));
        Path target = parent.resolve(slash < 0 ? destRel : destRel.substring(slash + 1));
        if (Files.isDirectory(target, NOFOLLOW_LINKS)) throw BerthException.invalid("cannot overwrite directory /" + destRel + " with a file");
        Files.deleteIfExists(target);
        Files.write(target, content);
        Posix.chmod(target.toString(), o.chmod != null ? o.chmod : mode);
        Posix.lchown(target.toString(), o.uid != null ? o.uid : 0, o.gid != null ? o.gid : 0);
        Posix.utimensNoFollow(target.toString(), mtime * 1_000_000_000L);
    }
}
