package dev.berth.daemon.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
    private static final int S_IFMT = 0170000;

    @TempDir Path tmp;

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRoot() {
        return Posix.getuid() == 0;
    }

    @Test
    void mkfifoCreatesAFifo() throws IOException {
        Path fifo = tmp.resolve("fifo");
        Posix.mkfifo(fifo.toString(), 0640);
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther());
        assertEquals(Posix.S_IFIFO, mode(fifo) & S_IFMT);
    }

    @Test
    void chmodSetsAllTwelveBits() throws IOException {
        Path f = Files.createFile(tmp.resolve("suid"));
        Posix.chmod(f.toString(), 04755);
        assertEquals(04755, mode(f) & 07777);
        Posix.chmod(f.toString(), 03701);
        assertEquals(03701, mode(f) & 07777);
    }

    @Test
    void lchownChangesTheLinkNotItsTarget() throws IOException {
        assumeTrue(isRoot(), "needs root");
        Path target = Files.createFile(tmp.resolve("target"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        Posix.lchown(link.toString(), 1000, 1001);
        assertEquals(1000, Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(1001, Files.getAttribute(link, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.getAttribute(target, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void xattrRoundTrip() throws IOException {
        Path f = Files.createFile(tmp.resolve("x"));
        byte[] binary = {1, 0, 0, 2, (byte) 0x80, (byte) 0xff, 0};
        Posix.lsetxattr(f.toString(), "user.berth.test", binary);
        assertArrayEquals(binary, Posix.lgetxattr(f.toString(), "user.berth.test"));
        assertNull(Posix.lgetxattr(f.toString(), "user.berth.absent"));
        Posix.lsetxattr(f.toString(), "user.berth.empty", new byte[0]);
        assertArrayEquals(new byte[0], Posix.lgetxattr(f.toString(), "user.berth.empty"));
        if (isRoot()) {
            Posix.lsetxattr(f.toString(), "trusted.overlay.opaque", new byte[] {'y'});
            assertArrayEquals(new byte[] {'y'}, Posix.lgetxattr(f.toString(), "trusted.overlay.opaque"));
        }
    }

    @Test
    void ptyCarriesDataAndWindowSize() throws Exception {
        int master = Posix.openPtyMaster();
        try {
            String pts = Posix.ptsName(master);
            assertTrue(pts.matches("/dev/pts/\\d+"), pts);
            assertTrue(Files.exists(Path.of(pts)));

            Posix.setWindowSize(master, 33, 101);
            Process stty = new ProcessBuilder("stty", "-F", pts, "size").redirectErrorStream(true).start();
            String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, stty.waitFor());
            assertEquals("33 101", size);

            try (FileOutputStream slave = new FileOutputStream(pts)) {
                slave.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                slave.flush();
                // The line discipline turns "\n" into "\r\n" (onlcr) on its way to the master.
                byte[] buf = new byte[64];
                StringBuilder got = new StringBuilder();
                while (!got.toString().contains("hello")) {
                    int n = Posix.read(master, buf, 0, buf.length);
                    assertTrue(n > 0);
                    got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                }
                assertTrue(got.toString().startsWith("hello"), got.toString());
            }
            // Master to slave goes through the same discipline the other way.
            Posix.writeFully(master, "ok\n".getBytes(StandardCharsets.US_ASCII), 0, 3);
        } finally {
            Posix.close(master);
        }
    }

    @Test
    void ptyMasterReadsEndOfInputOnceTheSlaveIsClosed() throws Exception {
        int master = Posix.openPtyMaster();
        try {
            String pts = Posix.ptsName(master);
            new FileOutputStream(pts).close();
            assertEquals(-1, Posix.read(master, new byte[16], 0, 16));
        } finally {
            Posix.close(master);
        }
    }

    @Test
    void overlayMountAndUnmount() throws IOException {
        assumeTrue(isRoot(), "needs root");
        Path lower = Files.createDirectory(tmp.resolve("lower"));
        Path upper = Files.createDirectory(tmp.resolve("upper"));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path merged = Files.createDirectory(tmp.resolve("merged"));
        Files.writeString(lower.resolve("from-lower"), "l");
        Files.writeString(upper.resolve("from-upper"), "u");
        String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
        Posix.mount("overlay", merged.toString(), "overlay", 0, data);
        try {
            assertTrue(Mounts.isMounted(merged));
            assertEquals("l", Files.readString(merged.resolve("from-lower")));
            assertEquals("u", Files.readString(merged.resolve("from-upper")));
        } finally {
            Posix.umount(merged.toString(), Posix.MNT_DETACH);
        }
        assertFalse(Mounts.isMounted(merged));
        assertFalse(Files.exists(merged.resolve("from-lower")));
    }

    @Test
    void mknodCreatesWhiteoutDevice() throws IOException {
        assumeTrue(isRoot(), "needs root");
        Path dev = tmp.resolve("wh");
        Posix.mknod(dev.toString(), Posix.S_IFCHR, Posix.makedev(0, 0));
        assertEquals(Posix.S_IFCHR, mode(dev) & S_IFMT);
        assertEquals(0L, Files.getAttribute(dev, "unix:rdev", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void makedevMatchesGlibc() {
        assertEquals(0x0103L, Posix.makedev(1, 3));           // /dev/null
        assertEquals(0x8800L, Posix.makedev(136, 0));         // /dev/pts/0
        assertEquals((0x1000L << 32) | (0x100L << 12) | 0x2300L, Posix.makedev(0x1023, 0x100));
    }

    @Test
    void symlinkKeepsTargetVerbatim() throws Exception {
        Path link = tmp.resolve("l");
        Posix.symlink("a//b/", link.toString());
        Process readlink = new ProcessBuilder("readlink", link.toString()).start();
        assertEquals("a//b/\n", new String(readlink.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, readlink.waitFor());
    }

    @Test
    void processesAndIdentity() throws Exception {
        assertTrue(Posix.processExists((int) ProcessHandle.current().pid()));
        assertFalse(Posix.processExists(0));
        assertThrows(IllegalArgumentException.class, () -> Posix.kill(0, 15));
        assertThrows(IllegalArgumentException.class, () -> Posix.kill(-1, 9));

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        int pid = (int) sleeper.pid();
        assertTrue(Posix.processExists(pid));
        Posix.kill(pid, Signals.parse("TERM"));
        sleeper.waitFor();
        assertEquals(128 + 15, sleeper.exitValue());
        assertFalse(Posix.processExists(pid)); // reaped by waitFor

        PosixException e = assertThrows(PosixException.class, () -> Posix.kill(pid, 15));
        assertEquals(Posix.ESRCH, e.errno());
        assertEquals(new com.sun.security.auth.module.UnixSystem().getUid(), Integer.toUnsignedLong(Posix.getuid()));
    }

    @Test
    void childSubreaper() throws IOException {
        Posix.setChildSubreaper(); // affects only orphan re-parenting in this test JVM
    }

    @Test
    void exceptionNamesPathAndErrnoText() {
        Path missing = tmp.resolve("no/such/dir");
        PosixException e = assertThrows(PosixException.class, () -> Posix.chmod(missing.toString(), 0644));
        assertEquals(Posix.ENOENT, e.errno());
        assertEquals("chmod " + missing + ": No such file or directory (errno 2)", e.getMessage());

        PosixException m = assertThrows(PosixException.class,
                () -> Posix.mount("overlay", missing.toString(), "overlay", 0, "lowerdir=/nonexistent"));
        assertTrue(m.getMessage().startsWith("mount overlay on " + missing + ": "), m.getMessage());
        assertTrue(m.getMessage().endsWith("(errno " + m.errno() + ")"), m.getMessage());
    }

    @Test
    void nulInPathIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Posix.chmod(tmp + "/a\0b", 0644));
    }

    @Test
    void utimensSetsNanosecondMtimeWithoutFollowing() throws IOException {
        Path target = Files.createFile(tmp.resolve("t"));
        Path link = Files.createSymbolicLink(tmp.resolve("l2"), target);
        long before = Files.getLastModifiedTime(target).toMillis();
        long nanos = 1_234_567_890_123_456_789L;
        Posix.utimensNoFollow(link.toString(), nanos);
        var linkTime = Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).toInstant();
        assertEquals(1_234_567_890L, linkTime.getEpochSecond());
        assertEquals(123_456_789, linkTime.getNano());
        assertEquals(before, Files.getLastModifiedTime(target).toMillis());

        Posix.utimensNoFollow(target.toString(), -1_500_000_000L); // before the epoch
        assertEquals(-1500, Files.getLastModifiedTime(target).toMillis());
    }

    @Test
    void signalsParse() {
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("TERM"));
        assertEquals(15, Signals.parse("term"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(28, Signals.parse("SIGWINCH"));
        assertEquals(17, Signals.parse("CLD"));
        assertEquals(6, Signals.parse("IOT"));
        assertEquals(34, Signals.parse("SIGRTMIN"));
        assertEquals(37, Signals.parse("SIGRTMIN+3"));
        assertEquals(64, Signals.parse("RTMAX"));
        assertEquals(62, Signals.parse("rtmax-2"));
        for (String bad : new String[] {"", "0", "65", "-1", "SIGFOO", "RTMIN+31", "RTMAX+1", "RTMIN-1", "1.5", "SIG"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.parse(bad), bad);
            assertEquals("Invalid signal: " + bad, e.getMessage());
        }
    }

    @Test
    void signalsName() {
        assertEquals("SIGTERM", Signals.name(15));
        assertEquals("SIGHUP", Signals.name(1));
        assertEquals("SIGSYS", Signals.name(31));
        assertEquals("SIGRTMIN", Signals.name(34));
        assertEquals("SIGRTMIN+3", Signals.name(37));
        assertEquals("SIGRTMAX-2", Signals.name(62));
        assertEquals("SIGRTMAX", Signals.name(64));
        for (int n = 1; n <= 64; n++) {
            if (n == 32 || n == 33) continue;
            assertEquals(n, Signals.parse(Signals.name(n)), Signals.name(n));
        }
        assertThrows(IllegalArgumentException.class, () -> Signals.name(0));
        assertTrue(Arrays.asList("SIG32", "SIG33").contains(Signals.name(32)));
    }
}
