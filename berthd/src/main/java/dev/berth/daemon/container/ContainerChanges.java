package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code docker diff}: the changes a container's overlay upper dir makes to its image, computed
 * as moby's overlay driver does (pkg/archive {@code OverlayChanges}):
 * <ul>
 *   <li>the upper dir is walked in lexical order, parents before children;</li>
 *   <li>a 0/0 character device is a whiteout: the path was deleted (Kind 2);</li>
 *   <li>any other node is modified (Kind 0) when a lower layer has the path (stat, following
 *       symlinks, in any layer), else added (Kind 1); a directory present in both with equal
 *       size, mode and mtime is only a copied-up parent and not itself a change;</li>
 *   <li>the parent of an added or deleted path is reported as modified (before it) unless it is
 *       the root or already reported.</li>
 * </ul>
 * The container's init layer ({@link InitLayer}, the first lower dir once it exists) holds runc's
 * mount points (/proc, /etc/hosts...), so they are not changes, as in Docker. Containers whose
 * upper dir predates the init layer got them from runc directly: empty ones absent from the image
 * are left out here too, and a directory holding only them is not reported for its mtime.
 */
public final class ContainerChanges {
    public static final int MODIFIED = 0, ADDED = 1, DELETED = 2;

    public record Change(String path, int kind) {}

    /** Where runc mounts in a Berth container (OciSpec, the bind-mounted etc files). */
    static final Set<String> MOUNT_POINTS = Set.of("/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
            "/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

    private final Path upper;
    private final List<Path> lowers;
    private final List<Change> out = new ArrayList<>();
    private final Set<String> changedDirs = new java.util.HashSet<>();

    private ContainerChanges(Path upper, List<Path> lowers) {
        this.upper = upper;
        this.lowers = lowers;
    }

    /** @param lowers the image's layer dirs, top first */
    public static List<Change> compute(Path upper, List<Path> lowers) throws IOException {
        ContainerChanges c = new ContainerChanges(upper, lowers);
        if (Files.isDirectory(upper, NOFOLLOW_LINKS)) c.walk("", upper);
        return c.out;
    }

    private void walk(String dirPath, Path dir) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = new ArrayList<>(s.toList());
        }
        children.sort((a, b) -> compareBytes(a.getFileName().toString(), b.getFileName().toString()));
        for (Path child : children) {
            String path = dirPath + "/" + child.getFileName();
            Map<String, Object> a = Files.readAttributes(child, "unix:mode,uid,gid,size,lastModifiedTime,rdev", NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int type = mode & 0170000;
            boolean isDir = type == 0040000;
            Map<String, Object> lower = lowerStat(path);
            if (lower == null && isRuncMountPoint(path, child, isDir)) continue;
            if (type == 0020000 && (Long) a.get("rdev") == 0L) {
                record(path, DELETED);
                continue;
            }
            int kind;
            if (lower == null) {
                kind = ADDED;
            } else {
                kind = MODIFIED;
                if (isDir && ((Integer) lower.get("mode") & 0170000) == 0040000) {
                    boolean sameMode = lower.get("mode").equals(a.get("mode"));
                    boolean same = sameMode && lower.get("size").equals(a.get("size"))
                            && sameTime(lower.get("lastModifiedTime"), a.get("lastModifiedTime"));
                    if (same || sameMode && onlyMountPoints(path, child)) {
                        walk(path, child);
                        continue;
                    }
                }
            }
            if (isDir) changedDirs.add(path);
            record(path, kind);
            if (isDir) walk(path, child);
        }
    }

    private void record(String path, int kind) {
        if (kind != MODIFIED) {
            String parent = path.substring(0, path.lastIndexOf('/'));
            if (!parent.isEmpty() && changedDirs.add(parent)) out.add(new Change(parent, MODIFIED));
        }
        out.add(new Change(path, kind));
    }

    /**
     * Whether {@code path} in the upper dir exists only because runc mounted there (see the
     * class comment): such paths stay out of committed layers too.
     */
    static boolean onlyForMounting(Path upper, List<Path> lowers, String path) {
        if (!MOUNT_POINTS.contains(path)) return false;
        try {
            Path node = upper.resolve(path.substring(1));
            return new ContainerChanges(upper, lowers).lowerStat(path) == null
                    && isRuncMountPoint(path, node, Files.isDirectory(node, NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An empty file or directory runc made to mount on, where the image has nothing. */
    private static boolean isRuncMountPoint(String path, Path node, boolean isDir) throws IOException {
        if (!MOUNT_POINTS.contains(path)) return false;
        if (isDir) {
            try (Stream<Path> s = Files.list(node)) {
                return s.allMatch(c -> MOUNT_POINTS.contains(path + "/" + c.getFileName()));
            }
        }
        return Files.isRegularFile(node, NOFOLLOW_LINKS) && Files.size(node) == 0;
    }

    /** A directory whose upper entries are all runc mount points (its mtime changed when runc made them). */
    private boolean onlyMountPoints(String path, Path dir) throws IOException {
        boolean any = false;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path c : (Iterable<Path>) s::iterator) {
                String p = path + "/" + c.getFileName();
                if (lowerStat(p) != null || !isRuncMountPoint(p, c, Files.isDirectory(c, NOFOLLOW_LINKS))) return false;
                any = true;
            }
        }
        return any;
    }

    /** stat (following symlinks, like Go's os.Stat) of the path in the first lower layer that has it. */
    private Map<String, Object> lowerStat(String path) throws IOException {
        for (Path layer : lowers) {
            Path p = layer.resolve(path.substring(1));
            try {
                return Files.readAttributes(p, "unix:mode,size,lastModifiedTime");
            } catch (NoSuchFileException e) {
                // not in this layer
            } catch (IOException e) {
                // a dangling symlink or a path through a non-directory: Go's os.Stat error other
                // than "not exist" is fatal there; here the path simply counts as absent
                if (!Files.exists(p, NOFOLLOW_LINKS)) continue;
                return Map.of("mode", 0120777, "size", 0L, "lastModifiedTime", Files.getLastModifiedTime(p, NOFOLLOW_LINKS));
            }
        }
        return null;
    }

    private static boolean sameTime(Object a, Object b) {
        // moby's sameFsTime: equal seconds and equal nanoseconds, or one side has none (some
        // file systems keep only seconds).
        var x = ((java.nio.file.attribute.FileTime) a).toInstant();
        var y = ((java.nio.file.attribute.FileTime) b).toInstant();
        return x.getEpochSecond() == y.getEpochSecond()
                && (x.getNano() == y.getNano() || x.getNano() == 0 || y.getNano() == 0);
    }

    /** Go sorts names by bytes. */
    static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
