package dev.berth.daemon.container;

import static dev.berth.daemon.container.ContainerChanges.ADDED;
import static dev.berth.daemon.container.ContainerChanges.DELETED;
import static dev.berth.daemon.container.ContainerChanges.MODIFIED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.daemon.container.ContainerChanges.Change;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerChangesTest {
    private static final FileTime T = FileTime.fromMillis(1_600_000_000_000L);
    @TempDir Path tmp;

    private Path dir(Path base, String rel) throws IOException {
        Path p = Files.createDirectories(base.resolve(rel));
        return p;
    }

    private void file(Path base, String rel, String content) throws IOException {
        Path p = base.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    /** Copies a lower dir's times onto the upper copy, as overlay's copy-up does. */
    private void sameTimes(Path lower, Path upper, String... rels) throws IOException {
        for (String rel : rels) {
            Files.setLastModifiedTime(lower.resolve(rel), T);
            Files.setLastModifiedTime(upper.resolve(rel), T);
        }
    }

    @Test
    void addedModifiedAndParentsLikeMoby() throws IOException {
        Path lower = dir(tmp, "lower"), upper = dir(tmp, "upper");
        file(lower, "etc/passwd", "root");
        file(lower, "etc/group", "root");
        dir(lower, "usr/bin");
        file(upper, "etc/passwd", "root\nme");       // modified file: its unchanged parent is not listed
        file(upper, "usr/bin/tool", "x");            // added file: parent listed as modified, before it
        file(upper, "new/deep/file", "y");           // added tree: every level added
        sameTimes(lower, upper, "etc", "usr", "usr/bin");
        List<Change> c = ContainerChanges.compute(upper, List.of(lower));
        assertEquals(List.of(
                new Change("/etc/passwd", MODIFIED),
                new Change("/new", ADDED),
                new Change("/new/deep", ADDED),
                new Change("/new/deep/file", ADDED),
                new Change("/usr/bin", MODIFIED),
                new Change("/usr/bin/tool", ADDED)), c);
    }

    @Test
    void aDirectoryWithNewMtimeIsModified() throws IOException {
        Path lower = dir(tmp, "lower"), upper = dir(tmp, "upper");
        file(lower, "tmp/a", "");
        dir(upper, "tmp");
        Files.setLastModifiedTime(lower.resolve("tmp"), T);
        Files.setLastModifiedTime(upper.resolve("tmp"), FileTime.fromMillis(1_700_000_000_000L));
        assertEquals(List.of(new Change("/tmp", MODIFIED)), ContainerChanges.compute(upper, List.of(lower)));
    }

    @Test
    void whiteoutsAreDeletionsAndMarkTheirParent() throws IOException {
        assumeTrue(Posix.getuid() == 0, "mknod needs root");
        Path lower = dir(tmp, "lower"), upper = dir(tmp, "upper");
        file(lower, "etc/motd", "hi");
        file(lower, "etc/issue", "hi");
        dir(upper, "etc");
        Posix.mknod(upper.resolve("etc/motd").toString(), Posix.S_IFCHR, Posix.makedev(0, 0));
        sameTimes(lower, upper, "etc");
        assertEquals(List.of(new Change("/etc", MODIFIED), new Change("/etc/motd", DELETED)),
                ContainerChanges.compute(upper, List.of(lower)));
    }

    @Test
    void runcMountPointsAreNotChanges() throws IOException {
        Path lower = dir(tmp, "lower"), upper = dir(tmp, "upper");
        file(lower, "etc/passwd", "root");
        dir(lower, "bin");
        // runc made these to mount on; /etc's mtime changed because of them
        Files.createFile(dir(upper, "etc").resolve("hosts"));
        Files.createFile(upper.resolve("etc/hostname"));
        Files.createFile(upper.resolve("etc/resolv.conf"));
        dir(upper, "proc");
        dir(upper, "dev/pts");
        dir(upper, "dev/shm");
        Files.setLastModifiedTime(lower.resolve("etc"), T);
        assertEquals(List.of(), ContainerChanges.compute(upper, List.of(lower)));
        // a real file next to them still shows, with its parent
        file(upper, "etc/app.conf", "x");
        assertEquals(List.of(new Change("/etc", MODIFIED), new Change("/etc/app.conf", ADDED)),
                ContainerChanges.compute(upper, List.of(lower)));
    }

    @Test
    void anImageThatHasAMountPointPathReportsItNormally() throws IOException {
        Path lower = dir(tmp, "lower"), upper = dir(tmp, "upper");
        file(lower, "etc/hosts", "127.0.0.1 localhost");
        Files.createFile(dir(upper, "etc").resolve("hosts"));
        sameTimes(lower, upper, "etc");
        assertEquals(List.of(new Change("/etc/hosts", MODIFIED)), ContainerChanges.compute(upper, List.of(lower)));
    }

    @Test
    void anyLowerLayerCountsAndNamesSortByBytes() throws IOException {
        Path top = dir(tmp, "top"), bottom = dir(tmp, "bottom"), upper = dir(tmp, "upper");
        file(bottom, "B", "");
        file(upper, "B", "changed");
        file(upper, "a", "");
        file(upper, "_", "");
        assertEquals(List.of(new Change("/B", MODIFIED), new Change("/_", ADDED), new Change("/a", ADDED)),
                ContainerChanges.compute(upper, List.of(top, bottom)));
    }

    @Test
    void nothingChangedIsEmpty() throws IOException {
        assertEquals(List.of(), ContainerChanges.compute(dir(tmp, "upper"), List.of(dir(tmp, "lower"))));
        assertEquals(List.of(), ContainerChanges.compute(tmp.resolve("missing"), List.of()));
    }
}
