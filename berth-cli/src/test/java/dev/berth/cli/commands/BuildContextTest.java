package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build context as docker-cli 28 sends it (each expectation checked against the real docker CLI). */
class BuildContextTest {
    @TempDir
    Path tmp;

    private static InputStream stdin(String s) { return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)); }

    private static String listing(BuildContext.Prepared p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.body().writeTo(out);
        return TarListing.of(out.toByteArray());
    }

    private Path write(String rel, String content) throws IOException {
        Path p = tmp.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    private Path ctx() throws IOException {
        write("ctx/Dockerfile", "FROM busybox\n");
        write("ctx/a.txt", "hi\n");
        write("ctx/sub/b", "x\n");
        write("ctx/ign/f", "y\n");
        write("ctx/ign/keep/k", "z\n");
        write("ctx/x.log", "");
        write("ctx/.dockerignore", "ign\n!ign/keep\n*.log\n");
        Files.createSymbolicLink(tmp.resolve("ctx/link"), Path.of("a.txt"));
        Files.createLink(tmp.resolve("ctx/hard"), tmp.resolve("ctx/a.txt"));
        for (String d : new String[] {"ctx/sub", "ctx/ign", "ctx/ign/keep"}) {
            Files.setPosixFilePermissions(tmp.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return tmp.resolve("ctx");
    }

    @Test
    void directoryWalkInNameOrderWithIgnoreRulesLinksAndOwnerRoot() throws Exception {
        Path ctx = ctx();
        BuildContext.Prepared p = BuildContext.prepare(ctx.toString(), "", stdin(""));
        assertEquals("Dockerfile", p.dockerfile());
        assertEquals("""
                .dockerignore|0|644|0:0|20||ign
                !ign/keep
                *.log

                Dockerfile|0|644|0:0|13||FROM busybox

                a.txt|0|644|0:0|3||hi

                hard|1|644|0:0|0|a.txt|
                ign/keep|5|755|0:0|0||
                ign/keep/k|0|644|0:0|2||z

                link|2|777|0:0|0|a.txt|
                sub|5|755|0:0|0||
                sub/b|0|644|0:0|2||x

                """, listing(p));
    }

    @Test
    void mtimesAreKeptInSeconds() throws Exception {
        Path ctx = ctx();
        Files.setLastModifiedTime(ctx.resolve("a.txt"), FileTime.fromMillis(1_700_000_000_999L));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BuildContext.prepare(ctx.toString(), "", stdin("")).body().writeTo(out);
        byte[] t = out.toByteArray();
        for (int off = 0; off < t.length; off += 512) {
            if (new String(t, off, 5, StandardCharsets.US_ASCII).equals("a.txt")) {
                assertEquals(Long.toOctalString(1_700_000_000L), new String(t, off + 136, 11, StandardCharsets.US_ASCII).replaceFirst("^0+", ""));
                return;
            }
        }
        throw new AssertionError("a.txt not in the tar");
    }

    @Test
    void dockerfileAndDockerignoreAreSentEvenWhenExcluded() throws Exception {
        write("c/Dockerfile", "FROM a\n");
        write("c/sub/Dockerfile", "FROM b\n");
        write("c/sub/other", "o\n");
        write("c/.dockerignore", "Dockerfile\n.dockerignore\nsub\n");
        Path c = tmp.resolve("c");
        assertEquals("""
                .dockerignore|0|644|0:0|29||Dockerfile
                .dockerignore
                sub

                Dockerfile|0|644|0:0|7||FROM a

                """, listing(BuildContext.prepare(c.toString(), "", stdin(""))));
        BuildContext.Prepared sub = BuildContext.prepare(c.toString(), c.resolve("sub/Dockerfile").toString(), stdin(""));
        assertEquals("sub/Dockerfile", sub.dockerfile());
        assertTrue(listing(sub).contains("sub/Dockerfile|0|644|0:0|7||FROM b\n"), "re-included below an excluded directory");
        assertFalse(listing(sub).contains("sub/other"));
    }

    @Test
    void dockerfileOutsideTheContextTravelsUnderARandomName() throws Exception {
        write("c/a", "a\n");
        Path outside = write("Dockerfile.out", "FROM out\n");
        BuildContext.Prepared p = BuildContext.prepare(tmp.resolve("c").toString(), outside.toString(), stdin(""));
        assertTrue(p.dockerfile().matches("\\.dockerfile\\.[0-9a-f]{20}"), p.dockerfile());
        assertEquals("""
                a|0|644|0:0|2||a

                .dockerfile.RANDOM|0|600|0:0|9||FROM out

                .dockerignore|0|600|0:0|47||.dockerignore
                .dockerfile.RANDOM

                """, listing(p));

        write("c/.dockerignore", "a");
        assertEquals("""
                .dockerignore|0|644|0:0|35||a
                .dockerfile.RANDOM

                .dockerfile.RANDOM|0|600|0:0|9||FROM out

                """, listing(BuildContext.prepare(tmp.resolve("c").toString(), outside.toString(), stdin(""))),
                "an existing .dockerignore is extended in place (and still applies: a is left out)");
    }

    @Test
    void dockerfileFromStdinWithADirectoryContext() throws Exception {
        write("c/a", "a\n");
        BuildContext.Prepared p = BuildContext.prepare(tmp.resolve("c").toString(), "-", stdin("FROM stdin\n"));
        assertTrue(p.dockerfile().startsWith(".dockerfile."));
        assertTrue(listing(p).contains(".dockerfile.RANDOM|0|600|0:0|11||FROM stdin\n"));
    }

    @Test
    void stdinIsADockerfileOrAnArchive() throws Exception {
        BuildContext.Prepared df = BuildContext.prepare("-", "", stdin("FROM busybox\n"));
        assertEquals("Dockerfile", df.dockerfile());
        assertEquals("Dockerfile|0|644|0:0|13||FROM busybox\n\n", listing(df));

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(tar);
        w.write(TarWriter.Header.file("sub/Dockerfile", 0644, 3, 0), "abc".getBytes(StandardCharsets.UTF_8));
        w.finish();
        BuildContext.Prepared raw = BuildContext.prepare("-", "sub/Dockerfile", new ByteArrayInputStream(tar.toByteArray()));
        assertEquals("sub/Dockerfile", raw.dockerfile());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        raw.body().writeTo(sent);
        assertEquals(tar.size(), sent.size(), "an archive is passed through as it is");

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(tar.toByteArray());
        }
        assertTrue(BuildContext.isArchive(gz.toByteArray()));
        assertFalse(BuildContext.isArchive("FROM busybox\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(BuildContext.isArchive(new byte[1024]), "zero blocks are not an archive");

        CliException ambiguous = assertThrows(CliException.class, () -> BuildContext.prepare("-", "Dockerfile", stdin("FROM x\n")));
        assertEquals("unable to prepare context: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles", ambiguous.getMessage());
        CliException both = assertThrows(CliException.class, () -> BuildContext.prepare("-", "-", stdin("")));
        assertEquals("invalid argument: can't use stdin for both build context and dockerfile", both.getMessage());
    }

    @Test
    void contextAndDockerfileErrorsAreDockers() throws Exception {
        write("c/a", "a\n");
        String c = tmp.resolve("c").toString();
        assertEquals("unable to prepare context: path \"" + tmp.resolve("nope") + "\" not found",
                assertThrows(CliException.class, () -> BuildContext.prepare(tmp.resolve("nope").toString(), "", stdin(""))).getMessage());
        assertEquals("unable to prepare context: context must be a directory: " + tmp.resolve("c/a").toRealPath(),
                assertThrows(CliException.class, () -> BuildContext.prepare(c + "/a", "", stdin(""))).getMessage());
        assertEquals("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                + tmp.resolve("c").toRealPath().resolve("Dockerfile") + ": no such file or directory",
                assertThrows(CliException.class, () -> BuildContext.prepare(c, "", stdin(""))).getMessage());
        assertEquals("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                + tmp.resolve("nodir") + ": no such file or directory",
                assertThrows(CliException.class, () -> BuildContext.prepare(c, tmp.resolve("nodir/Dockerfile").toString(), stdin(""))).getMessage());
        assertEquals("unable to prepare context: berth does not support remote build contexts (git or URL): https://example.com/x.git",
                assertThrows(CliException.class, () -> BuildContext.prepare("https://example.com/x.git", "", stdin(""))).getMessage());
    }

    @Test
    void lowercaseDockerfileIsUsedWhenThereIsNoDockerfile() throws Exception {
        write("c/dockerfile", "FROM lower\n");
        assertEquals("dockerfile", BuildContext.prepare(tmp.resolve("c").toString(), "", stdin("")).dockerfile());
    }

    @Test
    void aBadPatternIsAContextError() throws Exception {
        write("c/Dockerfile", "FROM a\n");
        write("c/.dockerignore", "[\n");
        CliException e = assertThrows(CliException.class, () -> BuildContext.prepare(tmp.resolve("c").toString(), "", stdin("")));
        assertTrue(e.getMessage().startsWith("error checking context: "), e.getMessage());
    }
}
