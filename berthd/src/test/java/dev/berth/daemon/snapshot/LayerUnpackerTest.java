package dev.berth.daemon.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.os.Posix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerUnpackerTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final Instant T1 = Instant.parse("2020-01-02T03:04:05Z");
    // commons-compress writes PAX mtimes with 100 ns precision.
    private static final Instant T2 = Instant.parse("2021-06-07T08:09:10.1234567Z");

    @TempDir Path tmp;
    private Path dest;

    @BeforeEach
    void setUp() throws IOException {
        dest = Files.createDirectory(tmp.resolve("layer"));
    }

    // ---------------------------------------------------------------- happy paths

    @Test
    void unpacksFilesDirectoriesLinksAndMetadata() throws IOException {
        assumeRoot();
        String longName = "deep/" + "n".repeat(120) + "/file.txt";
        byte[] tar = new Tar()
                .dir("etc", 0755, 0, T1)
                .file("etc/hosts", "127.0.0.1 localhost\n", 0644, 1000, T2)
                .file("bin/su", "#!su", 04755, 0, T1)           // "bin" is created implicitly
                .symlink("bin/sh", "/bin/busybox", 1000)
                .hardlink("etc/hosts.bak", "etc/hosts")
                .fifo("run/ctl", 0620)
                .file(longName, "long", 0600, 0, T1)
                .build();

        LayerUnpacker.Result r = LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);

        assertEquals(7, r.entries());
        assertEquals(20 + 4 + 4, r.bytes());
        assertEquals(List.of(), r.skipped());

        Path hosts = dest.resolve("etc/hosts");
        assertEquals("127.0.0.1 localhost\n", Files.readString(hosts));
        assertEquals(0644, mode(hosts));
        assertEquals(1000, uid(hosts));
        assertEquals(1000, gid(hosts));
        assertEquals(T2, Files.getLastModifiedTime(hosts, NOFOLLOW).toInstant());

        Path su = dest.resolve("bin/su");
        assertEquals(04755, mode(su));
        assertEquals(0755, mode(dest.resolve("bin")));

        Path sh = dest.resolve("bin/sh");
        assertTrue(Files.isSymbolicLink(sh));
        assertEquals("/bin/busybox", Files.readSymbolicLink(sh).toString());
        assertEquals(1000, uid(sh));

        Path bak = dest.resolve("etc/hosts.bak");
        assertEquals(Files.getAttribute(hosts, "unix:ino"), Files.getAttribute(bak, "unix:ino"));
        assertEquals(2, Files.getAttribute(hosts, "unix:nlink"));

        Path ctl = dest.resolve("run/ctl");
        assertEquals(Posix.S_IFIFO, type(ctl));
        assertEquals(0620, mode(ctl));

        assertEquals("long", Files.readString(dest.resolve(longName)));

        // Directory times are applied after their children were written.
        assertEquals(T1, Files.getLastModifiedTime(dest.resolve("etc"), NOFOLLOW).toInstant());
    }

    @Test
    void absoluteAndDotPrefixedNamesAreRelativeToTheLayer() throws IOException {
        byte[] tar = new Tar()
                .dir("./", 0751, own(), T1)
                .file("/abs/file", "a", 0644, own(), T1)
                .file("./rel/file", "r", 0644, own(), T1)
                .file("x/./y/../z", "z", 0644, own(), T1)
                .build();
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);
        assertEquals("a", Files.readString(dest.resolve("abs/file")));
        assertEquals("r", Files.readString(dest.resolve("rel/file")));
        assertEquals("z", Files.readString(dest.resolve("x/z")));
        assertFalse(Files.exists(dest.resolve("x/y")));
        assertEquals(0751, mode(dest)); // the root entry sets the layer root's metadata
    }

    @Test
    void absoluteSymlinkTargetIsKeptVerbatim() throws Exception {
        byte[] tar = new Tar()
                .symlink("abs", "/usr/bin/../lib//x/", own())
                .symlink("rel", "../../../../etc/shadow", own())
                .build();
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);
        assertEquals("/usr/bin/../lib//x/", readlink(dest.resolve("abs")));
        assertEquals("../../../../etc/shadow", readlink(dest.resolve("rel")));
    }

    @Test
    void replacesFileByDirectoryAndDirectoryByFile() throws IOException {
        byte[] tar = new Tar()
                .file("x", "file", 0644, own(), T1)
                .dir("x", 0700, own(), T1)
                .file("x/child", "c", 0644, own(), T1)
                .dir("y", 0755, own(), T1)
                .file("y/inner/deep", "d", 0644, own(), T1)
                .symlink("y/link", "/", own())
                .file("y", "now a file", 0600, own(), T2)
                .dir("z", 0755, own(), T1)
                .file("z/keep", "k", 0644, own(), T1)
                .dir("z", 0700, own(), T2) // directory over directory: merged, metadata updated
                .build();
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);

        assertTrue(Files.isDirectory(dest.resolve("x"), NOFOLLOW));
        assertEquals(0700, mode(dest.resolve("x")));
        assertEquals("c", Files.readString(dest.resolve("x/child")));

        assertTrue(Files.isRegularFile(dest.resolve("y"), NOFOLLOW));
        assertEquals("now a file", Files.readString(dest.resolve("y")));
        assertEquals(T2, Files.getLastModifiedTime(dest.resolve("y"), NOFOLLOW).toInstant());

        assertEquals("k", Files.readString(dest.resolve("z/keep")));
        assertEquals(0700, mode(dest.resolve("z")));
        assertEquals(T2, Files.getLastModifiedTime(dest.resolve("z"), NOFOLLOW).toInstant());
    }

    // ---------------------------------------------------------------- hostile layers

    @Test
    void dotDotEscapeIsRejectedAndNothingIsWrittenOutside() throws IOException {
        Path sibling = Files.createDirectory(tmp.resolve("sibling"));
        for (String name : List.of("../sibling/evil", "a/../../sibling/evil", "/../sibling/evil")) {
            byte[] tar = new Tar().file(name, "pwned", 0644, own(), T1).build();
            InvalidLayerException e = assertThrows(InvalidLayerException.class,
                    () -> LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest));
            assertEquals("invalid layer: entry \"" + name + "\" escapes the layer root", e.getMessage());
        }
        assertEquals(List.of(), list(sibling));
        assertEquals(List.of(), list(dest));
    }

    @Test
    void writingThroughASymlinkToOutsideIsRejected() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        byte[] tar = new Tar()
                .symlink("link", outside.toString(), own())
                .file("link/file", "pwned", 0644, own(), T1)
                .build();
        InvalidLayerException e = assertThrows(InvalidLayerException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest));
        assertTrue(e.getMessage().contains("traverses symlink \"link\""), e.getMessage());
        assertEquals(List.of(), list(outside));
    }

    @Test
    void relativeSymlinkClimbingOutIsNotFollowed() throws IOException {
        Path sibling = Files.createDirectory(tmp.resolve("sibling"));
        byte[] tar = new Tar()
                .dir("a", 0755, own(), T1)
                .symlink("a/up", "../../", own())
                .file("a/up/sibling/file", "pwned", 0644, own(), T1)
                .build();
        InvalidLayerException e = assertThrows(InvalidLayerException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest));
        assertTrue(e.getMessage().contains("traverses symlink \"a/up\""), e.getMessage());
        assertEquals(List.of(), list(sibling));

        // Replacing the symlink itself is fine: only passing through it is not.
        byte[] ok = new Tar().symlink("up", "../../", own()).file("up", "plain", 0644, own(), T1).build();
        Path dest2 = Files.createDirectory(tmp.resolve("layer2"));
        LayerUnpacker.unpack(new ByteArrayInputStream(ok), dest2);
        assertEquals("plain", Files.readString(dest2.resolve("up")));
    }

    @Test
    void hardlinkOutsideTheLayerIsRejected() throws IOException {
        byte[] escape = new Tar().hardlink("passwd", "../../etc/passwd").build();
        InvalidLayerException e = assertThrows(InvalidLayerException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(escape), dest));
        assertEquals("invalid layer: hardlink \"passwd\" target \"../../etc/passwd\" escapes the layer root", e.getMessage());
        assertFalse(Files.exists(dest.resolve("passwd"), NOFOLLOW));

        byte[] viaSymlink = new Tar().symlink("etc", "/etc", own()).hardlink("passwd", "etc/passwd").build();
        e = assertThrows(InvalidLayerException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(viaSymlink), dest));
        assertTrue(e.getMessage().contains("traverses symlink \"etc\""), e.getMessage());

        byte[] missing = new Tar().hardlink("h", "nothing/here").build();
        e = assertThrows(InvalidLayerException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(missing), dest));
        assertTrue(e.getMessage().endsWith("does not exist"), e.getMessage());
    }

    @Test
    void devicesAreSkipped() throws IOException {
        TarArchiveEntry chr = new TarArchiveEntry("dev/null", TarConstants.LF_CHR, true);
        chr.setDevMajor(1);
        chr.setDevMinor(3);
        TarArchiveEntry blk = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK, true);
        blk.setDevMajor(8);
        byte[] tar = new Tar().entry(chr, null).entry(blk, null).file("after", "ok", 0644, own(), T1).build();

        LayerUnpacker.Result r = LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);
        assertFalse(Files.exists(dest.resolve("dev/null"), NOFOLLOW));
        assertFalse(Files.exists(dest.resolve("dev/sda"), NOFOLLOW));
        assertEquals(3, r.entries());
        assertEquals(2, r.skipped().size());
        assertTrue(r.skipped().get(0).startsWith("dev/null: character device 1:3"), r.skipped().get(0));
        assertTrue(r.skipped().get(1).startsWith("dev/sda: block device"), r.skipped().get(1));
        assertEquals("ok", Files.readString(dest.resolve("after")));
    }

    // ---------------------------------------------------------------- whiteouts

    @Test
    void whiteoutBecomesCharDeviceZeroZero() throws IOException {
        assumeRoot();
        byte[] tar = new Tar()
                .dir("d", 0755, 0, T1)
                .file("d/.wh.gone", "", 0644, 0, T1)
                .file("d/replaced", "x", 0644, 0, T1)
                .file("d/.wh.replaced", "", 0644, 0, T1)  // a whiteout replaces what is there
                .file("implicit/.wh.other", "", 0644, 0, T1)
                .build();
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);

        for (String p : List.of("d/gone", "d/replaced", "implicit/other")) {
            Path wh = dest.resolve(p);
            assertEquals(Posix.S_IFCHR, type(wh), p);
            assertEquals(0L, Files.getAttribute(wh, "unix:rdev", NOFOLLOW), p);
        }
        try (Stream<Path> all = Files.walk(dest)) {
            assertFalse(all.anyMatch(p -> p.getFileName().toString().startsWith(".wh.")));
        }
    }

    @Test
    void opaqueMarkerSetsOverlayXattr() throws IOException {
        assumeRoot();
        byte[] tar = new Tar()
                .dir("opq", 0755, 0, T1)
                .file("opq/.wh..wh..opq", "", 0644, 0, T1)
                .file("missing/.wh..wh..opq", "", 0644, 0, T1)
                .file("plain/file", "f", 0644, 0, T1)
                .file(".wh..wh.plnk/123", "aufs", 0644, 0, T1)
                .build();
        LayerUnpacker.Result r = LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);
        assertArrayEquals(new byte[] {'y'}, Posix.lgetxattr(dest.resolve("opq").toString(), "trusted.overlay.opaque"));
        assertArrayEquals(new byte[] {'y'}, Posix.lgetxattr(dest.resolve("missing").toString(), "trusted.overlay.opaque"));
        assertNull(Posix.lgetxattr(dest.resolve("plain").toString(), "trusted.overlay.opaque"));
        assertEquals(List.of(), list(dest.resolve("opq")));
        assertFalse(Files.exists(dest.resolve(".wh..wh.plnk")));
        assertEquals(1, r.skipped().size());
    }

    // ---------------------------------------------------------------- xattrs and stream handling

    @Test
    void paxXattrsAreApplied() throws IOException {
        assumeRoot();
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        TarArchiveEntry f = fileEntry("f", 4);
        f.addPaxHeader("SCHILY.xattr.user.comment", "héllo");
        f.addPaxHeader("LIBARCHIVE.xattr.user.bin%3Dary", Base64.getEncoder().withoutPadding().encodeToString(cap));
        f.addPaxHeader("LIBARCHIVE.xattr.user.cap", Base64.getEncoder().encodeToString(cap));
        f.addPaxHeader("SCHILY.xattr.user.replacement", "\u0001\uFFFD"); // valid UTF-8 that holds U+FFFD
        f.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/etc");
        byte[] tar = new Tar().entry(f, "data".getBytes(StandardCharsets.UTF_8)).build();

        LayerUnpacker.Result r = LayerUnpacker.unpack(new ByteArrayInputStream(tar), dest);
        String p = dest.resolve("f").toString();
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), Posix.lgetxattr(p, "user.comment"));
        assertArrayEquals(cap, Posix.lgetxattr(p, "user.bin=ary"));
        assertArrayEquals(cap, Posix.lgetxattr(p, "user.cap"));
        assertArrayEquals("\u0001\uFFFD".getBytes(StandardCharsets.UTF_8), Posix.lgetxattr(p, "user.replacement"));
        assertNull(Posix.lgetxattr(p, "trusted.overlay.redirect"));
        assertEquals(1, r.skipped().size(), r.skipped().toString());

        // the same tar as Go's archive/tar (Docker) writes it: the binary value raw in SCHILY.xattr
        java.io.ByteArrayOutputStream go = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream w = PaxXattrs.forWriting(go)) {
            w.write(tar);
        }
        assertTrue(indexOf(go.toByteArray(), PaxXattrs.record("SCHILY.xattr.user.cap", cap)) >= 0);
        Path dest2 = tmp.resolve("go");
        Files.createDirectories(dest2);
        LayerUnpacker.unpack(new ByteArrayInputStream(go.toByteArray()), dest2);
        assertArrayEquals(cap, Posix.lgetxattr(dest2.resolve("f").toString(), "user.cap"));
        assertArrayEquals(cap, Posix.lgetxattr(dest2.resolve("f").toString(), "user.bin=ary")); // a name SCHILY cannot hold stays libarchive's
        assertEquals("data", Files.readString(dest2.resolve("f")));
    }

    /** Where {@code needle} first occurs in {@code hay}, or -1. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void streamIsConsumedToTheEnd() throws IOException {
        TarArchiveEntry chr = new TarArchiveEntry("dev/x", TarConstants.LF_CHR, true);
        byte[] tar = new Tar().file("a", "x".repeat(5000), 0644, own(), T1).entry(chr, null).build();
        byte[] withTrailer = new byte[tar.length + 1536]; // extra zero records after the end marker
        System.arraycopy(tar, 0, withTrailer, 0, tar.length);
        CountingStream in = new CountingStream(new ByteArrayInputStream(withTrailer));

        LayerUnpacker.Result r = LayerUnpacker.unpack(in, dest);
        assertEquals(withTrailer.length, in.count);
        assertEquals(5000, r.bytes());
    }

    @Test
    void destinationMustBeADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "");
        assertThrows(NotDirectoryException.class,
                () -> LayerUnpacker.unpack(new ByteArrayInputStream(new Tar().build()), file));
    }

    @Test
    void componentsNormaliseLexically() throws IOException {
        assertEquals(List.of("a", "c"), LayerUnpacker.components("/./a//b/../c/", "x"));
        assertEquals(List.of(), LayerUnpacker.components("./", "x"));
        assertThrows(InvalidLayerException.class, () -> LayerUnpacker.components("a/../..", "x"));
    }

    // ---------------------------------------------------------------- helpers

    private static void assumeRoot() {
        assumeTrue(Posix.getuid() == 0, "needs root");
    }

    /** Our uid: entries owned by it can be unpacked without privileges. */
    private static int own() {
        return Posix.getuid();
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static int type(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 0170000;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", NOFOLLOW);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static String readlink(Path p) throws Exception {
        Process readlink = new ProcessBuilder("readlink", p.toString()).start();
        String out = new String(readlink.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, readlink.waitFor());
        return out.substring(0, out.length() - 1);
    }

    private static TarArchiveEntry fileEntry(String name, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(size);
        e.setMode(0100644);
        e.setIds(own(), own());
        e.setLastModifiedTime(FileTime.from(T1));
        return e;
    }

    /** Builds a PAX tar in memory; names are kept as given (absolute ones too). */
    private static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar() {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            out.setAddPaxHeadersForNonAsciiNames(true);
        }

        Tar dir(String name, int mode, int uid, Instant mtime) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
            return entry(meta(e, mode, uid, mtime), null);
        }

        Tar file(String name, String content, int mode, int uid, Instant mtime) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(data.length);
            return entry(meta(e, mode, uid, mtime), data);
        }

        Tar symlink(String name, String target, int uid) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            return entry(meta(e, 0777, uid, T1), null);
        }

        Tar hardlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(target);
            return entry(meta(e, 0, own(), T1), null); // mode 0: must not clobber the shared inode
        }

        Tar fifo(String name, int mode) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
            return entry(meta(e, mode, own(), T1), null);
        }

        Tar entry(TarArchiveEntry e, byte[] data) throws IOException {
            out.putArchiveEntry(e);
            if (data != null) out.write(data);
            out.closeArchiveEntry();
            return this;
        }

        byte[] build() throws IOException {
            out.close();
            return bytes.toByteArray();
        }

        private static TarArchiveEntry meta(TarArchiveEntry e, int mode, int uid, Instant mtime) {
            e.setMode(mode);
            e.setIds(uid, uid);
            e.setLastModifiedTime(FileTime.from(mtime));
            return e;
        }
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) {
            throw new AssertionError("skip would bypass a digest");
        }
    }
}
