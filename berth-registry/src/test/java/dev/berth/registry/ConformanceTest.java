package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.daemon.content.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint and error of the distribution API against an in-process server on
 * 127.0.0.1:0, through the JDK's HTTP client.
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir Path dir;
    private RegistryServer server;
    private String base;

    private void start(boolean readOnly, Authorizer auth) throws Exception {
        if (server != null) server.close();
        server = RegistryServer.start(new RegistryConfig(RegistryConfig.address("127.0.0.1:0"), dir.resolve("storage"), null, null,
                readOnly, true, null, null), auth);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    private void start() throws Exception { start(false, Authorizer.ALLOW_ALL); }

    @AfterEach void stop() throws Exception {
        if (server != null) server.close();
    }

    private HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> r, String name) { return r.headers().firstValue(name).orElse(null); }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception { return JSON.readTree(r.body()); }

    private static void assertError(HttpResponse<byte[]> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(code, json(r).get("errors").get(0).get("code").asText(), new String(r.body(), StandardCharsets.UTF_8));
    }

    private static String digest(byte[] b) { return Digest.of(b).toString(); }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** Uploads a blob monolithically. */
    private String blob(String repo, byte[] content) throws Exception {
        String d = digest(content);
        HttpResponse<byte[]> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d, content);
        assertEquals(201, r.statusCode(), new String(r.body()));
        return d;
    }

    /** An OCI image (config + one layer) pushed to repo:tag; returns the manifest bytes. */
    private byte[] image(String repo, String tag, String layerText, String extra) throws Exception {
        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"layer\":\"" + layerText + "\"}");
        byte[] layer = bytes(layerText);
        blob(repo, config);
        blob(repo, layer);
        byte[] manifest = bytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + digest(layer) + "\",\"size\":" + layer.length + "}]" + extra + "}");
        HttpResponse<byte[]> r = send("PUT", "/v2/" + repo + "/manifests/" + tag, manifest, "Content-Type", Manifest.OCI_MANIFEST);
        assertEquals(201, r.statusCode(), new String(r.body()));
        assertEquals(digest(manifest), header(r, "Docker-Content-Digest"));
        return manifest;
    }

    @Test void baseEndpoint() throws Exception {
        start();
        HttpResponse<byte[]> r = send("GET", "/v2/", null);
        assertEquals(200, r.statusCode());
        assertEquals("registry/2.0", header(r, "Docker-Distribution-API-Version"));
        assertEquals(200, send("GET", "/v2", null).statusCode());
        assertError(send("GET", "/nothing", null), 404, "NAME_UNKNOWN");
    }

    @Test void monolithicUploadAndBlobReads() throws Exception {
        start();
        byte[] content = bytes("hello, registry");
        String d = blob("library/hello", content);
        HttpResponse<byte[]> get = send("GET", "/v2/library/hello/blobs/" + d, null);
        assertEquals(200, get.statusCode());
        assertArrayEquals(content, get.body());
        assertEquals(d, header(get, "Docker-Content-Digest"));
        HttpResponse<byte[]> head = send("HEAD", "/v2/library/hello/blobs/" + d, null);
        assertEquals(200, head.statusCode());
        assertEquals(Integer.toString(content.length), header(head, "Content-Length"));
        assertEquals(0, head.body().length);
        HttpResponse<byte[]> range = send("GET", "/v2/library/hello/blobs/" + d, null, "Range", "bytes=7-14");
        assertEquals(206, range.statusCode());
        assertEquals("registry", new String(range.body(), StandardCharsets.UTF_8));
        assertEquals("bytes 7-14/15", header(range, "Content-Range"));
        HttpResponse<byte[]> bad = send("GET", "/v2/library/hello/blobs/" + d, null, "Range", "bytes=15-");
        assertEquals(416, bad.statusCode());
        assertEquals("bytes */15", header(bad, "Content-Range"));
        // Not linked into another repository, unknown, malformed.
        assertError(send("GET", "/v2/other/blobs/" + d, null), 404, "BLOB_UNKNOWN");
        assertError(send("GET", "/v2/library/hello/blobs/" + digest(bytes("x")), null), 404, "BLOB_UNKNOWN");
        assertError(send("GET", "/v2/library/hello/blobs/sha256:zz", null), 400, "DIGEST_INVALID");
        assertError(send("GET", "/v2/Upper/blobs/" + d, null), 400, "NAME_INVALID");
        HttpResponse<byte[]> headMissing = send("HEAD", "/v2/library/hello/blobs/" + digest(bytes("x")), null);
        assertEquals(404, headMissing.statusCode());
        // A wrong digest publishes nothing.
        assertError(send("POST", "/v2/library/hello/blobs/uploads/?digest=" + digest(bytes("other")), bytes("mine")), 400,
                "DIGEST_INVALID");
        assertTrue(server != null && send("GET", "/v2/library/hello/blobs/" + digest(bytes("mine")), null).statusCode() == 404);
    }

    @Test void chunkedUpload() throws Exception {
        start();
        HttpResponse<byte[]> open = send("POST", "/v2/r/blobs/uploads/", null);
        assertEquals(202, open.statusCode());
        String location = header(open, "Location");
        String uuid = header(open, "Docker-Upload-UUID");
        assertNotNull(uuid);
        assertTrue(location.endsWith("/blobs/uploads/" + uuid), location);
        assertEquals("0-0", header(open, "Range"));
        HttpResponse<byte[]> p1 = send("PATCH", location, bytes("hello "), "Content-Range", "0-5", "Content-Type",
                "application/octet-stream");
        assertEquals(202, p1.statusCode(), new String(p1.body()));
        assertEquals("0-5", header(p1, "Range"));
        // Out of order: 416, and the upload says where it stands.
        HttpResponse<byte[]> skip = send("PATCH", header(p1, "Location"), bytes("x"), "Content-Range", "9-9");
        assertError(skip, 416, "RANGE_INVALID");
        assertEquals("0-5", header(skip, "Range"));
        HttpResponse<byte[]> again = send("PATCH", header(p1, "Location"), bytes("hello "), "Content-Range", "0-5");
        assertEquals(416, again.statusCode());
        // Streamed chunk without Content-Range continues at the end.
        HttpResponse<byte[]> p2 = send("PATCH", header(p1, "Location"), bytes("chunked "));
        assertEquals("0-13", header(p2, "Range"));
        HttpResponse<byte[]> status = send("GET", location, null);
        assertEquals(204, status.statusCode());
        assertEquals("0-13", header(status, "Range"));
        assertEquals(uuid, header(status, "Docker-Upload-UUID"));
        byte[] all = bytes("hello chunked world");
        // The closing PUT carries the last chunk.
        HttpResponse<byte[]> done = send("PUT", location + "?digest=" + digest(all), bytes("world"), "Content-Range", "14-18");
        assertEquals(201, done.statusCode(), new String(done.body()));
        assertEquals("/v2/r/blobs/" + digest(all), header(done, "Location"));
        assertArrayEquals(all, send("GET", "/v2/r/blobs/" + digest(all), null).body());
        // The session is gone.
        assertError(send("GET", location, null), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(send("PATCH", location, bytes("x")), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test void uploadErrors() throws Exception {
        start();
        String location = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        send("PATCH", location, bytes("abc"));
        assertError(send("PUT", location, null), 400, "DIGEST_INVALID"); // no digest
        assertError(send("PUT", location + "?digest=" + digest(bytes("xyz")), null), 400, "DIGEST_INVALID");
        assertError(send("GET", location, null), 404, "BLOB_UPLOAD_UNKNOWN"); // a failed PUT ends the session
        // Cancel.
        String second = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        assertEquals(204, send("DELETE", second, null).statusCode());
        assertError(send("DELETE", second, null), 404, "BLOB_UPLOAD_UNKNOWN");
        // Unknown ids, and a session of another repository.
        assertError(send("GET", "/v2/r/blobs/uploads/not-a-uuid", null), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(send("GET", "/v2/r/blobs/uploads/00000000-0000-0000-0000-000000000000", null), 404, "BLOB_UPLOAD_UNKNOWN");
        String third = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        assertError(send("GET", third.replace("/v2/r/", "/v2/s/"), null), 404, "BLOB_UPLOAD_UNKNOWN");
        // Content-Range and body disagree.
        assertError(send("PATCH", third, bytes("abcd"), "Content-Range", "0-1"), 416, "RANGE_INVALID");
        assertError(send("PATCH", third, bytes("abcd"), "Content-Range", "zz"), 416, "RANGE_INVALID");
        // Empty blob through a session.
        String fourth = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        assertEquals(201, send("PUT", fourth + "?digest=" + digest(new byte[0]), null).statusCode());
        assertEquals("0", header(send("HEAD", "/v2/r/blobs/" + digest(new byte[0]), null), "Content-Length"));
    }

    @Test void crossRepositoryMount() throws Exception {
        start();
        String d = blob("src", bytes("shared layer"));
        HttpResponse<byte[]> m = send("POST", "/v2/dst/blobs/uploads/?mount=" + d + "&from=src", null);
        assertEquals(201, m.statusCode());
        assertEquals("/v2/dst/blobs/" + d, header(m, "Location"));
        assertEquals(d, header(m, "Docker-Content-Digest"));
        assertEquals(200, send("HEAD", "/v2/dst/blobs/" + d, null).statusCode());
        // Not in the source repository: an ordinary session instead.
        HttpResponse<byte[]> fallback = send("POST", "/v2/dst2/blobs/uploads/?mount=" + d + "&from=elsewhere", null);
        assertEquals(202, fallback.statusCode());
        assertNotNull(header(fallback, "Docker-Upload-UUID"));
        assertEquals(202, send("POST", "/v2/dst2/blobs/uploads/?mount=" + d + "&from=BAD", null).statusCode());
    }

    @Test void blobDelete() throws Exception {
        start();
        String d = blob("r", bytes("to delete"));
        assertEquals(202, send("DELETE", "/v2/r/blobs/" + d, null).statusCode());
        assertError(send("GET", "/v2/r/blobs/" + d, null), 404, "BLOB_UNKNOWN");
        assertError(send("DELETE", "/v2/r/blobs/" + d, null), 404, "BLOB_UNKNOWN");
    }

    @Test void manifestsByTagAndDigest() throws Exception {
        start();
        byte[] manifest = image("app", "v1", "layer one", "");
        String d = digest(manifest);
        for (String ref : new String[] {"v1", d}) {
            HttpResponse<byte[]> get = send("GET", "/v2/app/manifests/" + ref, null, "Accept", Manifest.OCI_MANIFEST);
            assertEquals(200, get.statusCode());
            assertArrayEquals(manifest, get.body());
            assertEquals(Manifest.OCI_MANIFEST, header(get, "Content-Type"));
            assertEquals(d, header(get, "Docker-Content-Digest"));
            HttpResponse<byte[]> head = send("HEAD", "/v2/app/manifests/" + ref, null);
            assertEquals(200, head.statusCode());
            assertEquals(Integer.toString(manifest.length), header(head, "Content-Length"));
            assertEquals(d, header(head, "Docker-Content-Digest"));
        }
        // The manifest is also readable as a blob of its repository.
        assertArrayEquals(manifest, send("GET", "/v2/app/blobs/" + d, null).body());
        // PUT by digest: must match.
        HttpResponse<byte[]> byDigest = send("PUT", "/v2/app/manifests/" + d, manifest, "Content-Type", Manifest.OCI_MANIFEST);
        assertEquals(201, byDigest.statusCode());
        assertEquals("/v2/app/manifests/" + d, header(byDigest, "Location"));
        assertError(send("PUT", "/v2/app/manifests/" + digest(bytes("x")), manifest, "Content-Type", Manifest.OCI_MANIFEST), 400,
                "DIGEST_INVALID");
        assertError(send("GET", "/v2/app/manifests/nope", null), 404, "MANIFEST_UNKNOWN");
        assertError(send("GET", "/v2/app/manifests/" + digest(bytes("x")), null), 404, "MANIFEST_UNKNOWN");
        assertError(send("GET", "/v2/other/manifests/v1", null), 404, "MANIFEST_UNKNOWN");
        assertEquals(404, send("HEAD", "/v2/app/manifests/nope", null).statusCode());
        // Delete the tag (OCI 1.1): the revision stays.
        image("app", "v2", "layer one", "");
        assertEquals(202, send("DELETE", "/v2/app/manifests/v2", null).statusCode());
        assertError(send("GET", "/v2/app/manifests/v2", null), 404, "MANIFEST_UNKNOWN");
        assertEquals(200, send("GET", "/v2/app/manifests/" + d, null).statusCode());
        // Delete by digest: the revision and its tags go.
        assertEquals(202, send("DELETE", "/v2/app/manifests/" + d, null).statusCode());
        assertError(send("GET", "/v2/app/manifests/" + d, null), 404, "MANIFEST_UNKNOWN");
        assertError(send("GET", "/v2/app/manifests/v1", null), 404, "MANIFEST_UNKNOWN");
        assertError(send("DELETE", "/v2/app/manifests/" + d, null), 404, "MANIFEST_UNKNOWN");
    }

    @Test void manifestValidation() throws Exception {
        start();
        byte[] config = bytes("{}");
        String c = blob("v", config);
        String missing = digest(bytes("missing layer"));
        String body = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + c + "\",\"size\":%d},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"%s\",\"size\":3}]}";
        HttpResponse<byte[]> r = send("PUT", "/v2/v/manifests/t", bytes(body.formatted(2, missing)), "Content-Type", Manifest.DOCKER_MANIFEST);
        assertError(r, 400, "MANIFEST_BLOB_UNKNOWN");
        assertEquals(missing, json(r).get("errors").get(0).get("detail").get(0).asText());
        String layer = blob("v", bytes("abc"));
        assertError(send("PUT", "/v2/v/manifests/t", bytes(body.formatted(99, layer)), "Content-Type", Manifest.DOCKER_MANIFEST), 400,
                "MANIFEST_INVALID"); // size mismatch
        assertError(send("PUT", "/v2/v/manifests/t", bytes("{nope"), "Content-Type", Manifest.DOCKER_MANIFEST), 400, "MANIFEST_INVALID");
        assertError(send("PUT", "/v2/v/manifests/t", bytes(body.formatted(2, layer)), "Content-Type", Manifest.OCI_MANIFEST), 400,
                "MANIFEST_INVALID"); // mediaType disagrees
        assertError(send("PUT", "/v2/v/manifests/bad..tag!", bytes(body.formatted(2, layer)), "Content-Type", Manifest.DOCKER_MANIFEST),
                400, "MANIFEST_INVALID");
        assertEquals(201, send("PUT", "/v2/v/manifests/t", bytes(body.formatted(2, layer)), "Content-Type", Manifest.DOCKER_MANIFEST)
                .statusCode());
        assertEquals(Manifest.DOCKER_MANIFEST, header(send("GET", "/v2/v/manifests/t", null), "Content-Type"));
    }

    @Test void indexesNeedTheirChildren() throws Exception {
        start();
        byte[] child = image("multi", "amd64", "amd64 layer", "");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%d,"
                + "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        assertError(send("PUT", "/v2/multi/manifests/latest", bytes(index.formatted(digest(bytes("nope")), 4)), "Content-Type",
                Manifest.OCI_INDEX), 400, "MANIFEST_BLOB_UNKNOWN");
        assertError(send("PUT", "/v2/multi/manifests/latest", bytes(index.formatted(digest(child), child.length + 1)), "Content-Type",
                Manifest.OCI_INDEX), 400, "MANIFEST_INVALID");
        byte[] ok = bytes(index.formatted(digest(child), child.length));
        assertEquals(201, send("PUT", "/v2/multi/manifests/latest", ok, "Content-Type", Manifest.OCI_INDEX).statusCode());
        HttpResponse<byte[]> get = send("GET", "/v2/multi/manifests/latest", null);
        assertEquals(Manifest.OCI_INDEX, header(get, "Content-Type"));
        assertArrayEquals(ok, get.body());
    }

    @Test void subjectAndReferrers() throws Exception {
        start();
        byte[] subject = image("art", "v1", "base", "");
        String s = digest(subject);
        String subjectField = ",\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + s
                + "\",\"size\":" + subject.length + "}";
        // A signature-like artifact and an SBOM-like one, both pushed by digest.
        byte[] empty = bytes("{}");
        String e = blob("art", empty);
        String art = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"%s\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + e + "\",\"size\":2},"
                + "\"layers\":[]" + subjectField + ",\"annotations\":{\"n\":\"%s\"}}";
        byte[] sig = bytes(art.formatted("application/x-signature", "sig"));
        byte[] sbom = bytes(art.formatted("application/x-sbom", "sbom"));
        for (byte[] m : new byte[][] {sig, sbom}) {
            HttpResponse<byte[]> r = send("PUT", "/v2/art/manifests/" + digest(m), m, "Content-Type", Manifest.OCI_MANIFEST);
            assertEquals(201, r.statusCode(), new String(r.body()));
            assertEquals(s, header(r, "OCI-Subject"));
        }
        HttpResponse<byte[]> all = send("GET", "/v2/art/referrers/" + s, null);
        assertEquals(200, all.statusCode());
        assertEquals(Manifest.OCI_INDEX, header(all, "Content-Type"));
        assertFalse(all.headers().firstValue("OCI-Filters-Applied").isPresent());
        JsonNode idx = json(all);
        assertEquals(2, idx.get("manifests").size());
        HttpResponse<byte[]> filtered = send("GET", "/v2/art/referrers/" + s + "?artifactType=application/x-sbom", null);
        assertEquals("artifactType", header(filtered, "OCI-Filters-Applied"));
        JsonNode only = json(filtered).get("manifests");
        assertEquals(1, only.size());
        assertEquals(digest(sbom), only.get(0).get("digest").asText());
        assertEquals(sbom.length, only.get(0).get("size").asInt());
        assertEquals("sbom", only.get(0).get("annotations").get("n").asText());
        assertEquals("application/x-sbom", only.get(0).get("artifactType").asText());
        // No referrers: an empty index; a bad digest: 400.
        assertEquals(0, json(send("GET", "/v2/art/referrers/" + digest(bytes("none")), null)).get("manifests").size());
        assertError(send("GET", "/v2/art/referrers/latest", null), 400, "DIGEST_INVALID");
        // Deleting the referrer removes it from the index.
        assertEquals(202, send("DELETE", "/v2/art/manifests/" + digest(sig), null).statusCode());
        assertEquals(1, json(send("GET", "/v2/art/referrers/" + s, null)).get("manifests").size());
    }

    @Test void tagListAndCatalogPagination() throws Exception {
        start();
        for (String t : new String[] {"c", "a", "b", "d"}) image("p/q", t, "layer", "");
        image("alpha", "x", "layer", "");
        image("zeta/z", "x", "layer", "");
        JsonNode all = json(send("GET", "/v2/p/q/tags/list", null));
        assertEquals("p/q", all.get("name").asText());
        assertEquals("[\"a\",\"b\",\"c\",\"d\"]", all.get("tags").toString());
        HttpResponse<byte[]> first = send("GET", "/v2/p/q/tags/list?n=2", null);
        assertEquals("[\"a\",\"b\"]", json(first).get("tags").toString());
        assertEquals("</v2/p/q/tags/list?last=b&n=2>; rel=\"next\"", header(first, "Link"));
        HttpResponse<byte[]> second = send("GET", "/v2/p/q/tags/list?last=b&n=2", null);
        assertEquals("[\"c\",\"d\"]", json(second).get("tags").toString());
        assertFalse(second.headers().firstValue("Link").isPresent());
        assertError(send("GET", "/v2/p/q/tags/list?n=-1", null), 400, "PAGINATION_NUMBER_INVALID");
        assertError(send("GET", "/v2/nowhere/tags/list", null), 404, "NAME_UNKNOWN");
        assertEquals("[\"alpha\",\"p/q\",\"zeta/z\"]", json(send("GET", "/v2/_catalog", null)).get("repositories").toString());
        HttpResponse<byte[]> page = send("GET", "/v2/_catalog?n=1&last=alpha", null);
        assertEquals("[\"p/q\"]", json(page).get("repositories").toString());
        assertEquals("</v2/_catalog?last=p%2Fq&n=1>; rel=\"next\"", header(page, "Link"));
    }

    @Test void readOnlyRefusesWrites() throws Exception {
        start();
        image("ro", "v1", "layer", "");
        start(true, Authorizer.ALLOW_ALL);
        assertEquals(200, send("GET", "/v2/ro/manifests/v1", null).statusCode());
        assertError(send("POST", "/v2/ro/blobs/uploads/", null), 405, "UNSUPPORTED");
        assertError(send("DELETE", "/v2/ro/manifests/v1", null), 405, "UNSUPPORTED");
        assertError(send("PUT", "/v2/ro/manifests/v2", bytes("{}")), 405, "UNSUPPORTED");
    }

    @Test void unsupportedMethod() throws Exception {
        start();
        assertError(send("POST", "/v2/r/manifests/v1", null), 405, "UNSUPPORTED");
    }

    @Test void authorizerDecides() throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(false, (method, repository, action, headers) -> {
            asked.add(method + " " + repository + " " + action);
            if (headers.containsKey("authorization")) {
                return repository != null && repository.startsWith("mine") ? Authorizer.Decision.ALLOW
                        : new Authorizer.Decision.Deny(ErrorCode.DENIED, "not yours", Map.of());
            }
            return new Authorizer.Decision.Deny(ErrorCode.UNAUTHORIZED, "authentication required",
                    Map.of("WWW-Authenticate", "Basic realm=\"test\""));
        });
        HttpResponse<byte[]> anon = send("GET", "/v2/", null);
        assertError(anon, 401, "UNAUTHORIZED");
        assertEquals("Basic realm=\"test\"", header(anon, "WWW-Authenticate"));
        assertError(send("GET", "/v2/theirs/tags/list", null, "Authorization", "Basic x"), 403, "DENIED");
        assertEquals(202, send("POST", "/v2/mine/blobs/uploads/", null, "Authorization", "Basic x").statusCode());
        assertTrue(asked.contains("GET null base"), asked.toString());
        assertTrue(asked.contains("GET theirs pull"), asked.toString());
        assertTrue(asked.contains("POST mine push"), asked.toString());
    }

    @Test void uploadsExpire() throws Exception {
        start();
        String location = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        send("PATCH", location, bytes("abc"));
        Registry registry = new Registry(new dev.berth.registry.storage.FsRegistryStorage(dir.resolve("storage")));
        java.time.Instant now = java.time.Instant.now();
        assertEquals(0, registry.expireUploads(Duration.ofHours(1), now));
        assertEquals(204, send("GET", location, null).statusCode());
        assertEquals(1, registry.expireUploads(Duration.ofHours(1), now.plus(Duration.ofHours(2))));
        assertError(send("GET", location, null), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test void restartKeepsAcknowledgedChunks() throws Exception {
        start();
        String location = header(send("POST", "/v2/r/blobs/uploads/", null), "Location");
        assertEquals(202, send("PATCH", location, bytes("part one,"), "Content-Range", "0-8").statusCode());
        server.close();
        server = null;
        start(); // a new storage instance: the session's hash is rebuilt from its file
        HttpResponse<byte[]> status = send("GET", location, null);
        assertEquals("0-8", header(status, "Range"));
        byte[] all = bytes("part one, part two");
        assertEquals(201, send("PUT", location + "?digest=" + digest(all), bytes(" part two"), "Content-Range", "9-17").statusCode());
        assertArrayEquals(all, send("GET", "/v2/r/blobs/" + digest(all), null).body());
    }

    @Test void gcSweepsUnreferencedBlobsOnlyWithoutAWriter() throws Exception {
        start();
        byte[] kept = image("g", "v1", "kept layer", "");
        String orphan = blob("g", bytes("orphan layer"));
        byte[] gone = image("g", "v2", "deleted layer", "");
        assertEquals(202, send("DELETE", "/v2/g/manifests/" + digest(gone), null).statusCode());
        // Refused while this read-write server holds the storage.
        IllegalStateException busy = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GarbageCollector.collect(dir.resolve("storage"), false));
        assertTrue(busy.getMessage().contains("read-write berth-registry"), busy.getMessage());
        start(true, Authorizer.ALLOW_ALL); // read-only: gc may run beside it
        GarbageCollector.Result dry = GarbageCollector.collect(dir.resolve("storage"), true);
        assertEquals(4, dry.deleted()); // orphan, deleted manifest, its config and layer
        GarbageCollector.Result r = GarbageCollector.collect(dir.resolve("storage"), false);
        assertEquals(4, r.deleted());
        assertEquals(200, send("GET", "/v2/g/manifests/v1", null).statusCode());
        JsonNode m = JSON.readTree(kept);
        for (String d : new String[] {m.get("config").get("digest").asText(), m.get("layers").get(0).get("digest").asText()}) {
            assertEquals(200, send("GET", "/v2/g/blobs/" + d, null).statusCode());
        }
        assertError(send("GET", "/v2/g/blobs/" + orphan, null), 404, "BLOB_UNKNOWN");
        assertEquals(0, GarbageCollector.collect(dir.resolve("storage"), false).deleted());
    }

    @Test void concurrentPushesToOneRepository() throws Exception {
        start();
        int n = 16;
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<byte[]>>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> image("busy", "t" + k, "layer " + (k % 4), "")));
            }
            for (var f : futures) f.get();
        }
        assertEquals(n, json(send("GET", "/v2/busy/tags/list", null)).get("tags").size());
    }
}
