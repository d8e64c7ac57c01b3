package dev.berth.daemon.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedArchiveTest {
    @TempDir Path tmp;

    private StagedArchive stage(byte[] tar) throws IOException {
        return StagedArchive.read(new ByteArrayInputStream(tar), tmp);
    }

    private static String text(StagedArchive.StagedFile f) throws IOException {
        return Files.readString(f.path());
    }

    @Test
    void stagesFilesHashedUnderNumberedNames() throws IOException {
        StagedArchive a = stage(new TarBuilder().dir("blobs").file("./blobs/a", "A").file("/abs/b", "B").file("x/../c", "C").bytes());
        StagedArchive.StagedFile f = a.file("blobs/a");
        assertEquals("A", text(f));
        assertEquals(Digest.of("A".getBytes(StandardCharsets.UTF_8)), f.digest());
        assertEquals(1, f.size());
        assertEquals(tmp, f.path().getParent(), "staged by number, not by archive path");
        assertEquals("B", text(a.file("abs/b")));
        assertEquals("C", text(a.file("c")));
        assertEquals("C", text(a.file("./x/../c")));
        assertNull(a.file("nothing"));
        assertEquals(4, a.entries());
    }

    @Test
    void laterEntriesReplaceEarlierOnes() throws IOException {
        StagedArchive a = stage(new TarBuilder().file("m", "old").symlink("l", "m").file("l", "new").bytes());
        assertEquals("new", text(a.file("l")));
        assertEquals("old", text(a.file("m")));
    }

    @Test
    void namesOutsideTheArchiveAreRefused() {
        var e = assertThrows(BerthException.InvalidArgument.class, () -> stage(new TarBuilder().file("a/../../evil", "x").bytes()));
        assertEquals("invalid archive: entry \"a/../../evil\" is outside of the archive", e.getMessage());
    }

    @Test
    void symlinksResolveInsideTheArchive() throws IOException {
        StagedArchive a = stage(new TarBuilder()
                .file("abc.tar", "layer")
                .symlink("id1/layer.tar", "../abc.tar")
                .symlink("id2/layer.tar", "/abc.tar")
                .symlink("dir", "id1")
                .symlink("chain", "dir/layer.tar")
                .hardlink("hard", "abc.tar")
                .bytes());
        for (String p : List.of("id1/layer.tar", "id2/layer.tar", "dir/layer.tar", "chain", "hard")) {
            assertEquals("layer", text(a.file(p)), p);
        }
        assertEquals("abc.tar", a.resolve("dir/../chain"));
    }

    @Test
    void linksThatClimbOutAreRefused() {
        var sym = assertThrows(BerthException.InvalidArgument.class,
                () -> stage(new TarBuilder().symlink("x/layer.tar", "../../etc/passwd").bytes()));
        assertEquals("invalid archive: invalid symlink \"x/layer.tar\" -> \"../../etc/passwd\"", sym.getMessage());
        var hard = assertThrows(BerthException.InvalidArgument.class,
                () -> stage(new TarBuilder().hardlink("x", "../etc/passwd").bytes()));
        assertEquals("invalid archive: invalid hardlink \"x\" -> \"../etc/passwd\"", hard.getMessage());
    }

    @Test
    void absoluteSymlinksStayInScope() throws IOException {
        StagedArchive a = stage(new TarBuilder().symlink("p", "/etc/passwd").bytes());
        assertNull(a.file("p"), "/etc/passwd of the archive, which it does not have");
    }

    @Test
    void lookupsOutsideTheArchiveAndLinkLoopsAreRefused() throws IOException {
        StagedArchive a = stage(new TarBuilder().symlink("a", "b").symlink("b", "a").bytes());
        var loop = assertThrows(BerthException.InvalidArgument.class, () -> a.file("a"));
        assertTrue(loop.getMessage().contains("too many levels of links"), loop.getMessage());
        var out = assertThrows(BerthException.InvalidArgument.class, () -> a.file("../../etc/passwd"));
        assertEquals("invalid archive: path \"../../etc/passwd\" is outside of the archive", out.getMessage());
    }

    @Test
    void blobsMustHashToTheirNames() throws IOException {
        String good = Digest.of("good".getBytes(StandardCharsets.UTF_8)).hex();
        stage(new TarBuilder().file("blobs/sha256/" + good, "good").file("blobs/sha256/notadigest", "x").bytes()).verifyBlobNames();
        Path other = Files.createDirectory(tmp.resolve("other"));
        StagedArchive bad = StagedArchive.read(new ByteArrayInputStream(
                new TarBuilder().file("blobs/sha256/" + good, "evil").bytes()), other);
        var e = assertThrows(BerthException.InvalidArgument.class, bad::verifyBlobNames);
        assertEquals("invalid archive: blobs/sha256/" + good + ": unexpected digest "
                + Digest.of("evil".getBytes(StandardCharsets.UTF_8)) + ", expected sha256:" + good, e.getMessage());
    }

    @Test
    void garbageIsAnInvalidArchive() {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        var e = assertThrows(BerthException.InvalidArgument.class, () -> stage(noise));
        assertTrue(e.getMessage().startsWith("invalid archive: "), e.getMessage());
    }

    @Test
    void truncatedEntryIsAnInvalidArchive() {
        byte[] tar = new TarBuilder().file("big", "x".repeat(5000)).bytes();
        byte[] cut = java.util.Arrays.copyOf(tar, 2048);
        var e = assertThrows(BerthException.InvalidArgument.class, () -> stage(cut));
        assertTrue(e.getMessage().startsWith("invalid archive: "), e.getMessage());
    }

    @Test
    void componentsResolveDotsLexically() {
        assertEquals(List.of("a", "c"), StagedArchive.components("/./a//b/../c/"));
        assertEquals(List.of(), StagedArchive.components("./"));
        assertNull(StagedArchive.components("a/../.."));
    }
}
