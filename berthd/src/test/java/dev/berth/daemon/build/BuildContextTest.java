package dev.berth.daemon.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.errors.BerthException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {
    @TempDir Path tmp;

    private static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (var e : files.entrySet()) {
                byte[] c = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry en = new TarArchiveEntry(e.getKey());
                en.setSize(c.length);
                t.putArchiveEntry(en);
                t.write(c);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void cleanKeepsPathsInside() {
        assertEquals("a/b", BuildContext.clean("./a//b/"));
        assertEquals("b", BuildContext.clean("/a/../b"));
        assertEquals("", BuildContext.clean("."));
        assertNull(BuildContext.clean("../x"));
        assertNull(BuildContext.clean("a/../../x"));
    }

    @Test
    void dockerfileFallbackAndDockerignoreApplied() throws IOException {
        byte[] t = tar(Map.of("dockerfile", "FROM scratch\n", "keep", "k", "drop.log", "d", "logs/x.log", "x",
                ".dockerignore", "*.log\nlogs\ndockerfile\n"));
        try (BuildContext ctx = BuildContext.unpack(new ByteArrayInputStream(t), tmp.resolve("ctx"))) {
            assertEquals("FROM scratch\n", ctx.readDockerfile(""));
            assertTrue(Files.exists(ctx.root().resolve("keep")));
            assertFalse(Files.exists(ctx.root().resolve("drop.log")));
            assertFalse(Files.exists(ctx.root().resolve("logs")));
            assertFalse(Files.exists(ctx.root().resolve("dockerfile")), "an ignored Dockerfile is read, then dropped");
        }
        assertFalse(Files.exists(tmp.resolve("ctx")), "closing deletes the context");
    }

    @Test
    void missingDockerfileIsDockersError() throws IOException {
        try (BuildContext ctx = BuildContext.unpack(new ByteArrayInputStream(tar(Map.of("a", "a"))), tmp.resolve("ctx"))) {
            BerthException e = assertThrows(BerthException.class, () -> ctx.readDockerfile("nope"));
            assertEquals("Cannot locate specified Dockerfile: nope", e.getMessage());
        }
    }

    @Test
    void hostileContextTarsAreRefused() {
        assertThrows(BerthException.class, () -> BuildContext.unpack(new ByteArrayInputStream(tar(Map.of("../evil", "x"))), tmp.resolve("ctx")));
        assertFalse(Files.exists(tmp.resolve("ctx")), "nothing left of a refused context");
    }

    @Test
    void sourcesResolveInsideWithWildcardsAndSymlinks() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "a");
        Files.writeString(root.resolve("b.txt"), "b");
        Files.createDirectories(root.resolve("d/e"));
        Files.writeString(root.resolve("d/e/f.txt"), "f");
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/a.txt"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../b.txt"));
        assertEquals(List.of(root.resolve("a.txt"), root.resolve("b.txt")), BuildContext.sources(root, "*.txt", "COPY"));
        assertEquals(List.of(root.resolve("d/e/f.txt")), BuildContext.sources(root, "d/*/f.?xt", "COPY"));
        assertEquals(List.of(root.resolve("a.txt")), BuildContext.sources(root, "abs", "COPY"), "absolute links resolve in the context");
        assertEquals(List.of(root.resolve("b.txt")), BuildContext.sources(root, "up", "COPY"), "climbing links stop at the context root");
        assertEquals(List.of(), BuildContext.sources(root, "*.none", "COPY"));
        BerthException missing = assertThrows(BerthException.class, () -> BuildContext.sources(root, "nope", "ADD"));
        assertEquals("ADD failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist", missing.getMessage());
        BerthException out = assertThrows(BerthException.class, () -> BuildContext.sources(root, "../x", "COPY"));
        assertEquals("forbidden path outside the build context: ../x ()", out.getMessage());
    }

    @Test
    void contentHashIgnoresTimesButNotContentOrMode() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("h"));
        Path f = root.resolve("f");
        Files.writeString(f, "one");
        String h1 = BuildContext.contentHash(List.of(f), root);
        Files.setLastModifiedTime(f, FileTime.fromMillis(12345));
        assertEquals(h1, BuildContext.contentHash(List.of(f), root));
        Files.writeString(f, "two");
        String h2 = BuildContext.contentHash(List.of(f), root);
        assertNotEquals(h1, h2);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertNotEquals(h2, BuildContext.contentHash(List.of(f), root));
    }

    @Test
    void builderHelpers() throws IOException {
        assertEquals(List.of("80/tcp"), Builder.exposeSpecs("80"));
        assertEquals(List.of("53/udp"), Builder.exposeSpecs("53/UDP"));
        assertEquals(List.of("8000/tcp", "8001/tcp"), Builder.exposeSpecs("8000-8001"));
        assertThrows(BerthException.class, () -> Builder.exposeSpecs("x"));
        assertThrows(BerthException.class, () -> Builder.exposeSpecs("80/icmp"));
        assertEquals("file.tar.gz", Builder.urlName("http://127.0.0.1:8080/a/file.tar.gz?x=1"));
        assertThrows(BerthException.class, () -> Builder.urlName("http://127.0.0.1/"));
        Path t = tmp.resolve("t.tar");
        Files.write(t, tar(Map.of("x", "y")));
        assertTrue(Builder.isArchive(t));
        Path plain = tmp.resolve("plain");
        Files.writeString(plain, "not a tar");
        assertFalse(Builder.isArchive(plain));
    }
}
