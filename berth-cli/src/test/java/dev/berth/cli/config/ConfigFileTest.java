package dev.berth.cli.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir Path tmp;

    @Test
    void locationFollowsFlagThenDockerConfigThenHome() {
        assertEquals(Path.of("/flag"), ConfigFile.dir("/flag", Map.of("DOCKER_CONFIG", "/env", "HOME", "/home/u")));
        assertEquals(Path.of("/env"), ConfigFile.dir(null, Map.of("DOCKER_CONFIG", "/env", "HOME", "/home/u")));
        assertEquals(Path.of("/home/u/.docker"), ConfigFile.dir("", Map.of("HOME", "/home/u")));
    }

    @Test
    void storeWritesDockersExactFormatWith0600() throws IOException {
        Path dir = tmp.resolve("new/.docker");
        ConfigFile c = ConfigFile.load(dir);
        assertNull(c.loadError());
        assertFalse(c.get("127.0.0.1:5000").hasCredentials());
        assertTrue(c.store(AuthConfig.of("alice", "s3cret", "127.0.0.1:5000")));
        Path file = dir.resolve("config.json");
        // byte for byte what docker 28 writes (json.MarshalIndent with a tab, no final newline)
        assertEquals("{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"YWxpY2U6czNjcmV0\"\n\t\t}\n\t}\n}", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
        AuthConfig a = ConfigFile.load(dir).get("127.0.0.1:5000");
        assertEquals("alice", a.username());
        assertEquals("s3cret", a.password());
        assertEquals("127.0.0.1:5000", a.serverAddress());
    }

    @Test
    void unknownKeysAndOtherEntriesSurviveALoginAndALogout() throws IOException {
        Files.writeString(tmp.resolve("config.json"), """
                {"psFormat": "table {{.ID}}", "auths": {"other:1": {"auth": "eDp5", "email": "x@y"}},
                 "proxies": {"default": {"httpProxy": "http://p:3128"}}, "n": 1.5, "big": 12345678901234567890}
                """);
        Files.setPosixFilePermissions(tmp.resolve("config.json"), PosixFilePermissions.fromString("rw-r--r--"));
        ConfigFile c = ConfigFile.load(tmp);
        c.store(AuthConfig.of("alice", "pw", "127.0.0.1:5000"));
        String text = Files.readString(tmp.resolve("config.json"));
        assertTrue(text.startsWith("{\n\t\"psFormat\": \"table {{.ID}}\",\n\t\"auths\": {\n\t\t\"other:1\": {\n\t\t\t\"auth\": \"eDp5\",\n\t\t\t\"email\": \"x@y\"\n\t\t},\n\t\t\"127.0.0.1:5000\""), text);
        assertTrue(text.contains("\"httpProxy\": \"http://p:3128\""), text);
        assertTrue(text.contains("\"n\": 1.5") && text.contains("\"big\": 12345678901234567890"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("config.json"))));

        ConfigFile again = ConfigFile.load(tmp);
        assertTrue(again.erase("127.0.0.1:5000"));
        assertFalse(again.erase("127.0.0.1:5000"));
        ConfigFile after = ConfigFile.load(tmp);
        assertFalse(after.contains("127.0.0.1:5000"));
        assertEquals("x", after.get("other:1").username());
        assertEquals("table {{.ID}}", after.string("psFormat"));
    }

    @Test
    void storingTheSameCredentialsAgainWritesNothing() throws IOException {
        ConfigFile c = ConfigFile.load(tmp);
        assertTrue(c.store(AuthConfig.of("alice", "pw", "r:5000")));
        Files.setLastModifiedTime(tmp.resolve("config.json"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertFalse(ConfigFile.load(tmp).store(AuthConfig.of("alice", "pw", "r:5000")));
        assertEquals(0, Files.getLastModifiedTime(tmp.resolve("config.json")).toMillis());
        assertTrue(ConfigFile.load(tmp).store(AuthConfig.of("alice", "new", "r:5000")));
    }

    @Test
    void lookupFallsBackToUrlKeysAndDecodesColonsInPasswords() throws IOException {
        String auth = Base64.getEncoder().encodeToString("bob:pa:ss\0".getBytes(StandardCharsets.UTF_8));
        Files.writeString(tmp.resolve("config.json"), "{\"auths\":{\"https://reg.example:5000/v2/\":{\"auth\":\"" + auth + "\"},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1Yg==\"}}}");
        ConfigFile c = ConfigFile.load(tmp);
        AuthConfig a = c.get("reg.example:5000");
        assertEquals("bob", a.username());
        assertEquals("pa:ss", a.password());
        assertEquals("https://reg.example:5000/v2/", a.serverAddress());
        assertEquals("hub", c.get(ConfigFile.keyForDomain("docker.io")).username());
        assertFalse(c.get("elsewhere:1").hasCredentials());
    }

    @Test
    void registryKeysAndHostnames() {
        assertEquals("https://index.docker.io/v1/", ConfigFile.keyForDomain("docker.io"));
        assertEquals("https://index.docker.io/v1/", ConfigFile.keyForDomain("index.docker.io"));
        assertEquals("127.0.0.1:5000", ConfigFile.keyForDomain("127.0.0.1:5000"));
        assertEquals("127.0.0.1:5000", ConfigFile.convertToHostname("http://127.0.0.1:5000/"));
        assertEquals("reg.example", ConfigFile.convertToHostname("https://reg.example/v2/"));
        assertEquals("reg.example:443", ConfigFile.convertToHostname("reg.example:443/some/path"));
        assertEquals("localhost:5000", ConfigFile.convertToHostname("localhost:5000"));
    }

    @Test
    void credentialHelpersAreNamedNotRun() throws IOException {
        Files.writeString(tmp.resolve("config.json"), "{\"auths\":{},\"credsStore\":\"desktop\",\"credHelpers\":{\"gcr.io\":\"gcloud\"}}");
        ConfigFile c = ConfigFile.load(tmp);
        assertEquals("desktop", c.credentialHelper("127.0.0.1:5000"));
        assertEquals("gcloud", c.credentialHelper("gcr.io"));
        assertTrue(c.helperMessage("gcr.io").contains("\"docker-credential-gcloud\" (credHelpers in " + tmp.resolve("config.json")), c.helperMessage("gcr.io"));
        assertTrue(c.helperMessage("x:1").contains("credsStore"), c.helperMessage("x:1"));
        assertNull(ConfigFile.load(tmp.resolve("none")).helperMessage("x:1"));
    }

    @Test
    void anUnreadableConfigIsReportedAndNeverOverwritten() throws IOException {
        Files.writeString(tmp.resolve("config.json"), "{\"auths\": {oops");
        ConfigFile c = ConfigFile.load(tmp);
        assertNotNull(c.loadError());
        assertFalse(c.get("x:1").hasCredentials());
        assertThrows(IOException.class, () -> c.store(AuthConfig.of("a", "b", "x:1")));
        assertEquals("{\"auths\": {oops", Files.readString(tmp.resolve("config.json")));
    }

    @Test
    void aSymlinkedConfigIsWrittenThroughItsTarget() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("dotfiles")).resolve("docker.json");
        Files.writeString(real, "{\"auths\":{}}");
        Path dir = Files.createDirectories(tmp.resolve("home/.docker"));
        Files.createSymbolicLink(dir.resolve("config.json"), real);
        ConfigFile.load(dir).store(AuthConfig.of("a", "b", "x:1"));
        assertTrue(Files.isSymbolicLink(dir.resolve("config.json")));
        assertTrue(Files.readString(real).contains("\"x:1\""));
    }
}
