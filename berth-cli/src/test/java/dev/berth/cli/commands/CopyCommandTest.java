package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker cp's path rules and the CLI's tar, without a daemon. */
class CopyCommandTest {
    @TempDir Path tmp;

    @Test
    void splitsArgumentsLikeDocker() {
        assertArrayEquals(new String[] {"ctr", "/tmp"}, CopyCommand.split("ctr:/tmp"));
        assertArrayEquals(new String[] {null, "/abs:odd"}, CopyCommand.split("/abs:odd"));
        assertArrayEquals(new String[] {null, "./file:name"}, CopyCommand.split("./file:name"));
        assertArrayEquals(new String[] {null, "plain"}, CopyCommand.split("plain"));
        assertArrayEquals(new String[] {"ctr", ""}, CopyCommand.split("ctr:"));
    }

    @Test
    void pathHelpersAsGoAndMoby() {
        assertArrayEquals(new String[] {"/a", "b"}, CopyCommand.splitDirEntry("/a/b/"));
        assertArrayEquals(new String[] {"/a/b", "."}, CopyCommand.splitDirEntry("/a/b/."));
        assertArrayEquals(new String[] {"/", "a"}, CopyCommand.splitDirEntry("/a"));
        assertEquals("/a/c", CopyCommand.cleanPath("/a/b/../c/./"));
        assertEquals("../x", CopyCommand.cleanPath("../x"));
        assertEquals("b", CopyCommand.baseName("/a/b/"));
        assertEquals("/tmp/x/", CopyCommand.absLocal("/tmp/x/"));
        assertEquals("/tmp/x/.", CopyCommand.absLocal("/tmp//x/."));
        assertEquals("new/a", CopyCommand.rebase("./a", ".", "new"));
        assertEquals("dst/conf/a", CopyCommand.rebase("app/conf/a", "app", "dst"));
        assertNull(CopyCommand.clean("../../x"));
        assertEquals(List.of("a", "c"), CopyCommand.clean("./a/b/../c"));
        assertArrayEquals(new String[] {"/srv/app", "link"}, CopyCommand.rebaseName("/srv/link", "/srv/app"));
        assertArrayEquals(new String[] {"/srv/app/", ""}, CopyCommand.rebaseName("/srv/app/", "/srv/app"));
    }

    @Test
    void tarRoundTripWithLongNamesAndLinks() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tar.Writer w = new Tar.Writer(bytes);
        String longName = "dir/" + "n".repeat(150) + "/" + "f".repeat(120);
        Tar.Header d = header("dir/", Tar.DIR, 0);
        w.header(d);
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Tar.Header f = header(longName, Tar.FILE, data.length);
        w.header(f);
        w.data().write(data);
        w.pad(data.length);
        Tar.Header l = header("dir/link", Tar.SYMLINK, 0);
        l.linkName = "/" + "t".repeat(200);
        w.header(l);
        Tar.Header u = header("dir/ünïcode", Tar.FILE, 0);
        w.header(u);
        w.finish();
        assertEquals(0, bytes.size() % 512);

        Tar.Reader r = new Tar.Reader(new ByteArrayInputStream(bytes.toByteArray()));
        Tar.Header e = r.next();
        assertEquals("dir/", e.name);
        assertEquals(Tar.DIR, e.type);
        e = r.next();
        assertEquals(longName, e.name);
        assertEquals("hello", new String(r.data().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0640, e.mode);
        assertEquals(1000, e.uid);
        assertEquals(1_600_000_000L, e.mtime);
        e = r.next();
        assertEquals(l.linkName, e.linkName);
        e = r.next();
        assertEquals("dir/ünïcode", e.name);
        assertNull(r.next());
    }

    private static Tar.Header header(String name, char type, long size) {
        Tar.Header h = new Tar.Header();
        h.name = name;
        h.type = type;
        h.size = size;
        h.mode = 0640;
        h.uid = 1000;
        h.gid = 1000;
        h.mtime = 1_600_000_000L;
        return h;
    }

    @Test
    void gnuTarOutputIsRead() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/" + "d".repeat(120)));
        Files.writeString(src.resolve("f"), "x");
        Path tar = tmp.resolve("t.tar");
        Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", tmp.resolve("src").toString(), ".").start();
        assertEquals(0, p.waitFor());
        Path out = Files.createDirectories(tmp.resolve("out"));
        CopyCommand.untar(Files.newInputStream(tar), out, null, null);
        assertEquals("x", Files.readString(out.resolve("d".repeat(120)).resolve("f")));
    }

    @Test
    void untarRefusesToLeaveTheDestination() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tar.Writer w = new Tar.Writer(bytes);
        Tar.Header link = header("esc", Tar.SYMLINK, 0);
        link.linkName = tmp.toString();
        w.header(link);
        w.header(header("esc/pwned", Tar.FILE, 0));
        w.finish();
        Path out = Files.createDirectories(tmp.resolve("out"));
        CliException e = assertThrows(CliException.class,
                () -> CopyCommand.untar(new ByteArrayInputStream(bytes.toByteArray()), out, null, null));
        assertTrue(e.getMessage().contains("is outside of"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("pwned")));
    }
}
