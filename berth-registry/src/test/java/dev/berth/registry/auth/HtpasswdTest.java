package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtpasswdTest {
    @TempDir Path dir;

    /** jBCrypt's / OpenBSD's published vectors (password, hash). */
    static final String[][] VECTORS = {
        {"", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."},
        {"a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe"},
        {"abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i"},
        {"abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC"},
        {"~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO"},
    };

    static boolean haveHtpasswd() {
        return Files.isExecutable(Path.of("/usr/bin/htpasswd"));
    }

    static void htpasswd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("htpasswd"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "htpasswd " + args[0] + ": " + out);
    }

    private Path file(String text) throws IOException {
        Path f = Files.createTempFile(dir, "htpasswd", "");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void publishedBcryptVectorsVerifyUnderEveryAcceptedPrefix() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < VECTORS.length; i++) {
            for (String prefix : List.of("$2a$", "$2b$", "$2y$")) {
                text.append("u").append(i).append(prefix.charAt(2)).append(':')
                        .append(prefix).append(VECTORS[i][1].substring(4)).append('\n');
            }
        }
        Htpasswd h = Htpasswd.load(file(text.toString()));
        for (int i = 0; i < VECTORS.length; i++) {
            for (char v : new char[] {'a', 'b', 'y'}) {
                assertTrue(h.verify("u" + i + v, VECTORS[i][0]), "vector " + i + " as $2" + v + "$");
                assertFalse(h.verify("u" + i + v, VECTORS[i][0] + "x"), "vector " + i + " with a wrong password");
            }
        }
    }

    @Test
    void theVectorsAgreeWithApacheHtpasswd() throws Exception {
        assumeTrue(haveHtpasswd(), "htpasswd (apache2-utils) not installed");
        Path f = file("v:" + VECTORS[2][1] + "\n");
        htpasswd("-vb", f.toString(), "v", VECTORS[2][0]);
    }

    @Test
    void readsAFileMadeByHtpasswdB() throws Exception {
        assumeTrue(haveHtpasswd(), "htpasswd (apache2-utils) not installed");
        Path f = dir.resolve("htpasswd");
        htpasswd("-B", "-b", "-c", f.toString(), "alice", "s3cret");
        htpasswd("-B", "-C", "4", "-b", f.toString(), "bob", "pässwörd");
        String longPassword = "x".repeat(72) + "ignored-by-bcrypt";
        htpasswd("-B", "-C", "4", "-b", f.toString(), "carol", longPassword);
        assertTrue(Files.readString(f).contains("alice:$2y$"), Files.readString(f));

        Htpasswd h = Htpasswd.load(f);
        assertTrue(h.verify("alice", "s3cret"));
        assertTrue(h.verify("alice", "s3cret")); // remembered: same answer
        assertFalse(h.verify("alice", "s3cret "));
        assertFalse(h.verify("alice", "S3cret"));
        assertTrue(h.verify("bob", "pässwörd"), "UTF-8 bytes, as htpasswd took them from argv");
        assertFalse(h.verify("bob", "passwort"));
        assertTrue(h.verify("carol", longPassword));
        assertTrue(h.verify("carol", "x".repeat(72)), "bcrypt reads the first 72 bytes only");
        assertFalse(h.verify("mallory", "s3cret"));
    }

    @Test
    void readsTheFileAgainWhenItChanges() throws Exception {
        Path f = file("a:" + VECTORS[1][1] + "\n");
        Htpasswd h = Htpasswd.load(f);
        assertTrue(h.verify("a", "a"));
        assertFalse(h.verify("b", "abc"));
        Files.writeString(f, "# users\n\nb:" + VECTORS[2][1] + "\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 2000));
        assertTrue(h.verify("b", "abc"));
        assertFalse(h.verify("a", "a"), "removed users are gone, remembered passwords too");

        Files.writeString(f, "b:$apr1$broken$entry\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 4000));
        assertTrue(h.verify("b", "abc"), "a change that does not parse keeps the last good table");
    }

    @Test
    void otherHashTypesAreRefusedNamingTheLine() throws Exception {
        String good = "ok:" + VECTORS[1][1] + "\n";
        var e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(file(good + "bob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n")));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("\"bob\"")
                && e.getMessage().contains("MD5 ($apr1$)") && e.getMessage().contains("htpasswd -B"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(file("eve:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("SHA-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(file("eve:plaintext\n")));
        assertTrue(e.getMessage().contains("plain-text"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(file("eve:$2x$06$" + VECTORS[1][1].substring(7) + "\n")));
        assertTrue(e.getMessage().contains("$2x$"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(file("no-colon\n")));
        assertTrue(e.getMessage().contains("user:hash"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.load(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("cannot read htpasswd file"), e.getMessage());
    }

    @Test
    void htpasswdsOtherFormatsAreRecognised() throws Exception {
        assumeTrue(haveHtpasswd(), "htpasswd (apache2-utils) not installed");
        Path f = dir.resolve("md5");
        htpasswd("-b", "-c", f.toString(), "md5user", "pw"); // htpasswd's default: $apr1$
        htpasswd("-s", "-b", f.toString(), "shauser", "pw");
        String text = Files.readString(f);
        var e = assertThrows(IllegalArgumentException.class, () -> Htpasswd.parse(text, "f"));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
        assertNull(Htpasswd.kindOf(VECTORS[0][1]));
        assertTrue(Htpasswd.kindOf(text.lines().filter(l -> l.startsWith("shauser")).findFirst().orElseThrow().substring(8)).contains("SHA-1"));
    }
}
