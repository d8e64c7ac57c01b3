package dev.berth.daemon.snapshot;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.PosixException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Unpacks one image layer (an uncompressed tar stream) into an empty directory that becomes an
 * overlayfs lower dir, the way Docker's tar applier does, with OCI whiteouts converted to
 * overlayfs form:
 * <ul>
 *   <li>{@code dir/.wh.name} becomes a 0/0 character device at {@code dir/name};</li>
 *   <li>{@code dir/.wh..wh..opq} sets {@code trusted.overlay.opaque=y} on {@code dir};</li>
 *   <li>no file named {@code .wh.*} is ever created.</li>
 * </ul>
 *
 * <p>Layers are untrusted input. Entry names are normalised lexically ("/" and "./" prefixes
 * dropped, "." and ".." resolved); a name that climbs above the root, a parent component that
 * is a symlink, or a hardlink to anything outside the layer fails the whole unpack with
 * {@link InvalidLayerException}. Nothing is ever created through a symlink: every parent is
 * checked with lstat, files are created with O_EXCL, and metadata calls do not follow links.
 * Symlink targets themselves are stored verbatim and never resolved (absolute targets such as
 * {@code /bin/busybox} are normal). Device nodes are not created. These checks assume nobody
 * else writes into {@code dest} while it is being unpacked.
 *
 * <p>When an entry's path already exists, a directory entry over a directory only updates its
 * metadata; anything else replaces the existing node (a directory recursively).
 *
 * <p>Metadata: owner (lchown, symlinks included), all 12 mode bits (not for symlinks, which
 * have no mode of their own; not for hardlinks, whose inode belongs to the entry that created
 * it), extended attributes from PAX headers, and mtime (atime is set to the same value).
 * Directory times are set after the whole layer is written, since creating children changes them.
 */
public final class LayerUnpacker {
    /**
     * @param entries tar entries read (including those skipped)
     * @param bytes   bytes of regular-file content written
     * @param skipped what was not applied, as {@code "<path>: <reason>"}: entries not created
     *                (device nodes, unsupported types) and extended attributes not set
     */
    public record Result(long entries, long bytes, List<String> skipped) {}

    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    /** PAX xattr record as written by Go, GNU tar and star: the value is the raw attribute bytes. */
    private static final String PAX_SCHILY_XATTR = "SCHILY.xattr.";
    /** PAX xattr record as written by libarchive: URL-encoded name, base64 value (lossless). */
    private static final String PAX_LIBARCHIVE_XATTR = "LIBARCHIVE.xattr.";
    /** overlayfs reads these from lower dirs (opaque, redirect, origin, metacopy...); a layer must not forge them. */
    private static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 means "unchanged" to chown

    private enum Kind { FILE, DIR, SYMLINK, HARDLINK, FIFO, CHAR_DEVICE, BLOCK_DEVICE, UNSUPPORTED }

    private final Path root;
    private final List<String> skipped = new ArrayList<>();
    /** Directories written by entries, with their mtime, applied once all entries are written. */
    private final Map<Path, Long> directoryTimes = new HashMap<>();
    private long entries;
    private long bytes;

    private LayerUnpacker(Path root) {
        this.root = root;
    }

    /**
     * Unpacks {@code tar} into {@code dest}, an existing (normally empty) directory.
     *
     * <p>On success the stream has been read to its very end, trailing padding included, so a
     * caller hashing it sees every byte; it is not closed. After a failure the stream is left
     * where the failure happened, and {@code dest} is partly written: discard it.
     */
    public static Result unpack(InputStream tar, Path dest) throws IOException {
        if (!Files.isDirectory(dest, NOFOLLOW_LINKS)) throw new NotDirectoryException(dest.toString());
        return new LayerUnpacker(dest).run(tar);
    }

    private Result run(InputStream stream) throws IOException {
        InputStream source = new ReadingSkips(PaxXattrs.forReading(stream));
        // Not closed: closing would close the caller's stream.
        TarArchiveInputStream tar = new TarArchiveInputStream(source);
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
            entries++;
            apply(e, tar);
        }
        source.transferTo(OutputStream.nullOutputStream());
        applyDirectoryTimes();
        return new Result(entries, bytes, List.copyOf(skipped));
    }

    // ---------------------------------------------------------------- entries

    private void apply(TarArchiveEntry e, InputStream data) throws IOException {
        String name = e.getName();
        List<String> parts = components(name, "entry \"" + name + "\"");
        Kind kind = kind(e);
        if (parts.isEmpty()) {
            applyRoot(e, kind);
            return;
        }
        String rel = String.join("/", parts);
        List<String> parents = parts.subList(0, parts.size() - 1);
        String base = parts.getLast();

        for (String parent : parents) {
            if (parent.startsWith(WHITEOUT_PREFIX)) {
                skipped.add(rel + ": inside a whiteout name");
                return;
            }
        }
        if (base.equals(OPAQUE_MARKER)) {
            Path dir = ensureDirectories(parents, name);
            Posix.lsetxattr(dir.toString(), OPAQUE_XATTR, new byte[] {'y'});
            return;
        }
        if (base.startsWith(WHITEOUT_META_PREFIX)) {
            skipped.add(rel + ": AUFS metadata");
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX)) {
            whiteout(e, parents, base.substring(WHITEOUT_PREFIX.length()), name);
            return;
        }

        switch (kind) {
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                skipped.add(rel + ": " + (kind == Kind.CHAR_DEVICE ? "character" : "block")
                        + " device " + e.getDevMajor() + ":" + e.getDevMinor() + " not created");
                return;
            }
            case UNSUPPORTED -> {
                skipped.add(rel + ": unsupported tar entry type '" + (char) e.getLinkFlag() + "'");
                return;
            }
            default -> { }
        }

        Path path = ensureDirectories(parents, name).resolve(base);
        Path linkTarget = null;
        if (kind == Kind.HARDLINK) {
            // Validated before anything at path is removed, as the target may be that very node.
            linkTarget = hardlinkTarget(e, name);
            if (linkTarget.equals(path)) {
                skipped.add(rel + ": hardlink to itself");
                return;
            }
        }

        BasicFileAttributes existing = lstat(path);
        if (existing != null && !(existing.isDirectory() && kind == Kind.DIR)) {
            remove(path, existing);
            existing = null;
        }

        switch (kind) {
            case FILE -> {
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, NOFOLLOW_LINKS)) {
                    bytes += data.transferTo(out);
                }
            }
            case DIR -> {
                if (existing == null) Files.createDirectory(path);
            }
            case SYMLINK -> {
                if (e.getLinkName().isEmpty()) throw new InvalidLayerException("symlink \"" + name + "\" has an empty target");
                Posix.symlink(e.getLinkName(), path.toString());
            }
            case HARDLINK -> {
                Files.createLink(path, linkTarget);
                return; // shares the target's inode, and so its metadata
            }
            case FIFO -> Posix.mkfifo(path.toString(), 0600);
            default -> throw new IllegalStateException("unexpected kind " + kind);
        }
        applyMetadata(path, rel, e, kind);
    }

    /** An entry naming the layer root itself ("./", "/"): a directory entry sets the root's metadata. */
    private void applyRoot(TarArchiveEntry e, Kind kind) throws IOException {
        if (kind != Kind.DIR) {
            throw new InvalidLayerException("entry \"" + e.getName() + "\" would replace the layer root");
        }
        applyMetadata(root, ".", e, kind);
    }

    /** OCI whiteout {@code parent/.wh.<name>} as an overlayfs whiteout: a 0/0 char device at parent/name. */
    private void whiteout(TarArchiveEntry e, List<String> parents, String hidden, String name) throws IOException {
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw new InvalidLayerException("entry \"" + name + "\" is not a valid whiteout");
        }
        Path path = ensureDirectories(parents, name).resolve(hidden);
        BasicFileAttributes existing = lstat(path);
        if (existing != null) remove(path, existing);
        Posix.mknod(path.toString(), Posix.S_IFCHR, Posix.makedev(0, 0));
        Posix.lchown(path.toString(), id(e.getLongUserId(), "uid", name), id(e.getLongGroupId(), "gid", name));
    }

    /** The hardlink's target: inside the layer, reached without symlinks, existing, not a directory. */
    private Path hardlinkTarget(TarArchiveEntry e, String name) throws IOException {
        String what = "hardlink \"" + name + "\" target \"" + e.getLinkName() + "\"";
        List<String> parts = components(e.getLinkName(), what);
        if (parts.isEmpty()) throw new InvalidLayerException(what + " is the layer root");
        Path target = root;
        for (int i = 0; i < parts.size(); i++) {
            target = target.resolve(parts.get(i));
            BasicFileAttributes a = lstat(target);
            if (a == null) throw new InvalidLayerException(what + " does not exist");
            boolean last = i == parts.size() - 1;
            if (!last && a.isSymbolicLink()) throw new InvalidLayerException(what + " traverses symlink \"" + relative(target) + "\"");
            if (!last && !a.isDirectory()) throw new InvalidLayerException(what + " does not exist");
            if (last && a.isDirectory()) throw new InvalidLayerException(what + " is a directory");
        }
        return target;
    }

    // ---------------------------------------------------------------- metadata

    /** Owner first (chown clears setuid/setgid and file capabilities), then mode, xattrs, time. */
    private void applyMetadata(Path path, String rel, TarArchiveEntry e, Kind kind) throws IOException {
        String p = path.toString();
        Posix.lchown(p, id(e.getLongUserId(), "uid", e.getName()), id(e.getLongGroupId(), "gid", e.getName()));
        if (kind != Kind.SYMLINK) Posix.chmod(p, e.getMode() & 07777);
        applyXattrs(p, rel, e, kind);
        long mtime = e.getLastModifiedTime().to(TimeUnit.NANOSECONDS); // saturates beyond year 2262
        if (kind == Kind.DIR) {
            directoryTimes.put(path, mtime);
        } else {
            Posix.utimensNoFollow(p, mtime);
        }
    }

    private void applyXattrs(String path, String rel, TarArchiveEntry e, Kind kind) throws IOException {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            String key = h.getKey();
            if (!key.startsWith(PAX_SCHILY_XATTR)) continue;
            String name = key.substring(PAX_SCHILY_XATTR.length());
            // values that are not UTF-8 (a file capability, say) arrive in the LIBARCHIVE form
            // below: PaxXattrs rewrote them before commons-compress could decode them as text
            xattrs.put(name, h.getValue().getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            String key = h.getKey();
            if (!key.startsWith(PAX_LIBARCHIVE_XATTR)) continue;
            try {
                xattrs.put(percentDecode(key.substring(PAX_LIBARCHIVE_XATTR.length())),
                        Base64.getDecoder().decode(h.getValue().trim()));
            } catch (IllegalArgumentException bad) {
                throw new InvalidLayerException("entry \"" + e.getName() + "\" has a malformed " + key + " header");
            }
        }
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            String name = x.getKey();
            if (name.startsWith(OVERLAY_XATTR_PREFIX)) {
                skipped.add(rel + ": xattr " + name + " not set (reserved for overlayfs)");
            } else if (x.getValue() == null) {
                skipped.add(rel + ": xattr " + name + " not set (binary value damaged by tar decoding)");
            } else {
                try {
                    Posix.lsetxattr(path, name, x.getValue());
                } catch (PosixException ex) {
                    // The filesystem may not support xattrs (or this namespace); user.* is refused
                    // by the kernel on anything but regular files and directories.
                    boolean userOnSpecial = ex.errno() == Posix.EPERM && name.startsWith("user.")
                            && kind != Kind.FILE && kind != Kind.DIR;
                    if (ex.errno() != Posix.ENOTSUP && !userOnSpecial) throw ex;
                }
            }
        }
    }

    private void applyDirectoryTimes() throws IOException {
        for (Map.Entry<Path, Long> d : directoryTimes.entrySet()) {
            Posix.utimensNoFollow(d.getKey().toString(), d.getValue());
        }
    }

    private static int id(long id, String what, String name) throws InvalidLayerException {
        if (id < 0 || id > MAX_ID) throw new InvalidLayerException("entry \"" + name + "\" has invalid " + what + " " + id);
        return (int) id;
    }

    // ---------------------------------------------------------------- paths

    /**
     * The components of a tar name once "", "." and ".." are resolved lexically, e.g.
     * "/./a//b/../c/" -> [a, c]; empty for the root.
     *
     * @throws InvalidLayerException if ".." climbs above the root
     */
    static List<String> components(String name, String what) throws InvalidLayerException {
        List<String> out = dev.berth.api.PathNames.components(name);
        if (out == null) throw new InvalidLayerException(what + " escapes the layer root");
        return out;
    }

    /**
     * The directory root/parents..., creating missing ones (mode 0755, owned by us) and refusing
     * to pass through a symlink or a non-directory.
     */
    private Path ensureDirectories(List<String> parents, String name) throws IOException {
        Path dir = root;
        for (String part : parents) {
            dir = dir.resolve(part);
            BasicFileAttributes a = lstat(dir);
            if (a == null) {
                Files.createDirectory(dir);
                Posix.chmod(dir.toString(), 0755);
            } else if (a.isSymbolicLink()) {
                throw new InvalidLayerException("entry \"" + name + "\" traverses symlink \"" + relative(dir) + "\"");
            } else if (!a.isDirectory()) {
                throw new InvalidLayerException("entry \"" + name + "\" needs \"" + relative(dir) + "\" to be a directory");
            }
        }
        return dir;
    }

    /** Removes a node, a directory with everything below it; symlinks are removed, never followed. */
    private void remove(Path path, BasicFileAttributes attrs) throws IOException {
        if (attrs.isDirectory()) {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) throw failure;
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            directoryTimes.keySet().removeIf(d -> d.startsWith(path));
        } else {
            Files.delete(path);
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString();
    }

    /** lstat: the node's own attributes, or null if nothing is there. */
    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- tar details

    private static Kind kind(TarArchiveEntry e) {
        return switch (e.getLinkFlag()) {
            // Pre-POSIX tars mark directories only by a trailing slash.
            case TarConstants.LF_OLDNORM -> e.getName().endsWith("/") ? Kind.DIR : Kind.FILE;
            case TarConstants.LF_NORMAL, TarConstants.LF_CONTIG, TarConstants.LF_GNUTYPE_SPARSE -> Kind.FILE;
            case TarConstants.LF_DIR -> Kind.DIR;
            case TarConstants.LF_SYMLINK -> Kind.SYMLINK;
            case TarConstants.LF_LINK -> Kind.HARDLINK;
            case TarConstants.LF_FIFO -> Kind.FIFO;
            case TarConstants.LF_CHR -> Kind.CHAR_DEVICE;
            case TarConstants.LF_BLK -> Kind.BLOCK_DEVICE;
            default -> Kind.UNSUPPORTED;
        };
    }

    /** libarchive's URL-encoding of xattr names: %XX for bytes outside printable ASCII, '%' and '='. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length) {
                int hi = Character.digit(in[i + 1], 16), lo = Character.digit(in[i + 2], 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out.write(in[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Implements skip() by reading, so data the tar reader skips (unused entries, padding) still
     * passes through any digesting stream the caller wrapped around the layer.
     */
    private static final class ReadingSkips extends FilterInputStream {
        private final byte[] scratch = new byte[8192];

        ReadingSkips(InputStream in) {
            super(in);
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) return 0;
            long left = n;
            while (left > 0) {
                int r = in.read(scratch, 0, (int) Math.min(left, scratch.length));
                if (r < 0) break;
                left -= r;
            }
            return n - left;
        }
    }
}
