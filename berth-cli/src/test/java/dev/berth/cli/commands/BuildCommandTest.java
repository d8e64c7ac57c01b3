package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.CliException;
import dev.berth.cli.config.ConfigFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCommandTest {
    @TempDir
    Path tmp;

    @Test
    void sizesAreGoUnitsRamInBytes() {
        assertEquals(67108864L, BuildCommand.ramInBytes("64m"));
        assertEquals(1073741824L, BuildCommand.ramInBytes("1g"));
        assertEquals(1536L, BuildCommand.ramInBytes("1.5KiB"));
        assertEquals(2048L, BuildCommand.ramInBytes("2 kb"));
        assertEquals(100L, BuildCommand.ramInBytes("100"));
        assertEquals("invalid size: 'xyz'", assertThrows(IllegalArgumentException.class, () -> BuildCommand.ramInBytes("xyz")).getMessage());
        assertEquals("invalid suffix: 'q'", assertThrows(IllegalArgumentException.class, () -> BuildCommand.ramInBytes("1q")).getMessage());
        assertEquals("invalid suffix: 'mbb'", assertThrows(IllegalArgumentException.class, () -> BuildCommand.ramInBytes("1mbb")).getMessage());
        assertEquals("-1", BuildCommand.Check.SWAP_BYTES.apply("-1"));
    }

    @Test
    void ulimitsAreGoUnitsParseUlimit() {
        assertTrue(Arrays.equals(new long[] {1024, 2048}, BuildCommand.parseUlimit("nofile=1024:2048")));
        assertTrue(Arrays.equals(new long[] {5, 5}, BuildCommand.parseUlimit("nproc=5")));
        assertEquals("invalid ulimit argument: bad", assertThrows(IllegalArgumentException.class, () -> BuildCommand.parseUlimit("bad")).getMessage());
        assertEquals("invalid ulimit type: foo", assertThrows(IllegalArgumentException.class, () -> BuildCommand.parseUlimit("foo=1")).getMessage());
        assertEquals("ulimit soft limit must be less than or equal to hard limit: 2 > 1",
                assertThrows(IllegalArgumentException.class, () -> BuildCommand.parseUlimit("nofile=2:1")).getMessage());
    }

    @Test
    void buildArgsTakeTheEnvironmentAndConfiguredProxies() throws Exception {
        Files.writeString(tmp.resolve("config.json"), """
                {"proxies":{"default":{"httpProxy":"http://p:3128","noProxy":"lo"},"unix:///other.sock":{"ftpProxy":"f"}}}""");
        ConfigFile cfg = ConfigFile.load(tmp);
        Map<String, String> args = BuildCommand.buildArgs(List.of("A=1", "HOME", "NOPE", "http_proxy=mine"),
                Map.of("HOME", "/root"), cfg, "unix:///run/berth/berth.sock");
        assertEquals("{\"A\":\"1\",\"HOME\":\"/root\",\"HTTP_PROXY\":\"http://p:3128\",\"NOPE\":null,\"NO_PROXY\":\"lo\","
                + "\"http_proxy\":\"mine\",\"no_proxy\":\"lo\"}", dev.berth.cli.json.Json.toJson(args));
        assertEquals("{\"FTP_PROXY\":\"f\",\"ftp_proxy\":\"f\"}",
                dev.berth.cli.json.Json.toJson(BuildCommand.buildArgs(List.of(), Map.of(), cfg, "unix:///other.sock")));
    }

    @Test
    void registryConfigCarriesEveryStoredCredential() throws Exception {
        assertEquals("e30=", BuildCommand.registryConfig(ConfigFile.load(tmp)));
        Files.writeString(tmp.resolve("config.json"), """
                {"auths":{"reg.example:5000":{"auth":"dTpw"},"https://index.docker.io/v1/":{"auth":"YTpi","email":"e@x"}}}""");
        String json = new String(Base64.getUrlDecoder().decode(BuildCommand.registryConfig(ConfigFile.load(tmp))), StandardCharsets.UTF_8);
        assertEquals("{\"https://index.docker.io/v1/\":{\"username\":\"a\",\"password\":\"b\",\"email\":\"e@x\","
                + "\"serveraddress\":\"https://index.docker.io/v1/\"},"
                + "\"reg.example:5000\":{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"reg.example:5000\"}}", json);
    }

    @Test
    void progressLineIsDockersRawProgress() {
        assertEquals("Sending build context to Docker daemon  2.048kB\r", BuildCommand.Progress.line(2048));
        assertEquals("Sending build context to Docker daemon     115B\r", BuildCommand.Progress.line(115));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        BuildCommand.Progress p = new BuildCommand.Progress(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        p.add(3 * 1024 * 1024);
        p.last();
        assertEquals("Sending build context to Docker daemon  3.146MB\r\r\n", b.toString(StandardCharsets.UTF_8),
                "off a terminal only the final count");
    }

    @Test
    void onATerminalProgressIsRedrawnEvery512k() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        BuildCommand.Progress p = new BuildCommand.Progress(new PrintStream(b, true, StandardCharsets.UTF_8), true);
        p.add(1000);
        assertEquals("", b.toString(StandardCharsets.UTF_8), "nothing before 512 kB");
        p.add(600 * 1024);
        p.last();
        assertEquals("Sending build context to Docker daemon  615.4kB\rSending build context to Docker daemon  615.4kB\r\r\n",
                b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aStreamErrorEndsWithItsCode() {
        String stream = "{\"stream\":\"Step 1/1 : RUN exit 3\\n\"}\r\n"
                + "{\"errorDetail\":{\"code\":3,\"message\":\"failed: 3\"},\"error\":\"failed: 3\"}\r\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CliException e = assertThrows(CliException.class, () -> JsonMessages.displayWithErrorCode(
                new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), new PrintStream(b, true, StandardCharsets.UTF_8), null));
        assertEquals(3, e.exitCode());
        assertEquals("failed: 3", e.getMessage());
        assertEquals("Step 1/1 : RUN exit 3\n", b.toString(StandardCharsets.UTF_8));
        CliException noCode = assertThrows(CliException.class, () -> JsonMessages.displayWithErrorCode(
                new ByteArrayInputStream("{\"error\":\"x\"}".getBytes(StandardCharsets.UTF_8)), new PrintStream(b), null));
        assertEquals(1, noCode.exitCode());
    }

    @Test
    void aDirectoryBuildAgainstAFakeDaemon() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\n");
        Path iid = tmp.resolve("iid");
        Files.writeString(iid, "stale");
        String id = "sha256:" + "ab".repeat(32);
        List<String> bodies = new ArrayList<>();
        try (FakeDaemon d = new FakeDaemon()) {
            d.answer(r -> {
                bodies.add(r.body());
                String q = r.target().contains("q=1") ? "{\"stream\":\"" + id + "\\n\"}\r\n" : "{\"stream\":\"Successfully built abababababab\\n\"}\r\n";
                return new FakeDaemon.Response(200, "application/json", q + "{\"aux\":{\"ID\":\"" + id + "\"}}\r\n");
            });
            FakeDaemon.Result r = d.berth("", "build", "-t", "x:1", "--iidfile", iid.toString(), ctx.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals("Sending build context to Docker daemon  2.048kB\r\r\nSuccessfully built abababababab\n", r.out());
            assertEquals(id, Files.readString(iid));
            FakeDaemon.Request req = d.requests.get(0);
            assertEquals("/v1.47/build?dockerfile=Dockerfile&t=x%3A1&version=1", req.target());
            assertEquals("application/x-tar", req.header("Content-Type"));
            assertEquals("e30=", req.header("X-Registry-Config"));
            assertEquals("Dockerfile|0|644|0:0|13||FROM busybox\n\n", bodies.get(0));

            FakeDaemon.Result q = d.berth("", "image", "build", "-q", ctx.toString());
            assertEquals(id + "\n", q.out());
            assertEquals("", q.err());
        }
        assertFalse(Files.exists(tmp.resolve("none")));
    }
}
