package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.cli.commands.FakeDaemon.Request;
import dev.berth.cli.commands.FakeDaemon.Response;
import dev.berth.cli.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** login/logout/pull/push/prune/history against a scripted daemon: requests, headers, config.json and output. */
class RegistryFlowTest {
    private FakeDaemon d;

    @BeforeEach
    void start() throws Exception { d = new FakeDaemon(); }

    @AfterEach
    void stop() throws Exception { d.close(); }

    private static Object authOf(Request r) {
        String h = r.header("X-Registry-Auth");
        assertNotNull(h, "no X-Registry-Auth on " + r.target());
        return Json.parse(new String(Base64.getUrlDecoder().decode(h), StandardCharsets.UTF_8));
    }

    private Path config() { return d.configDir.resolve("config.json"); }

    /** A daemon whose POST /auth accepts alice/s3cret only. */
    private void authDaemon() {
        d.answer(r -> {
            if (r.path().equals("/v1.47/auth")) {
                Object b = Json.parse(r.body());
                if (Json.str(b, "username").equals("alice") && Json.str(b, "password").equals("s3cret")) {
                    return Response.json(200, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}");
                }
                return Response.json(401, "{\"message\":\"login attempt to http://" + Json.str(b, "serveraddress")
                        + "/v2/ failed with status: 401 Unauthorized\"}");
            }
            return Response.json(404, "{\"message\":\"page not found\"}");
        });
    }

    @Test
    void loginChecksWithTheDaemonThenStoresAndLogoutRemoves() throws Exception {
        authDaemon();
        FakeDaemon.Result bad = d.berth("", "login", "-u", "alice", "-p", "wrong", "127.0.0.1:5000");
        assertEquals(1, bad.code());
        assertEquals("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
                + "Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized\n", bad.err());
        assertFalse(Files.exists(config()), "nothing stored after a failed login");

        FakeDaemon.Result ok = d.berth("s3cret\n", "login", "-u", "alice", "--password-stdin", "http://127.0.0.1:5000/");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("Login Succeeded\n", ok.out());
        assertTrue(ok.err().contains("WARNING! Your credentials are stored unencrypted in '" + config() + "'."), ok.err());
        Object body = Json.parse(d.requests.getLast().body());
        assertEquals("{\"username\":\"alice\",\"password\":\"s3cret\",\"serveraddress\":\"127.0.0.1:5000\"}", Json.toJson(body));
        assertEquals("{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"YWxpY2U6czNjcmV0\"\n\t\t}\n\t}\n}", Files.readString(config()));

        // no user or password: the stored credentials are tried first
        FakeDaemon.Result again = d.berth("", "login", "127.0.0.1:5000");
        assertEquals(0, again.code(), again.err());
        assertEquals("Login Succeeded\n", again.out());
        assertTrue(again.err().startsWith("Authenticating with existing credentials... [Username: alice]\n"), again.err());
        assertFalse(again.err().contains("unencrypted"), "unchanged credentials are not stored again");

        FakeDaemon.Result out = d.berth("", "logout", "127.0.0.1:5000");
        assertEquals(0, out.code());
        assertEquals("Removing login credentials for 127.0.0.1:5000\n", out.out());
        assertEquals("{\n\t\"auths\": {}\n}", Files.readString(config()));
        // docker 28 says the same when nothing was stored, and exits 0
        assertEquals("Removing login credentials for 127.0.0.1:5000\n", d.berth("", "logout", "http://127.0.0.1:5000").out());
    }

    @Test
    void loginRefusesWhatDockerRefuses() throws Exception {
        authDaemon();
        assertEquals("the --password-stdin option requires --username to be set\n", d.berth("", "login", "--password-stdin", "r:1").err());
        assertEquals("conflicting options: cannot specify both --password and --password-stdin\n",
                d.berth("", "login", "-u", "a", "-p", "x", "--password-stdin", "r:1").err());
        assertEquals("username is empty\n", d.berth("", "login", "-u", "", "r:1").err());
        FakeDaemon.Result noTty = d.berth("", "login", "-u", "alice", "r:1");
        assertEquals(1, noTty.code());
        assertEquals("Error: Cannot perform an interactive login from a non TTY device\n", noTty.err());
        assertTrue(d.requests.isEmpty(), "nothing reached the daemon: " + d.requests);
    }

    @Test
    void loginWithACredentialHelperConfiguredSaysSoAndChangesNothing() throws Exception {
        authDaemon();
        Files.createDirectories(d.configDir);
        Files.writeString(config(), "{\"credsStore\":\"desktop\"}");
        FakeDaemon.Result r = d.berth("s3cret", "login", "-u", "alice", "--password-stdin", "127.0.0.1:5000");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\"docker-credential-desktop\" (credsStore in " + config() + ") is not supported by berth"), r.err());
        assertEquals("{\"credsStore\":\"desktop\"}", Files.readString(config()));
        assertTrue(d.requests.isEmpty());
    }

    @Test
    void pullAndRunSendTheCredentialsOfTheImagesRegistry() throws Exception {
        Files.createDirectories(d.configDir);
        Files.writeString(config(), "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"YWxpY2U6czNjcmV0\"},"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1Yg==\"}}}");
        d.answer(r -> r.path().equals("/v1.47/images/create")
                ? Response.json(200, "{\"status\":\"Pulling from private/bb\",\"id\":\"1\"}\n{\"status\":\"Digest: sha256:d\"}\n")
                : Response.json(404, "{\"message\":\"No such image: x\"}"));

        FakeDaemon.Result p = d.berth("", "pull", "127.0.0.1:5000/private/bb:1");
        assertEquals(0, p.code(), p.err());
        assertEquals("1: Pulling from private/bb\nDigest: sha256:d\n127.0.0.1:5000/private/bb:1\n", p.out());
        Request req = d.requests.getLast();
        assertEquals("/v1.47/images/create?fromImage=127.0.0.1%3A5000%2Fprivate%2Fbb&tag=1", req.target());
        assertEquals("{\"username\":\"alice\",\"password\":\"s3cret\",\"serveraddress\":\"127.0.0.1:5000\"}", Json.toJson(authOf(req)));

        FakeDaemon.Result hub = d.berth("", "pull", "-q", "busybox");
        assertEquals("docker.io/library/busybox:latest\n", hub.out());
        req = d.requests.getLast();
        assertEquals("/v1.47/images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest", req.target());
        assertEquals("https://index.docker.io/v1/", Json.str(authOf(req), "serveraddress"));
        assertEquals("hub", Json.str(authOf(req), "username"));

        FakeDaemon.Result all = d.berth("", "pull", "-a", "-q", "busybox");
        assertEquals("docker.io/library/busybox\n", all.out());
        assertEquals("/v1.47/images/create?fromImage=docker.io%2Flibrary%2Fbusybox", d.requests.getLast().target());
        assertEquals("tag can't be used with --all-tags/-a\n", d.berth("", "pull", "-a", "busybox:1").err());

        d.berth("", "pull", "-q", "other.example:5000/x");
        assertEquals("{}", Json.toJson(authOf(d.requests.getLast())), "no stored credentials: an empty object, as docker");

        // run: the create fails with 404, the implicit pull carries the credentials
        d.requests.clear();
        d.berth("", "run", "--rm", "127.0.0.1:5000/private/bb:1", "true");
        Request pull = d.requests.stream().filter(r -> r.path().endsWith("/images/create")).findFirst().orElseThrow();
        assertEquals("alice", Json.str(authOf(pull), "username"));
    }

    @Test
    void pushSendsNameTagAndCredentialsAndDrawsTheStream() throws Exception {
        Files.createDirectories(d.configDir);
        Files.writeString(config(), "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"YWxpY2U6czNjcmV0\"}}}");
        String stream = """
                {"status":"The push refers to repository [127.0.0.1:5000/bb]"}
                {"status":"Preparing","progressDetail":{},"id":"b9c2ba6c8ca7"}
                {"status":"Pushing","progressDetail":{"current":512,"total":1024},"progress":"[==> ]","id":"b9c2ba6c8ca7"}
                {"status":"Pushed","progressDetail":{},"id":"b9c2ba6c8ca7"}
                {"status":"latest: digest: sha256:abc size: 528"}
                {"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:abc","Size":528}}
                """;
        d.answer(r -> r.path().endsWith("/push") ? Response.json(200, stream) : Response.json(404, "{\"message\":\"page not found\"}"));

        FakeDaemon.Result r = d.berth("", "push", "127.0.0.1:5000/bb");
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                Using default tag: latest
                The push refers to repository [127.0.0.1:5000/bb]
                b9c2ba6c8ca7: Preparing
                b9c2ba6c8ca7: Pushed
                latest: digest: sha256:abc size: 528
                """, r.out());
        Request req = d.requests.getLast();
        assertEquals("POST", req.method());
        assertEquals("/v1.47/images/127.0.0.1:5000/bb/push?tag=latest", req.target());
        assertEquals("alice", Json.str(authOf(req), "username"));

        FakeDaemon.Result q = d.berth("", "image", "push", "-q", "127.0.0.1:5000/bb:1");
        assertEquals("127.0.0.1:5000/bb:1\n", q.out());
        assertEquals("/v1.47/images/127.0.0.1:5000/bb/push?tag=1", d.requests.getLast().target());

        FakeDaemon.Result all = d.berth("", "push", "--all-tags", "127.0.0.1:5000/bb");
        assertEquals(0, all.code(), all.err());
        assertEquals("/v1.47/images/127.0.0.1:5000/bb/push", d.requests.getLast().target());

        FakeDaemon.Result hub = d.berth("", "push", "-q", "--platform", "linux/arm64/v8", "user/app:2");
        assertEquals("docker.io/user/app:2\n", hub.out());
        assertEquals("/v1.47/images/docker.io/user/app/push?tag=2&platform=%7B%22architecture%22%3A%22arm64%22%2C%22os%22%3A%22linux%22%2C%22variant%22%3A%22v8%22%7D",
                d.requests.getLast().target());
        assertEquals("{}", Json.toJson(authOf(d.requests.getLast())));

        int before = d.requests.size();
        assertEquals("tag can't be used with --all-tags/-a\n", d.berth("", "push", "-a", "r:5000/bb:1").err());
        assertEquals("cannot push a digest reference\n", d.berth("", "push", "r:5000/bb@sha256:" + "a".repeat(64)).err());
        assertEquals(before, d.requests.size());
    }

    @Test
    void pushErrorsFromTheStreamOrTheDaemonEndTheCommand() throws Exception {
        d.answer(r -> Response.json(200, "{\"status\":\"The push refers to repository [r:5000/bb]\"}\n"
                + "{\"errorDetail\":{\"message\":\"unauthorized: authentication required\"},\"error\":\"unauthorized: authentication required\"}\n"));
        FakeDaemon.Result r = d.berth("", "push", "r:5000/bb:1");
        assertEquals(1, r.code());
        assertEquals("The push refers to repository [r:5000/bb]\n", r.out());
        assertEquals("unauthorized: authentication required\n", r.err());

        d.answer(r2 -> Response.json(404, "{\"message\":\"No such image: r:5000/bb:1\"}"));
        FakeDaemon.Result missing = d.berth("", "push", "r:5000/bb:1");
        assertEquals(1, missing.code());
        assertEquals("Error response from daemon: No such image: r:5000/bb:1\n", missing.err());
    }

    @Test
    void prunePromptsThenReports() throws Exception {
        d.answer(r -> Response.json(200, "{\"ImagesDeleted\":[{\"Untagged\":\"x:1\"},{\"Deleted\":\"sha256:aa\"}],\"SpaceReclaimed\":1982779}"));
        FakeDaemon.Result no = d.berth("n\n", "image", "prune");
        assertEquals(0, no.code());
        assertEquals("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ", no.out());
        assertTrue(d.requests.isEmpty());

        FakeDaemon.Result yes = d.berth("y\n", "image", "prune");
        assertEquals(0, yes.code(), yes.err());
        assertEquals("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
                + "Deleted Images:\nuntagged: x:1\ndeleted: sha256:aa\n\nTotal reclaimed space: 1.983MB\n", yes.out());
        assertEquals("/v1.47/images/prune?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D", d.requests.getLast().target());

        d.answer(r -> Response.json(200, "{\"ImagesDeleted\":null,\"SpaceReclaimed\":0}"));
        FakeDaemon.Result all = d.berth("", "image", "prune", "-a", "-f", "--filter", "label=k");
        assertEquals("Total reclaimed space: 0B\n", all.out());
        // keys sorted, as docker 28 sends them (a Go map)
        assertEquals("/v1.47/images/prune?filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%2C%22label%22%3A%7B%22k%22%3Atrue%7D%7D",
                d.requests.getLast().target());
    }

    @Test
    void historyTables() throws Exception {
        String h = "[{\"Id\":\"sha256:198592b80ebf4dee2c65e1a5bbc90abae5cd0e4959e1bc5bded274cd3053ab0c\",\"Created\":1767225601,"
                + "\"CreatedBy\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\",\"Tags\":[\"bb:1\"],\"Size\":0,\"Comment\":\"\"},"
                + "{\"Id\":\"<missing>\",\"Created\":1767225600,\"CreatedBy\":\"/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / \","
                + "\"Tags\":null,\"Size\":1982779,\"Comment\":\"\"}]";
        d.answer(r -> Response.json(200, h));
        FakeDaemon.Result q = d.berth("", "history", "-q", "bb:1");
        assertEquals("198592b80ebf\n<missing>\n", q.out());
        assertEquals("/v1.47/images/bb:1/history", d.requests.getLast().target());
        FakeDaemon.Result raw = d.berth("", "image", "history", "--human=false", "--format", "{{.Size}}|{{.CreatedBy}}", "bb:1");
        assertEquals("0|/bin/sh -c #(nop)  CMD [\"sh\"]\n1982779|/bin/sh -c #(nop) ADD file:0123456789abcdef0…\n", raw.out());
        FakeDaemon.Result json = d.berth("", "history", "--format", "json", "--no-trunc", "bb:1");
        Object first = Json.parse(json.out().lines().toList().get(1));
        assertEquals(List.of("Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"), List.copyOf(Json.obj(first).keySet()));
        assertEquals("1.98MB", Json.str(first, "Size"));
        assertEquals("/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / ", Json.str(first, "CreatedBy"));
    }
}
