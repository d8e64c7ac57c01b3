package dev.berth.daemon.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.os.Posix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTarWriterTest {
    @TempDir Path tmp;

    private static Map<String, TarArchiveEntry> entries(byte[] tar) throws IOException {
        Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) out.put(e.getName(), e);
        }
        return out;
    }

    private static byte[] write(Path dir, Long clamp) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerTarWriter.write(dir, out, clamp);
        return out.toByteArray();
    }

    @Test
    void sortedParentsFirstAndDeterministic() throws IOException {
        Path d = tmp.resolve("d");
        Files.createDirectories(d.resolve("b/c"));
        Files.writeString(d.resolve("b/c/file"), "hello");
        Files.writeString(d.resolve("a"), "x");
        Files.createSymbolicLink(d.resolve("b/link"), Path.of("c/file"));
        Files.createLink(d.resolve("b/hard"), d.resolve("a"));
        Files.setPosixFilePermissions(d.resolve("a"), PosixFilePermissions.fromString("rwxr-x---"));
        byte[] first = write(d, null);
        Files.setLastModifiedTime(d.resolve("a"), Files.getLastModifiedTime(d.resolve("a"))); // touch nothing that matters
        Files.readAllBytes(d.resolve("b/c/file")); // atime may change: must not matter
        assertArrayEquals(first, write(d, null));

        Map<String, TarArchiveEntry> e = entries(first);
        assertEquals(List.of("a", "b/", "b/c/", "b/c/file", "b/hard", "b/link"), new ArrayList<>(e.keySet()));
        assertEquals(0750, e.get("a").getMode() & 07777);
        assertTrue(e.get("b/hard").isLink());
        assertEquals("a", e.get("b/hard").getLinkName());
        assertTrue(e.get("b/link").isSymbolicLink());
        assertEquals("c/file", e.get("b/link").getLinkName());
        assertEquals(5, e.get("b/c/file").getSize());
        assertEquals("", e.get("a").getUserName());
    }

    @Test
    void clampsMtimes() throws IOException {
        Path d = tmp.resolve("d");
        Files.createDirectories(d);
        Files.writeString(d.resolve("new"), "n");
        Files.writeString(d.resolve("old"), "o");
        Files.setLastModifiedTime(d.resolve("old"), FileTime.fromMillis(1000_000L));
        Map<String, TarArchiveEntry> e = entries(write(d, 5000L));
        assertEquals(5000L, e.get("new").getModTime().getTime() / 1000);
        assertEquals(1000L, e.get("old").getModTime().getTime() / 1000);
    }

    @Test
    void excludedPathsAreLeftOutAndReported() throws IOException {
        Path d = tmp.resolve("d");
        Files.createDirectories(d.resolve("etc"));
        Files.writeString(d.resolve("etc/hosts"), "");
        Files.writeString(d.resolve("etc/keep"), "k");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerTarWriter.Result r = LayerTarWriter.write(d, out, null, p -> !p.equals("etc/hosts"));
        assertEquals(List.of("etc/", "etc/keep"), new ArrayList<>(entries(out.toByteArray()).keySet()));
        assertEquals(List.of("etc/hosts"), r.excluded());
    }

    @Test
    void overlayWhiteoutsBecomeOciWhiteoutsAndRoundTrip() throws IOException {
        assumeTrue(Posix.getuid() == 0, "needs root");
        Path d = tmp.resolve("upper");
        Files.createDirectories(d.resolve("opaque"));
        Files.writeString(d.resolve("opaque/kept"), "k");
        Posix.lsetxattr(d.resolve("opaque").toString(), "trusted.overlay.opaque", new byte[] {'y'});
        Posix.mknod(d.resolve("gone").toString(), Posix.S_IFCHR, 0);
        Posix.lsetxattr(d.resolve("opaque/kept").toString(), "user.note", "hi".getBytes());
        byte[] tar = write(d, null);
        Map<String, TarArchiveEntry> e = entries(tar);
        assertEquals(List.of(".wh.gone", "opaque/", "opaque/.wh..wh..opq", "opaque/kept"), new ArrayList<>(e.keySet()));
        assertTrue(e.get(".wh.gone").isFile());
        assertFalse(e.get("opaque/").getExtraPaxHeaders().containsKey("SCHILY.xattr.trusted.overlay.opaque"));

        Path back = tmp.resolve("back");
        Files.createDirectories(back);
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), back);
        assertEquals("k", Files.readString(back.resolve("opaque/kept")));
        assertArrayEquals(new byte[] {'y'}, Posix.lgetxattr(back.resolve("opaque").toString(), "trusted.overlay.opaque"));
        assertArrayEquals("hi".getBytes(), Posix.lgetxattr(back.resolve("opaque/kept").toString(), "user.note"));
        assertEquals(Posix.S_IFCHR, (Integer) Files.getAttribute(back.resolve("gone"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
        // and the unpacked tree writes the same tar again
        assertArrayEquals(tar, write(back, null));
    }

    @Test
    void binaryXattrsGoRawAsDockerWritesThemAndComeBack() throws IOException {
        assumeTrue(Posix.getuid() == 0, "needs root");
        // the shape of a file capability: not UTF-8
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Path d = tmp.resolve("caps");
        Files.createDirectories(d);
        Files.writeString(d.resolve("ping"), "binary");
        Posix.lsetxattr(d.resolve("ping").toString(), "user.cap", cap);
        Posix.lsetxattr(d.resolve("ping").toString(), "user.text", "plain".getBytes());
        LayerTarWriter.Result r = LayerTarWriter.write(d, new ByteArrayOutputStream(), null);
        assertEquals(List.of(), r.skipped());
        byte[] tar = write(d, null);
        // Docker's form: a SCHILY.xattr record carrying the raw bytes
        byte[] record = PaxXattrs.record("SCHILY.xattr.user.cap", cap);
        assertTrue(LayerUnpackerTest.indexOf(tar, record) >= 0, "raw SCHILY.xattr record in the layer");
        assertTrue(LayerUnpackerTest.indexOf(tar, "LIBARCHIVE".getBytes()) < 0);

        Path back = tmp.resolve("caps-back");
        Files.createDirectories(back);
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), back);
        assertEquals("binary", Files.readString(back.resolve("ping")));
        assertArrayEquals(cap, Posix.lgetxattr(back.resolve("ping").toString(), "user.cap"));
        assertArrayEquals("plain".getBytes(), Posix.lgetxattr(back.resolve("ping").toString(), "user.text"));
        assertArrayEquals(tar, write(back, null), "the same tar again");
    }
}
