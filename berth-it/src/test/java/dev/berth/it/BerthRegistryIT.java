package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bin/berth-registry as a process, driven by independent clients: skopeo both ways, the docker
 * CLI pushing and pulling through berthd, and raw requests compared with Debian's
 * docker-registry (distribution 2.8) side by side. Loopback only.
 */
class BerthRegistryIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static boolean skopeo() { return Files.isExecutable(Path.of("/usr/bin/skopeo")); }

    private static HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void skopeoCopiesInAndOutIncludingAnIndex() throws Exception {
        assumeTrue(skopeo(), "skopeo is installed by bin/install-deps --test");
        try (BerthRegistry reg = new BerthRegistry()) {
            Path layout = reg.dir.resolve("layout");
            LocalRegistry.OciImage single = LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "single", null);
            LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "multi", List.of(new String[] {"linux", "amd64"},
                    new String[] {"linux", "arm64"}));
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":single",
                    "docker://" + reg.host() + "/it/single:v1"));
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:" + layout + ":multi",
                    "docker://" + reg.host() + "/it/multi:v1"));
            Cmd.Result inspect = ok(Cmd.run(Map.of(), null, "skopeo", "inspect", "--tls-verify=false", "docker://" + reg.host() + "/it/single:v1"));
            assertTrue(inspect.out().contains("\"Digest\": \"" + single.manifest() + "\""), inspect::toString);
            Cmd.Result tags = ok(Cmd.run(Map.of(), null, "skopeo", "list-tags", "--tls-verify=false", "docker://" + reg.host() + "/it/single"));
            assertTrue(tags.out().contains("\"v1\""), tags::toString);
            // Back out: same manifest and layer bytes.
            Path out = reg.dir.resolve("out");
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--src-tls-verify=false", "docker://" + reg.host() + "/it/single:v1",
                    "oci:" + out + ":back"));
            assertArrayEquals(Files.readAllBytes(layout.resolve("blobs/sha256").resolve(single.layer().substring(7))),
                    Files.readAllBytes(out.resolve("blobs/sha256").resolve(single.layer().substring(7))));
            assertTrue(Files.exists(out.resolve("blobs/sha256").resolve(single.manifest().substring(7))));
            Path outAll = reg.dir.resolve("out-all");
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--all", "--src-tls-verify=false", "docker://" + reg.host() + "/it/multi:v1",
                    "oci:" + outAll + ":back"));
            assertTrue(Files.readString(outAll.resolve("index.json")).contains("application/vnd.oci.image.index.v1+json"));
            HttpResponse<String> catalog = send("GET", reg.url("/v2/_catalog"), null);
            assertEquals("{\"repositories\":[\"it/multi\",\"it/single\"]}", catalog.body());
        }
    }

    @Test
    void dockerPushesAndPullsThroughBerthd() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthRegistry reg = new BerthRegistry(); BerthDaemon d = new BerthDaemon().start()) {
            String app = reg.host() + "/team/app:1";
            String id = ok(d.docker("import", Fixtures.busyboxTar().toString(), app)).out().strip();
            Cmd.Result p = ok(d.docker("push", app));
            assertTrue(p.out().contains(": Pushed"), p::toString);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("1: digest: (sha256:[a-f0-9]{64}) size: (\\d+)").matcher(p.out());
            assertTrue(m.find(), p::toString);
            HttpResponse<String> head = send("HEAD", reg.url("/v2/team/app/manifests/1"), null,
                    "Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json");
            assertEquals(200, head.statusCode());
            assertEquals(m.group(1), head.headers().firstValue("Docker-Content-Digest").orElseThrow());
            Cmd.Result again = ok(d.docker("push", app));
            assertTrue(again.out().contains(": Layer already exists"), again::toString);
            String other = reg.host() + "/other/app:2";
            ok(d.docker("tag", app, other));
            Cmd.Result mount = ok(d.docker("push", other));
            assertTrue(mount.out().contains(": Mounted from team/app"), mount::toString);
            ok(d.docker("rmi", app, other));
            ok(d.docker("pull", other));
            assertEquals(id, ok(d.docker("inspect", "-f", "{{.Id}}", other)).out().strip(), "the image comes back identical");
            assertEquals("back\n", ok(d.docker("run", "--rm", other, "echo", "back")).out());
        }
    }

    @Test
    void dockerLogsInAndPushesThroughTheTokenFlow() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        try (BerthRegistry reg = BerthRegistry.withAuth(r -> {
                    try {
                        Cmd.Result h = ok(Cmd.run(Map.of(), null, "htpasswd", "-Bbn", "alice", "s3cret"));
                        Files.writeString(r.dir.resolve("htpasswd"), h.out());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return "{\"token\": {\"realm\": \"" + r.url("/token") + "\", \"service\": \"berth-it\", \"issuer\": \"berth-it\","
                            + " \"key\": \"token.pem\", \"accounts\": {\"htpasswd\": \"htpasswd\"},"
                            + " \"access\": [{\"account\": \"alice\", \"name\": \"alice/*\", \"actions\": [\"pull\", \"push\"]}]}}";
                });
             BerthDaemon d = new BerthDaemon().start()) {
            Map<String, String> env = Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", d.dir.resolve("cfg").toString());
            String app = reg.host() + "/alice/app:1";
            ok(Cmd.run(env, null, "/usr/local/bin/docker", "import", Fixtures.busyboxTar().toString(), app));
            Cmd.Result anonymous = Cmd.run(env, null, "/usr/local/bin/docker", "push", app);
            assertNotEquals(0, anonymous.code(), anonymous::toString);
            Cmd.Result wrong = Cmd.run(env, null, "/usr/local/bin/docker", "login", "-u", "alice", "-p", "nope", reg.host());
            assertNotEquals(0, wrong.code(), wrong::toString);
            ok(Cmd.run(env, "s3cret", "/usr/local/bin/docker", "login", "-u", "alice", "--password-stdin", reg.host()));
            // the login's identity token (a refresh token) is kept instead of the password
            com.fasterxml.jackson.databind.JsonNode stored = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(d.dir.resolve("cfg/config.json").toFile()).path("auths").path(reg.host());
            assertFalse(stored.path("identitytoken").asText().isEmpty(), stored::toString);
            assertFalse(new String(java.util.Base64.getDecoder().decode(stored.path("auth").asText()), StandardCharsets.UTF_8).contains("s3cret"),
                    "no password stored: " + stored);
            // so the push below reaches the registry through the refresh-token grant
            Cmd.Result pushed = ok(Cmd.run(env, null, "/usr/local/bin/docker", "push", app));
            assertTrue(pushed.out().contains("1: digest: sha256:"), pushed::toString);
            ok(Cmd.run(env, null, "/usr/local/bin/docker", "rmi", app));
            ok(Cmd.run(env, null, "/usr/local/bin/docker", "pull", app));
            // alice's token does not reach another account's repositories
            String other = reg.host() + "/bob/app:1";
            ok(Cmd.run(env, null, "/usr/local/bin/docker", "tag", app, other));
            assertNotEquals(0, Cmd.run(env, null, "/usr/local/bin/docker", "push", other).code());
        }
    }

    @Test
    void killedMidUploadKeepsAcknowledgedChunksAndPublishesNothingUnverified() throws Exception {
        try (BerthRegistry reg = new BerthRegistry()) {
            HttpResponse<String> open = send("POST", reg.url("/v2/crash/blobs/uploads/"), null);
            assertEquals(202, open.statusCode());
            String location = reg.url(open.headers().firstValue("Location").orElseThrow());
            assertEquals(202, send("PATCH", location, "acknowledged ", "Content-Range", "0-12").statusCode());
            reg.kill9();
            reg.start();
            HttpResponse<String> status = send("GET", location, null);
            assertEquals(204, status.statusCode());
            assertEquals("0-12", status.headers().firstValue("Range").orElseThrow());
            String all = "acknowledged bytes";
            String digest = LocalRegistry.sha(all.getBytes(StandardCharsets.UTF_8));
            // Nothing of the unfinished upload is visible as a blob.
            assertEquals(404, send("HEAD", reg.url("/v2/crash/blobs/" + digest), null).statusCode());
            assertEquals(201, send("PUT", location + "?digest=" + digest, "bytes", "Content-Range", "13-17").statusCode());
            assertEquals(all, send("GET", reg.url("/v2/crash/blobs/" + digest), null).body());
        }
    }

    @Test
    void gcRefusesBesideAWriterAndSweepsWhatNothingReferences() throws Exception {
        assumeTrue(skopeo(), "skopeo is installed by bin/install-deps --test");
        try (BerthRegistry reg = new BerthRegistry()) {
            Path layout = reg.dir.resolve("layout");
            LocalRegistry.OciImage img = LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "single", null);
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":single",
                    "docker://" + reg.host() + "/gc/kept:v1"));
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":single",
                    "docker://" + reg.host() + "/gc/dropped:v1"));
            byte[] orphan = "an orphan blob".getBytes(StandardCharsets.UTF_8);
            String orphanDigest = LocalRegistry.sha(orphan);
            assertEquals(201, send("POST", reg.url("/v2/gc/dropped/blobs/uploads/?digest=" + orphanDigest),
                    new String(orphan, StandardCharsets.UTF_8)).statusCode());
            assertEquals(202, send("DELETE", reg.url("/v2/gc/dropped/manifests/" + img.manifest()), null).statusCode());

            Cmd.Result busy = reg.gc();
            assertEquals(1, busy.code(), busy::toString);
            assertTrue(busy.err().contains("read-write berth-registry"), busy::toString);
            reg.stop();
            Cmd.Result dry = ok(reg.gc("--dry-run"));
            assertTrue(dry.out().startsWith("would delete 1 blobs"), dry::toString); // the layers stay: gc/kept uses them
            Cmd.Result done = ok(reg.gc());
            assertTrue(done.out().startsWith("deleted 1 blobs"), done::toString);
            reg.start();
            assertEquals(404, send("GET", reg.url("/v2/gc/dropped/blobs/" + orphanDigest), null).statusCode());
            Path out = reg.dir.resolve("out");
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "--src-tls-verify=false", "docker://" + reg.host() + "/gc/kept:v1",
                    "oci:" + out + ":back"));
        }
    }

    /** A docker-registry's config.yml, as it is, on berth-registry's command line as on docker-registry's. */
    @Test
    void servesFromDistributionsConfigYml() throws Exception {
        try (BerthRegistry reg = BerthRegistry.withDistributionConfig(r -> {
            try {
                Files.writeString(r.dir.resolve("htpasswd"), ok(Cmd.run(Map.of(), null, "htpasswd", "-Bbn", "alice", "s3cret")).out());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return """
                    version: 0.1
                    log:
                      fields:
                        service: registry
                    storage:
                      cache:
                        blobdescriptor: inmemory
                      filesystem:
                        rootdirectory: %s
                    http:
                      addr: %s
                      headers:
                        X-Content-Type-Options: [nosniff]
                    auth:
                      htpasswd:
                        realm: basic-realm
                        path: %s
                    """.formatted(r.dir.resolve("yml-storage"), r.host(), r.dir.resolve("htpasswd"));
        })) {
            HttpResponse<String> anon = send("GET", reg.url("/v2/"), null);
            assertEquals(401, anon.statusCode());
            assertEquals("Basic realm=\"basic-realm\"", anon.headers().firstValue("WWW-Authenticate").orElse(""));
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
            assertEquals(200, send("GET", reg.url("/v2/"), null, "Authorization", basic).statusCode());
            // distribution's default: deletes are off
            HttpResponse<String> del = send("DELETE", reg.url("/v2/a/manifests/sha256:" + "0".repeat(64)), null, "Authorization", basic);
            assertEquals(405, del.statusCode(), del::body);
            assertTrue(del.body().contains("UNSUPPORTED"), del::body);
            assertTrue(Files.isDirectory(reg.dir.resolve("yml-storage")), "the storage is the config's rootdirectory");
        }
    }

    /** The same requests to berth-registry and to distribution: same status codes, error codes and key headers. */
    @Test
    void answersLikeDistribution() throws Exception {
        assumeTrue(LocalRegistry.available(), "docker-registry is installed by bin/install-deps --test");
        try (BerthRegistry berth = new BerthRegistry(); LocalRegistry dist = new LocalRegistry()) {
            String missing = "sha256:" + "0".repeat(64);
            String[][] requests = {
                    {"GET", "/v2/"},
                    {"GET", "/v2/x/blobs/" + missing},
                    {"HEAD", "/v2/x/blobs/" + missing},
                    {"GET", "/v2/x/blobs/sha256:bad"},
                    {"GET", "/v2/x/manifests/nope"},
                    {"GET", "/v2/x/manifests/" + missing},
                    {"GET", "/v2/nowhere/tags/list"},
                    // distribution says BLOB_UPLOAD_INVALID (the URL lacks its _state token); the spec's code is
                    // BLOB_UPLOAD_UNKNOWN, which berth answers: only the status is compared
                    {"GET", "/v2/x/blobs/uploads/00000000-0000-0000-0000-000000000000", "status"},
                    // (not compared: POST ?digest= — distribution 2.8 ignores it and opens a session; berth
                    // takes the monolithic upload the OCI spec describes, checked in the conformance tests)
            };
            for (String[] r : requests) {
                HttpResponse<String> a = send(r[0], berth.url(r[1]), r[0].equals("POST") ? "data" : null);
                HttpResponse<String> b = send(r[0], "http://" + dist.host() + r[1], r[0].equals("POST") ? "data" : null);
                String what = r[0] + " " + r[1] + ": berth " + a.statusCode() + " " + a.body() + " / distribution " + b.statusCode() + " " + b.body();
                assertEquals(b.statusCode(), a.statusCode(), what);
                assertEquals(b.headers().firstValue("Docker-Distribution-API-Version"),
                        a.headers().firstValue("Docker-Distribution-API-Version"), what);
                if (!r[0].equals("HEAD") && r.length == 2 && b.statusCode() >= 400) assertEquals(code(b.body()), code(a.body()), what);
            }
            // Deliberately different: an invalid name is the spec's NAME_INVALID (400); distribution's
            // router does not match it and answers a plain-text 404.
            HttpResponse<String> upper = send("GET", berth.url("/v2/UPPER/tags/list"), null);
            assertEquals(400, upper.statusCode());
            assertEquals("NAME_INVALID", code(upper.body()));
            assertEquals(404, send("GET", "http://" + dist.host() + "/v2/UPPER/tags/list", null).statusCode());
            // An upload session: 202 with the same headers, the same Range after a chunk. A chunk out of
            // order is 416 on berth (the spec); distribution 2.8 ignores Content-Range and takes it.
            for (String base : new String[] {berth.url(""), "http://" + dist.host()}) {
                HttpResponse<String> open = send("POST", base + "/v2/x/blobs/uploads/", null);
                assertEquals(202, open.statusCode(), base);
                assertEquals("0-0", open.headers().firstValue("Range").orElseThrow(), base);
                assertTrue(open.headers().firstValue("Docker-Upload-UUID").isPresent(), base);
                String loc = open.headers().firstValue("Location").orElseThrow();
                String location = loc.startsWith("http") ? loc : base + loc;
                HttpResponse<String> chunk = send("PATCH", location, "abc", "Content-Range", "0-2");
                assertEquals(202, chunk.statusCode(), base);
                assertEquals("0-2", chunk.headers().firstValue("Range").orElseThrow(), base);
                String next = chunk.headers().firstValue("Location").orElseThrow();
                HttpResponse<String> skip = send("PATCH", next.startsWith("http") ? next : base + next, "z", "Content-Range", "7-7");
                assertEquals(base.equals(berth.url("")) ? 416 : 202, skip.statusCode(), base + " " + skip.body());
            }
        }
    }

    private static String code(String body) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"code\":\"([A-Z_]+)\"").matcher(body);
        return m.find() ? m.group(1) : body;
    }
}
