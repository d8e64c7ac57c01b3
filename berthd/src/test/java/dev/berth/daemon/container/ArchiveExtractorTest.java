package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.os.Posix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveExtractorTest {
    @TempDir Path tmp;
    private Path root, outside;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Posix.getuid() == 0, "extraction sets owners: needs root");
        root = Files.createDirectories(tmp.resolve("rootfs"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root\n");
    }

    private static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar file(String name, String content) throws IOException {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(b.length);
            e.setMode(0640);
            e.setIds(1000, 1001);
            out.putArchiveEntry(e);
            out.write(b);
            out.closeArchiveEntry();
            return this;
        }

        Tar dir(String name) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(0750);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar link(String name, String target, byte type) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type);
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        ByteArrayInputStream stream() throws IOException {
            out.finish();
            return new ByteArrayInputStream(bytes.toByteArray());
        }
    }

    private void extract(Tar t, String dest) throws IOException {
        extract(t, dest, true, null);
    }

    /** The extractor works from a descriptor of the root, as ContainerRootfs holds it. */
    private void extract(Tar t, String dest, boolean noOverwriteDirNonDir, int[] chown) throws IOException {
        int fd = Posix.open(root.toString(), RootDirs.O_PATH | RootDirs.O_DIRECTORY | Posix.O_CLOEXEC);
        try {
            ArchiveExtractor.extract(t.stream(), fd, dest, noOverwriteDirNonDir, chown);
        } finally {
            Posix.close(fd);
        }
    }

    private long outsideCount() throws IOException {
        try (Stream<Path> s = Files.walk(outside)) {
            return s.count();
        }
    }

    @Test
    void extractsFilesDirsAndLinksWithOwnersAndModes() throws IOException {
        extract(new Tar().dir("d").file("d/f", "hello").link("d/l", "f", TarConstants.LF_SYMLINK)
                .link("d/h", "d/f", TarConstants.LF_LINK), "/tmp");
        Path f = root.resolve("tmp/d/f");
        assertEquals("hello", Files.readString(f));
        assertEquals(1000, Files.getAttribute(f, "unix:uid"));
        assertEquals(1001, Files.getAttribute(f, "unix:gid"));
        assertEquals(0640, (Integer) Files.getAttribute(f, "unix:mode") & 07777);
        assertEquals(0750, (Integer) Files.getAttribute(root.resolve("tmp/d"), "unix:mode") & 07777);
        assertEquals("f", Files.readSymbolicLink(root.resolve("tmp/d/l")).toString());
        assertEquals(2, Files.getAttribute(f, "unix:nlink"));
    }

    @Test
    void copyUidGidOwnsEverythingByTheContainerUser() throws IOException {
        extract(new Tar().file("f", "x"), "/tmp", true, new int[] {7, 8});
        assertEquals(7, Files.getAttribute(root.resolve("tmp/f"), "unix:uid"));
        assertEquals(8, Files.getAttribute(root.resolve("tmp/f"), "unix:gid"));
    }

    @Test
    void dotDotNamesAreRefused() {
        BerthException e = assertThrows(BerthException.class, () -> extract(new Tar().file("../../outside/x", "pwned"), "/tmp"));
        assertEquals("\"../../outside/x\" is outside of \"/tmp\"", e.getMessage());
        assertFalse(Files.exists(outside.resolve("x")));
    }

    @Test
    void writingThroughAnAbsoluteSymlinkStaysInsideTheRoot() throws IOException {
        // "escape -> /" then "escape/../outside/x": in the container that is /outside/x, never the host's
        extract(new Tar().link("escape", "/", TarConstants.LF_SYMLINK).file("escape/etc/passwd", "in container")
                .link("up", "/../../..", TarConstants.LF_SYMLINK).file("up/outside/y", "still inside"), "/tmp");
        assertEquals("in container", Files.readString(root.resolve("etc/passwd")));
        assertEquals("still inside", Files.readString(root.resolve("outside/y")));
        assertEquals(1, outsideCount());
    }

    @Test
    void symlinksInTheContainerAreFollowedInsideTheRoot() throws IOException {
        Files.createSymbolicLink(root.resolve("tmp/host"), tmp); // absolute: means /<tmp> inside the container
        extract(new Tar().file("host/outside/z", "x"), "/tmp");
        assertEquals(1, outsideCount());
        assertTrue(Files.exists(root.resolve(tmp.toString().substring(1)).resolve("outside/z")));
    }

    @Test
    void relativeSymlinksAndHardlinksLeavingTheDestinationAreRefused() throws IOException {
        assertThrows(BerthException.class, () -> extract(new Tar().link("l", "../../x", TarConstants.LF_SYMLINK), "/tmp"));
        assertThrows(BerthException.class, () -> extract(new Tar().link("h", "../etc/passwd", TarConstants.LF_LINK), "/tmp"));
        assertFalse(Files.exists(root.resolve("tmp/l"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("tmp/h"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void anExistingSymlinkIsReplacedNotFollowed() throws IOException {
        Files.createSymbolicLink(root.resolve("tmp/f"), Path.of("/etc/passwd"));
        extract(new Tar().file("f", "new"), "/tmp");
        assertEquals("root\n", Files.readString(root.resolve("etc/passwd")));
        assertEquals("new", Files.readString(root.resolve("tmp/f")));
    }

    @Test
    void noOverwriteDirNonDir() throws IOException {
        Files.createDirectories(root.resolve("tmp/d"));
        Files.writeString(root.resolve("tmp/f"), "");
        BerthException a = assertThrows(BerthException.class, () -> extract(new Tar().file("d", "x"), "/tmp"));
        assertEquals("cannot overwrite directory \"/tmp/d\" with non-directory \"/tmp\"", a.getMessage());
        BerthException b = assertThrows(BerthException.class, () -> extract(new Tar().dir("f"), "/tmp"));
        assertEquals("cannot overwrite non-directory \"/tmp/f\" with directory \"/tmp\"", b.getMessage());
        // allowed when the client does not ask for it
        extract(new Tar().file("d", "x"), "/tmp", false, null);
        assertEquals("x", Files.readString(root.resolve("tmp/d")));
    }

    @Test
    void aParentSwappedForASymlinkIsResolvedInsideTheRoot() throws IOException {
        // what a running container could do between two entries: /tmp/d becomes a link to the host's dir
        extract(new Tar().dir("d"), "/tmp");
        Files.delete(root.resolve("tmp/d"));
        Files.createSymbolicLink(root.resolve("tmp/d"), outside);
        extract(new Tar().file("d/x", "inside"), "/tmp");
        assertEquals(1, outsideCount());
        assertEquals("inside", Files.readString(root.resolve(outside.toString().substring(1)).resolve("x")));
    }

    @Test
    void heldDirectoriesResolveLikeTheContainer() throws IOException {
        Files.createSymbolicLink(root.resolve("tmp/abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("tmp/rel"), Path.of("../../../../etc"));
        int fd = Posix.open(root.toString(), RootDirs.O_PATH | RootDirs.O_DIRECTORY | Posix.O_CLOEXEC);
        try {
            try (RootDirs.Dir d = RootDirs.open(fd, "/tmp/abs", false)) {
                assertEquals("/etc", d.path());
                assertTrue(Files.exists(d.host().resolve("passwd")));
            }
            try (RootDirs.Dir d = RootDirs.open(fd, "/tmp/rel/../tmp/./abs", false)) {
                assertEquals("/etc", d.path());
            }
            try (RootDirs.Dir d = RootDirs.open(fd, "/", false)) {
                assertEquals("/", d.path());
            }
            assertThrows(java.nio.file.NoSuchFileException.class, () -> RootDirs.open(fd, "/nope/x", false));
            assertThrows(java.nio.file.NotDirectoryException.class, () -> RootDirs.open(fd, "/etc/passwd/x", false));
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void missingParentsAreMade() throws IOException {
        extract(new Tar().file("a/b/c", "deep"), "/");
        assertEquals("deep", Files.readString(root.resolve("a/b/c")));
        assertEquals(0, Files.getAttribute(root.resolve("a/b"), "unix:uid"));
    }
}
