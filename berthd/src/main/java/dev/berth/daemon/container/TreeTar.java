package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a file tree as a tar the way dockerd's archive package does for {@code export} and
 * {@code GET /containers/{id}/archive}: Go's walk order (names sorted by bytes, parents first),
 * directories with a trailing slash, permission and setuid/setgid/sticky bits only in the mode
 * field, numeric owners without names, mtimes in whole seconds, a second path to an inode with
 * several links as a hard link to the first, device numbers for device nodes. Sockets are left
 * out (Go's tar cannot write them). Long names and big numbers use PAX headers.
 *
 * <p>Nothing is followed: symlinks are written as symlinks. The tree may change while it is read
 * (a running container): a node that vanishes is skipped, and a file that grows or shrinks is cut
 * or zero-padded to the size its header announced, so the tar stays well-formed.
 */
final class TreeTar {
    private final TarArchiveOutputStream tar;
    /** (dev, inode) of files with several links → the name they were first written under. */
    private final Map<String, String> links = new HashMap<>();

    TreeTar(OutputStream out) {
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /**
     * Writes {@code child} of the held directory {@code parent} (a {@code /proc/self/fd/N} path,
     * see {@link RootDirs}) under {@code name} and, for a directory, everything below it.
     */
    void add(Path parent, String child, String name) throws IOException {
        Path node = parent.resolve(child);
        Map<String, Object> a;
        try {
            a = Files.readAttributes(node, "unix:mode,uid,gid,size,lastModifiedTime,rdev,ino,dev,nlink", NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        if (entry(node, name, a)) {
            int fd = RootDirs.openChildDir(parent, child);
            if (fd < 0) return; // replaced meanwhile: its header stands, its contents are not followed anywhere
            try {
                addChildren(RootDirs.fdPath(fd), dirName(name));
            } finally {
                dev.berth.daemon.os.Posix.close(fd);
            }
        }
    }

    /** Writes a held directory itself under {@code name}, and everything below it. */
    void addDir(Path held, String name) throws IOException {
        Map<String, Object> a = Files.readAttributes(held, "unix:mode,uid,gid,size,lastModifiedTime,rdev,ino,dev,nlink");
        if (entry(held, name, a)) addChildren(held, dirName(name));
    }

    /** Writes the children of a held directory, their names prefixed with {@code prefix} ("" or ending in "/"). */
    void addChildren(Path held, String prefix) throws IOException {
        for (Path child : children(held)) add(held, child.getFileName().toString(), prefix + child.getFileName());
    }

    private static String dirName(String name) {
        return name.endsWith("/") ? name : name + "/";
    }

    /** Writes one entry (and a regular file's data); true for a directory, whose children come next. */
    private boolean entry(Path node, String name, Map<String, Object> a) throws IOException {
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        if (type == 0140000) return false; // socket
        boolean dir = type == 0040000;
        TarArchiveEntry e;
        long size = 0;
        switch (type) {
            case 0040000 -> e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
            case 0120000 -> {
                e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(node).toString());
            }
            case 0010000 -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            case 0020000, 0060000 -> {
                e = new TarArchiveEntry(name, type == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                long rdev = (Long) a.get("rdev");
                e.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfff)));
                e.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xff)));
            }
            default -> {
                String key = a.get("dev") + ":" + a.get("ino");
                String first = (Integer) a.get("nlink") > 1 ? links.putIfAbsent(key, name) : null;
                if (first != null) {
                    e = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    e.setLinkName(first);
                } else {
                    e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                    size = (Long) a.get("size");
                    e.setSize(size);
                }
            }
        }
        e.setMode(mode & 07777);
        e.setUserId((Integer) a.get("uid"));
        e.setGroupId((Integer) a.get("gid"));
        e.setUserName("");
        e.setGroupName("");
        long secs = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
        e.setModTime(FileTime.fromMillis(secs * 1000));
        tar.putArchiveEntry(e);
        if (size > 0) copyExactly(node, size);
        tar.closeArchiveEntry();
        return dir;
    }

    /** The children of a directory in Go's order (by bytes); none if it vanished. */
    static List<Path> children(Path dir) throws IOException {
        List<Path> out;
        try (Stream<Path> s = Files.list(dir)) {
            out = new ArrayList<>(s.toList());
        } catch (java.nio.file.NoSuchFileException gone) {
            return List.of();
        }
        out.sort((x, y) -> ContainerChanges.compareBytes(x.getFileName().toString(), y.getFileName().toString()));
        return out;
    }

    private void copyExactly(Path file, long size) throws IOException {
        long left = size;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file, NOFOLLOW_LINKS)) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) break;
                tar.write(buf, 0, n);
                left -= n;
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed meanwhile: zeros below
        }
        java.util.Arrays.fill(buf, (byte) 0);
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            tar.write(buf, 0, n);
            left -= n;
        }
    }

    /** Ends the archive (two zero blocks) and flushes; the underlying stream stays open. */
    void finish() throws IOException {
        tar.finish();
        tar.flush();
    }
}
