package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code PUT /containers/{id}/archive}: extracts a tar into a directory of a container's root
 * file system with the rules of dockerd's untar for {@code docker cp}:
 * <ul>
 *   <li>names are cleaned lexically; one that climbs out of the destination fails the copy
 *       ({@code "../x" is outside of "/dest"}), as does a relative symlink target or a hard link
 *       target that leaves it;</li>
 *   <li>missing parent directories are made (0755, root);</li>
 *   <li>an existing node is replaced, except that a directory entry over a directory only sets
 *       its metadata, and with {@code noOverwriteDirNonDir} a directory and a non-directory never
 *       replace each other (an error, as dockerd's);</li>
 *   <li>owners come from the headers, or are all {@code chown} (docker cp -a);</li>
 *   <li>mode bits and mtimes (directories last) are applied.</li>
 * </ul>
 *
 * <p>Never outside the root: every parent is resolved with {@link RootPath}, so a symlink (in the
 * container or made by an earlier entry, absolute or relative) leads where it would inside the
 * container, never above its "/"; the last component is never followed (existing nodes are
 * removed without following, new ones created with O_EXCL/no-follow). dockerd gets the same
 * effect by extracting in a chroot.
 */
final class ArchiveExtractor {
    private final int rootFd;
    private final String dest; // container path of the destination directory, "/" or "/a/b"
    private final boolean noOverwriteDirNonDir;
    private final int[] chown; // {uid, gid} or null
    /** Directories written, as {parent container path, name} → mtime: set once every entry is in. */
    private final Map<List<String>, Long> dirTimes = new LinkedHashMap<>();
    private RootDirs.Dir lastParent;
    private String lastParentPath;

    private ArchiveExtractor(int rootFd, String dest, boolean noOverwriteDirNonDir, int[] chown) {
        this.rootFd = rootFd;
        this.dest = dest;
        this.noOverwriteDirNonDir = noOverwriteDirNonDir;
        this.chown = chown;
    }

    /**
     * @param rootFd the container's "/", held open ({@link ContainerRootfs})
     * @param dest the destination directory as a container path, symlinks already resolved
     * @param chown {uid, gid} for every entry, or null to keep the archive's owners
     */
    static void extract(InputStream tar, int rootFd, String dest, boolean noOverwriteDirNonDir, int[] chown) throws IOException {
        new ArchiveExtractor(rootFd, dest, noOverwriteDirNonDir, chown).run(tar);
    }

    private void run(InputStream in) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        try {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) apply(e, tar);
        } finally {
            if (lastParent != null) lastParent.close();
        }
        for (Map.Entry<List<String>, Long> d : dirTimes.entrySet()) {
            try (RootDirs.Dir parent = RootDirs.open(rootFd, d.getKey().get(0), false)) {
                Posix.utimensNoFollow(parent.host().resolve(d.getKey().get(1)).toString(), d.getValue());
            } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
                // replaced by a later entry
            }
        }
    }

    private void apply(TarArchiveEntry e, InputStream data) throws IOException {
        String name = e.getName();
        List<String> parts = clean(name);
        if (parts == null) throw outside(quote(name) + " is outside of " + quote(dest));
        if (parts.isEmpty()) return; // the archive's own root: dockerd skips it
        char type = kind(e);
        if (type == 0) return; // unsupported (sockets, GNU extensions): dockerd ignores them too
        String base = parts.getLast();
        String parentPath = join(dest, parts.subList(0, parts.size() - 1));
        String shown = join(dest, parts);
        apply(e, data, type, openParent(parentPath), base, parts, shown, name);
    }

    /**
     * The held parent directory of an entry. Consecutive entries mostly share their parent, so
     * the last one is kept: it is the directory that was at that path when it was resolved,
     * inside the root whatever happened to the path since.
     */
    private RootDirs.Dir openParent(String parentPath) throws IOException {
        if (lastParent != null && parentPath.equals(lastParentPath)) return lastParent;
        if (lastParent != null) {
            lastParent.close();
            lastParent = null;
        }
        try {
            lastParent = RootDirs.open(rootFd, parentPath, true);
        } catch (java.nio.file.NotDirectoryException e) {
            throw BerthException.internal("mkdir " + parentPath + ": not a directory", null);
        }
        lastParentPath = parentPath;
        return lastParent;
    }

    private void apply(TarArchiveEntry e, InputStream data, char type, RootDirs.Dir parent, String base, List<String> parts,
                       String shown, String name) throws IOException {
        Path dir = parent.host();
        Path path = dir.resolve(base);
        RootDirs.Dir linkDir = null;
        try {
            Path linkTarget = null;
            if (type == TarConstants.LF_LINK) {
                List<String> target = clean(e.getLinkName());
                if (target == null || target.isEmpty()) throw outside("invalid hardlink " + quote(shown) + " -> " + quote(e.getLinkName()));
                String targetPath = join(dest, target);
                try {
                    linkDir = RootDirs.open(rootFd, join(dest, target.subList(0, target.size() - 1)), false);
                } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException missing) {
                    throw BerthException.internal("link " + targetPath + " " + shown + ": no such file or directory", null);
                }
                linkTarget = linkDir.host().resolve(target.getLast());
                if (RootDirs.lstat(linkTarget) == null) {
                    throw BerthException.internal("link " + targetPath + " " + shown + ": no such file or directory", null);
                }
                if (linkDir.path().equals(parent.path()) && target.getLast().equals(base)) return; // a link to itself
            } else if (type == TarConstants.LF_SYMLINK && !e.getLinkName().startsWith("/")) {
                List<String> within = new ArrayList<>(parts.subList(0, parts.size() - 1));
                within.add(e.getLinkName());
                if (clean(String.join("/", within)) == null) {
                    throw outside("invalid symlink " + quote(shown) + " -> " + quote(e.getLinkName()));
                }
            }

            BasicFileAttributes existing = RootDirs.lstat(path);
            boolean isDir = type == TarConstants.LF_DIR;
            if (existing != null) {
                if (noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
                    throw BerthException.internal("cannot overwrite directory " + quote(shown) + " with non-directory " + quote(dest), null);
                }
                if (noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
                    throw BerthException.internal("cannot overwrite non-directory " + quote(shown) + " with directory " + quote(dest), null);
                }
                if (!(existing.isDirectory() && isDir)) {
                    RootDirs.removeTree(dir, base);
                    lastParentPath = null; // the held parent may have been below what went: resolve again next time
                    dirTimes.remove(List.of(parent.path(), base));
                    existing = null;
                }
            }
            switch (type) {
                case TarConstants.LF_NORMAL -> {
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, NOFOLLOW_LINKS)) {
                        data.transferTo(out);
                    }
                }
                case TarConstants.LF_DIR -> {
                    if (existing == null) Files.createDirectory(path);
                }
                case TarConstants.LF_SYMLINK -> Posix.symlink(e.getLinkName(), path.toString());
                case TarConstants.LF_LINK -> {
                    Files.createLink(path, linkTarget);
                    return;
                }
                case TarConstants.LF_FIFO -> Posix.mkfifo(path.toString(), 0600);
                case TarConstants.LF_CHR -> Posix.mknod(path.toString(), Posix.S_IFCHR | 0600, Posix.makedev(e.getDevMajor(), e.getDevMinor()));
                case TarConstants.LF_BLK -> Posix.mknod(path.toString(), Posix.S_IFBLK | 0600, Posix.makedev(e.getDevMajor(), e.getDevMinor()));
                default -> throw new IllegalStateException("type " + type);
            }
            long uid = chown != null ? chown[0] : e.getLongUserId();
            long gid = chown != null ? chown[1] : e.getLongGroupId();
            if (uid < 0 || uid > 0xFFFF_FFFEL || gid < 0 || gid > 0xFFFF_FFFEL) {
                throw BerthException.invalid("entry " + quote(name) + " has an invalid owner " + uid + ":" + gid);
            }
            // lchown and utimensat(AT_SYMLINK_NOFOLLOW) in the held parent act on the node itself, whatever
            // it is by now; chmod follows links, so it goes through an O_PATH|O_NOFOLLOW descriptor
            // of the node (which the kernel refuses for a symlink swapped in meanwhile).
            Posix.lchown(path.toString(), (int) uid, (int) gid);
            if (type != TarConstants.LF_SYMLINK) chmodNode(path, e.getMode() & 07777);
            long mtime = e.getLastModifiedTime().to(TimeUnit.NANOSECONDS);
            if (isDir) {
                dirTimes.put(List.of(parent.path(), base), mtime);
            } else {
                Posix.utimensNoFollow(path.toString(), mtime);
            }
        } finally {
            if (linkDir != null) linkDir.close();
        }
    }

    private static void chmodNode(Path path, int mode) throws IOException {
        int fd = RootDirs.openNode(path);
        try {
            Posix.chmod(RootDirs.fdPath(fd).toString(), mode);
        } catch (dev.berth.daemon.os.PosixException swapped) {
            if (swapped.errno() != 95) throw swapped; // EOPNOTSUPP: now a symlink, which has no mode
        } finally {
            Posix.close(fd);
        }
    }

    /** The entry type, folded as dockerd's untar sees it; 0 for what it skips. */
    private static char kind(TarArchiveEntry e) {
        return switch (e.getLinkFlag()) {
            case TarConstants.LF_OLDNORM -> e.getName().endsWith("/") ? (char) TarConstants.LF_DIR : (char) TarConstants.LF_NORMAL;
            case TarConstants.LF_NORMAL, TarConstants.LF_CONTIG -> (char) TarConstants.LF_NORMAL;
            case TarConstants.LF_DIR, TarConstants.LF_SYMLINK, TarConstants.LF_LINK, TarConstants.LF_FIFO,
                 TarConstants.LF_CHR, TarConstants.LF_BLK -> (char) e.getLinkFlag();
            default -> 0;
        };
    }

    /** Lexically cleaned components of a name relative to the destination; null if ".." climbs out. */
    static List<String> clean(String name) {
        return dev.berth.api.PathNames.components(name);
    }

    static String join(String dir, List<String> parts) {
        StringBuilder sb = new StringBuilder(dir.equals("/") ? "" : dir);
        for (String p : parts) sb.append('/').append(p);
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** Go's %q for the plain names this is used with. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** dockerd's breakoutError: an archive that tries to leave its destination. */
    private static BerthException outside(String message) {
        return BerthException.invalid(message);
    }
}
