package dev.berth.daemon.snapshot;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a directory tree as an OCI layer tar: the inverse of {@link LayerUnpacker}. The tree is
 * an overlayfs upper dir (a container's changes, a build step's output) or a plain directory;
 * overlay whiteouts become OCI whiteouts:
 * <ul>
 *   <li>a 0/0 character device {@code dir/name} becomes an empty file {@code dir/.wh.name};</li>
 *   <li>a directory with {@code trusted.overlay.opaque=y} is followed by {@code dir/.wh..wh..opq}.</li>
 * </ul>
 *
 * <p>The output is deterministic, so the same tree gives the same diff ID: entries in name order
 * (parents before children), numeric owners without user or group names, mtimes in whole
 * seconds and no atime or ctime, PAX headers only where a name, link or xattr needs them.
 * {@code clampMtime} (epoch seconds, may be null) caps every mtime, as BuildKit's
 * SOURCE_DATE_EPOCH does. Files linked several times inside the tree are written once and
 * then as hard links. Sockets are skipped (a tar cannot hold them); overlayfs' own
 * {@code trusted.overlay.*} attributes are never copied; other extended attributes go in
 * {@code SCHILY.xattr} records as Docker writes them, binary values (file capabilities) raw
 * (through {@link PaxXattrs}: the tar library itself writes PAX values as UTF-8 text).
 */
public final class LayerTarWriter {
    /**
     * @param entries entries written
     * @param bytes   bytes of regular-file content written
     * @param skipped what could not be written, as {@code "<path>: <reason>"}
     * @param excluded the paths {@code include} refused (relative)
     */
    public record Result(long entries, long bytes, List<String> skipped, List<String> excluded) {}

    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 0060000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    private final Path root;
    private final PaxXattrs.Rewriter pax;
    private final TarArchiveOutputStream tar;
    private final Long clampMtime;
    private final Predicate<String> include;
    private final Map<String, String> firstLinkName = new HashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private final List<String> excluded = new ArrayList<>();
    private long entries;
    private long bytes;

    private LayerTarWriter(Path root, OutputStream out, Long clampMtime, Predicate<String> include) {
        this.root = root;
        this.clampMtime = clampMtime;
        this.include = include;
        this.pax = new PaxXattrs.Rewriter(out, false);
        this.tar = new TarArchiveOutputStream(pax, 10240, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Writes all of {@code dir} to {@code out} and finishes the tar; {@code out} is flushed, not closed. */
    public static Result write(Path dir, OutputStream out, Long clampMtime) throws IOException {
        return write(dir, out, clampMtime, p -> true);
    }

    /**
     * Like {@link #write(Path, OutputStream, Long)}, leaving out every path (relative,
     * slash-separated, no leading slash) that {@code include} refuses, and what is under it.
     */
    public static Result write(Path dir, OutputStream out, Long clampMtime, Predicate<String> include) throws IOException {
        LayerTarWriter w = new LayerTarWriter(dir, out, clampMtime, include);
        w.children(dir, "");
        w.tar.finish();
        w.pax.finish();
        w.tar.flush();
        return new Result(w.entries, w.bytes, List.copyOf(w.skipped), List.copyOf(w.excluded));
    }

    private void children(Path dir, String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        for (String name : names) {
            String rel = prefix + name;
            if (!include.test(rel)) {
                excluded.add(rel);
                continue;
            }
            node(dir.resolve(name), rel);
        }
    }

    private void node(Path p, String rel) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,dev,rdev,nlink,size,lastModifiedTime", NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int type = mode & S_IFMT;
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        long mtime = mtime((FileTime) a.get("lastModifiedTime"));
        String base = rel.contains("/") ? rel.substring(rel.lastIndexOf('/') + 1) : rel;
        String parent = rel.substring(0, rel.length() - base.length());

        if (type == S_IFCHR && (Long) a.get("rdev") == 0) {
            TarArchiveEntry wh = new TarArchiveEntry(parent + WHITEOUT_PREFIX + base, TarConstants.LF_NORMAL);
            fill(wh, mode & 07777, uid, gid, mtime);
            put(wh, null);
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            // A real file named .wh.* would read back as a whiteout: refuse to write an ambiguous layer.
            skipped.add(rel + ": a file named like a whiteout");
            return;
        }
        TarArchiveEntry e;
        switch (type) {
            case S_IFDIR -> e = new TarArchiveEntry(rel + "/", TarConstants.LF_DIR);
            case S_IFREG -> {
                long nlink = ((Number) a.get("nlink")).longValue();
                if (nlink > 1) {
                    String key = a.get("dev") + ":" + a.get("ino");
                    String first = firstLinkName.putIfAbsent(key, rel);
                    if (first != null) {
                        e = new TarArchiveEntry(rel, TarConstants.LF_LINK);
                        e.setLinkName(first);
                        fill(e, mode & 07777, uid, gid, mtime);
                        put(e, null);
                        return;
                    }
                }
                e = new TarArchiveEntry(rel, TarConstants.LF_NORMAL);
                e.setSize((Long) a.get("size"));
            }
            case S_IFLNK -> {
                e = new TarArchiveEntry(rel, TarConstants.LF_SYMLINK);
                e.setLinkName(Files.readSymbolicLink(p).toString());
            }
            case S_IFIFO -> e = new TarArchiveEntry(rel, TarConstants.LF_FIFO);
            case S_IFCHR, S_IFBLK -> {
                e = new TarArchiveEntry(rel, type == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                long rdev = (Long) a.get("rdev");
                e.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL)));
                e.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL)));
            }
            case S_IFSOCK -> {
                skipped.add(rel + ": socket");
                return;
            }
            default -> {
                skipped.add(rel + ": unsupported file type " + Integer.toOctalString(type));
                return;
            }
        }
        fill(e, type == S_IFLNK ? 0777 : mode & 07777, uid, gid, mtime);
        xattrs(p, rel, e);
        put(e, type == S_IFREG ? p : null);
        if (type == S_IFDIR) {
            byte[] opaque = Posix.lgetxattr(p.toString(), OVERLAY_XATTR_PREFIX + "opaque");
            if (opaque != null && opaque.length == 1 && opaque[0] == 'y') {
                TarArchiveEntry marker = new TarArchiveEntry(rel + "/" + OPAQUE_MARKER, TarConstants.LF_NORMAL);
                fill(marker, mode & 0777, uid, gid, mtime);
                put(marker, null);
            }
            children(p, rel + "/");
        }
    }

    private long mtime(FileTime t) {
        long s = Math.floorDiv(t.toMillis(), 1000L);
        return clampMtime != null && s > clampMtime ? clampMtime : s;
    }

    private static void fill(TarArchiveEntry e, int mode, int uid, int gid, long mtime) {
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(FileTime.from(mtime, java.util.concurrent.TimeUnit.SECONDS));
    }

    private void xattrs(Path p, String rel, TarArchiveEntry e) throws IOException {
        List<String> names = new ArrayList<>(Posix.llistxattr(p.toString()));
        names.sort(null);
        for (String name : names) {
            if (name.startsWith(OVERLAY_XATTR_PREFIX)) continue;
            byte[] v = Posix.lgetxattr(p.toString(), name);
            if (v == null) continue;
            if (PaxXattrs.isUtf8(v, 0, v.length)) {
                e.addPaxHeader(PaxXattrs.SCHILY + name, new String(v, StandardCharsets.UTF_8));
            } else {
                // commons-compress writes PAX values as UTF-8 text: a binary value goes in
                // libarchive's base64 form, which PaxXattrs turns into Docker's raw form
                e.addPaxHeader(PaxXattrs.LIBARCHIVE + PaxXattrs.percentEncode(name), Base64.getEncoder().encodeToString(v));
            }
        }
    }

    private void put(TarArchiveEntry e, Path content) throws IOException {
        tar.putArchiveEntry(e);
        if (content != null) {
            try (InputStream in = Files.newInputStream(content, NOFOLLOW_LINKS)) {
                long n = in.transferTo(tar);
                if (n != e.getSize()) throw new IOException(content + " changed size while being archived");
                bytes += n;
            }
        }
        tar.closeArchiveEntry();
        entries++;
    }
}
