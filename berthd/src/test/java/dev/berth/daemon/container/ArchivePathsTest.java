package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The path rules of the archive endpoints (moby's ResolvePath / PreserveTrailingDotOrSeparator / filepath.Base). */
class ArchivePathsTest {
    @Test
    void absolutePathsKeepTrailingSlashAndDot() {
        assertEquals("/etc/passwd", ContainerFiles.absPath("etc/passwd"));
        assertEquals("/etc", ContainerFiles.absPath("/etc"));
        assertEquals("/etc/", ContainerFiles.absPath("/etc/"));
        assertEquals("/etc/", ContainerFiles.absPath("/etc//"));
        assertEquals("/etc/.", ContainerFiles.absPath("/etc/."));
        assertEquals("/etc/.", ContainerFiles.absPath("/etc/./."));
        assertEquals("/", ContainerFiles.absPath("/"));
        assertEquals("/.", ContainerFiles.absPath("/."));
        assertEquals("/", ContainerFiles.absPath("/../.."));
        assertEquals("/b", ContainerFiles.absPath("/a/../b"));
    }

    @Test
    void baseNamesAsGo() {
        assertEquals("passwd", ContainerFiles.baseName("/etc/passwd"));
        assertEquals("etc", ContainerFiles.baseName("/etc/"));
        assertEquals(".", ContainerFiles.baseName("/etc/."));
        assertEquals("/", ContainerFiles.baseName("/"));
    }

    @Test
    void extractNamesAreCleanedAndMayNotClimbOut() {
        assertEquals(java.util.List.of("a", "c"), ArchiveExtractor.clean("./a/b/../c/"));
        assertEquals(java.util.List.of("x"), ArchiveExtractor.clean("/x"));
        assertEquals(null, ArchiveExtractor.clean("../x"));
        assertEquals(null, ArchiveExtractor.clean("a/../../x"));
        assertEquals("/tmp/a/b", ArchiveExtractor.join("/tmp", java.util.List.of("a", "b")));
        assertEquals("/a", ArchiveExtractor.join("/", java.util.List.of("a")));
        assertEquals("/", ArchiveExtractor.join("/", java.util.List.of()));
    }
}
