package dev.berth.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.berth.daemon.content.Digest;
import dev.berth.registry.Authorizer;
import dev.berth.registry.ByteRanges;
import dev.berth.registry.Digests;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Page;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RepositoryName;
import dev.berth.registry.storage.RegistryStorage.BlobInfo;
import dev.berth.registry.storage.RegistryStorage.UploadInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution API's routes over {@link Registry}: parse the request, authorize, call the
 * registry, write the answer. The route table is data; handlers stay thin.
 */
public final class RegistryHttp implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "(?<name>.+?)";

    private final Registry registry;
    private final Authorizer authorizer;
    private final boolean readOnly;
    private final boolean deleteEnabled;
    private final List<Route> routes;

    @FunctionalInterface
    private interface Handler {
        void handle(Call call) throws IOException;
    }

    private record Route(String method, Pattern path, String action, Handler handler) {}

    public RegistryHttp(Registry registry, Authorizer authorizer, boolean readOnly, boolean deleteEnabled) {
        this.registry = registry;
        this.authorizer = authorizer;
        this.readOnly = readOnly;
        this.deleteEnabled = deleteEnabled;
        Pattern base = Pattern.compile("/v2/?");
        Pattern catalog = Pattern.compile("/v2/_catalog");
        Pattern tags = Pattern.compile("/v2/" + NAME + "/tags/list");
        Pattern manifest = Pattern.compile("/v2/" + NAME + "/manifests/(?<ref>[^/]+)");
        Pattern uploads = Pattern.compile("/v2/" + NAME + "/blobs/uploads/?");
        Pattern upload = Pattern.compile("/v2/" + NAME + "/blobs/uploads/(?<id>[^/]+)");
        Pattern blob = Pattern.compile("/v2/" + NAME + "/blobs/(?<digest>[^/]+)");
        Pattern referrers = Pattern.compile("/v2/" + NAME + "/referrers/(?<digest>[^/]+)");
        this.routes = List.of(
                new Route("GET", base, "base", this::base),
                new Route("HEAD", base, "base", this::base),
                new Route("GET", catalog, "catalog", this::catalog),
                new Route("GET", tags, "pull", this::tags),
                new Route("GET", manifest, "pull", this::getManifest),
                new Route("HEAD", manifest, "pull", this::getManifest),
                new Route("PUT", manifest, "push", this::putManifest),
                new Route("DELETE", manifest, "delete", this::deleteManifest),
                new Route("POST", uploads, "push", this::startUpload),
                new Route("GET", upload, "push", this::uploadStatus),
                new Route("PATCH", upload, "push", this::patchUpload),
                new Route("PUT", upload, "push", this::finishUpload),
                new Route("DELETE", upload, "push", this::cancelUpload),
                new Route("GET", blob, "pull", this::getBlob),
                new Route("HEAD", blob, "pull", this::getBlob),
                new Route("DELETE", blob, "delete", this::deleteBlob),
                new Route("GET", referrers, "pull", this::referrers));
    }

    /** One request: the exchange, the matched path and the parsed query. */
    private static final class Call {
        final HttpExchange ex;
        final Matcher path;
        final Map<String, String> query;
        RepositoryName repo;

        Call(HttpExchange ex, Matcher path, Map<String, String> query) {
            this.ex = ex;
            this.path = path;
            this.query = query;
        }

        String header(String name) { return ex.getRequestHeaders().getFirst(name); }

        boolean head() { return ex.getRequestMethod().equals("HEAD"); }

        long contentLength() {
            String v = header("Content-Length");
            if (v == null) return -1;
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        InputStream body() { return ex.getRequestBody(); }

        void set(String name, String value) { ex.getResponseHeaders().set(name, value); }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
            try {
                dispatch(ex);
            } catch (RegistryException e) {
                error(ex, e.code, e.getMessage(), e.detail, Map.of());
            } catch (IOException e) {
                // The client went away, or the disk failed: answer if the status line is not out yet.
                if (ex.getResponseCode() < 0) error(ex, null, e.toString(), null, Map.of());
            } catch (RuntimeException e) {
                System.err.println("berth-registry: " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
                e.printStackTrace();
                if (ex.getResponseCode() < 0) error(ex, null, "internal error: " + e, null, Map.of());
            }
        }
    }

    private void dispatch(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        boolean pathKnown = false;
        for (Route r : routes) {
            Matcher m = r.path.matcher(path);
            if (!m.matches()) continue;
            pathKnown = true;
            if (!r.method.equals(method)) continue;
            Call call = new Call(ex, m, query(ex.getRequestURI().getRawQuery()));
            String repo = null;
            if (r.path.pattern().contains("?<name>")) {
                String name = URLDecoder.decode(m.group("name"), StandardCharsets.UTF_8);
                call.repo = new RepositoryName(name); // NAME_INVALID before anything else
                repo = name;
            }
            authorize(ex, method, repo, r.action);
            if (readOnly && !method.equals("GET") && !method.equals("HEAD")) {
                throw ErrorCode.UNSUPPORTED.error("the registry is in read-only mode");
            }
            r.handler.handle(call);
            return;
        }
        if (pathKnown) throw ErrorCode.UNSUPPORTED.error("method " + method + " is not supported here");
        error(ex, ErrorCode.NAME_UNKNOWN, "no route for " + path, null, Map.of(), 404);
    }

    private void authorize(HttpExchange ex, String method, String repo, String action) {
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> { if (!v.isEmpty()) headers.put(k.toLowerCase(Locale.ROOT), v.getFirst()); });
        if (authorizer.check(method, repo, action, headers) instanceof Authorizer.Decision.Deny deny) {
            deny.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            throw new RegistryException(deny.code(), deny.message(), null);
        }
    }

    // --- handlers ---

    private void base(Call c) throws IOException {
        c.set("Content-Type", "application/json");
        send(c, 200, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private void catalog(Call c) throws IOException {
        int n = Page.limit(c.query.get("n"));
        Page page = registry.catalog(c.query.get("last"), n);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode repos = body.putArray("repositories");
        page.items().forEach(repos::add);
        if (page.more()) c.set("Link", link("/v2/_catalog", page, n));
        sendJson(c, 200, "application/json", body);
    }

    private void tags(Call c) throws IOException {
        int n = Page.limit(c.query.get("n"));
        Page page = registry.tags(c.repo, c.query.get("last"), n);
        ObjectNode body = JSON.createObjectNode();
        body.put("name", c.repo.value());
        ArrayNode tags = body.putArray("tags");
        page.items().forEach(tags::add);
        if (page.more()) c.set("Link", link("/v2/" + c.repo + "/tags/list", page, n));
        sendJson(c, 200, "application/json", body);
    }

    private static String link(String path, Page page, int n) {
        return "<" + path + "?last=" + URLEncoder.encode(page.items().getLast(), StandardCharsets.UTF_8)
                + "&n=" + (n < 0 ? Page.DEFAULT_LIMIT : n) + ">; rel=\"next\"";
    }

    private void getManifest(Call c) throws IOException {
        Registry.StoredManifest m = registry.manifest(c.repo, c.path.group("ref"));
        c.set("Content-Type", m.mediaType());
        c.set("Docker-Content-Digest", m.digest().toString());
        c.set("Etag", "\"" + m.digest() + "\"");
        send(c, 200, m.content());
    }

    private void putManifest(Call c) throws IOException {
        byte[] body = readLimited(c.body(), dev.berth.registry.Manifest.MAX_SIZE);
        String ref = c.path.group("ref");
        Registry.PutResult r = registry.putManifest(c.repo, ref, c.header("Content-Type"), body);
        c.set("Location", "/v2/" + c.repo + "/manifests/" + r.digest());
        c.set("Docker-Content-Digest", r.digest().toString());
        if (r.subject() != null) c.set("OCI-Subject", r.subject().toString());
        send(c, 201, null);
    }

    private void deleteManifest(Call c) throws IOException {
        if (!deleteEnabled) throw ErrorCode.UNSUPPORTED.error("deletes are disabled on this registry");
        registry.deleteManifest(c.repo, c.path.group("ref"));
        send(c, 202, null);
    }

    private void getBlob(Call c) throws IOException {
        Digest d = Digests.parse(c.path.group("digest"));
        BlobInfo blob = registry.blob(c.repo, d);
        c.set("Docker-Content-Digest", d.toString());
        c.set("Etag", "\"" + d + "\"");
        c.set("Accept-Ranges", "bytes");
        c.set("Cache-Control", "max-age=31536000");
        ByteRanges.Span span;
        try {
            span = ByteRanges.range(c.header("Range"), blob.size());
        } catch (ByteRanges.Unsatisfiable e) {
            c.set("Content-Range", "bytes */" + blob.size());
            throw ErrorCode.RANGE_INVALID.error("range not satisfiable for a blob of " + blob.size() + " bytes");
        }
        c.set("Content-Type", "application/octet-stream");
        long offset = span == null ? 0 : span.start();
        long length = span == null ? blob.size() : span.length();
        int status = span == null ? 200 : 206;
        if (span != null) c.set("Content-Range", "bytes " + span.start() + "-" + span.end() + "/" + blob.size());
        if (c.head()) {
            c.set("Content-Length", Long.toString(length));
            c.ex.sendResponseHeaders(status, -1);
            return;
        }
        try (InputStream in = registry.openBlob(d, offset, length)) {
            c.ex.sendResponseHeaders(status, length == 0 ? -1 : length);
            try (OutputStream out = c.ex.getResponseBody()) {
                byte[] buf = new byte[1 << 18];
                for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
            }
        }
    }

    private void deleteBlob(Call c) throws IOException {
        if (!deleteEnabled) throw ErrorCode.UNSUPPORTED.error("deletes are disabled on this registry");
        registry.deleteBlob(c.repo, Digests.parse(c.path.group("digest")));
        send(c, 202, null);
    }

    private void startUpload(Call c) throws IOException {
        String mount = c.query.get("mount");
        if (mount != null) {
            Digest d = Digests.parse(mount);
            String from = c.query.get("from");
            if (from != null && RepositoryName.valid(from) && mountAllowed(c, from)) {
                Optional<BlobInfo> blob = registry.mount(c.repo, d, new RepositoryName(from));
                if (blob.isPresent()) {
                    blobCreated(c, blob.get());
                    return;
                }
            }
            // Not mountable: an ordinary session (the spec's fallback).
        } else if (c.query.containsKey("digest")) {
            Digest d = Digests.parse(c.query.get("digest"));
            blobCreated(c, registry.uploadWhole(c.repo, d, c.body(), c.contentLength()));
            return;
        }
        uploadAccepted(c, registry.startUpload(c.repo));
    }

    private boolean mountAllowed(Call c, String from) {
        Map<String, String> headers = new HashMap<>();
        c.ex.getRequestHeaders().forEach((k, v) -> { if (!v.isEmpty()) headers.put(k.toLowerCase(Locale.ROOT), v.getFirst()); });
        return authorizer.check("GET", from, "pull", headers) instanceof Authorizer.Decision.Allow;
    }

    private void uploadStatus(Call c) throws IOException {
        UploadInfo u = registry.upload(c.repo, c.path.group("id"));
        c.set("Location", uploadLocation(c.repo, u.id()));
        c.set("Range", ByteRanges.uploaded(u.size()));
        c.set("Docker-Upload-UUID", u.id());
        send(c, 204, null);
    }

    private void patchUpload(Call c) throws IOException {
        String id = c.path.group("id");
        ByteRanges.Span range;
        try {
            range = ByteRanges.contentRange(c.header("Content-Range"));
            uploadAccepted(c, registry.appendChunk(c.repo, id, range, c.body(), c.contentLength()));
        } catch (RegistryException e) {
            if (e.code == ErrorCode.RANGE_INVALID || e.code == ErrorCode.SIZE_INVALID) {
                // Tell the client where the upload stands so it can resume.
                registry.storage().upload(id).ifPresent(u -> {
                    c.set("Location", uploadLocation(c.repo, id));
                    c.set("Range", ByteRanges.uploaded(u.size()));
                    c.set("Docker-Upload-UUID", id);
                });
            }
            throw e;
        }
    }

    private void finishUpload(Call c) throws IOException {
        String digest = c.query.get("digest");
        if (digest == null) throw ErrorCode.DIGEST_INVALID.error("digest parameter missing");
        Digest d = Digests.parse(digest);
        ByteRanges.Span range = ByteRanges.contentRange(c.header("Content-Range"));
        blobCreated(c, registry.finishUpload(c.repo, c.path.group("id"), d, range, c.body(), c.contentLength()));
    }

    private void cancelUpload(Call c) throws IOException {
        registry.cancelUpload(c.repo, c.path.group("id"));
        send(c, 204, null);
    }

    private void referrers(Call c) throws IOException {
        Digest d = Digests.parse(c.path.group("digest"));
        String artifactType = c.query.get("artifactType");
        ObjectNode index = registry.referrers(c.repo, d, artifactType);
        if (artifactType != null) c.set("OCI-Filters-Applied", "artifactType");
        sendJson(c, 200, dev.berth.registry.Manifest.OCI_INDEX, index);
    }

    // --- answers ---

    private void blobCreated(Call c, BlobInfo blob) throws IOException {
        c.set("Location", "/v2/" + c.repo + "/blobs/" + blob.digest());
        c.set("Docker-Content-Digest", blob.digest().toString());
        send(c, 201, null);
    }

    private void uploadAccepted(Call c, UploadInfo u) throws IOException {
        c.set("Location", uploadLocation(c.repo, u.id()));
        c.set("Range", ByteRanges.uploaded(u.size()));
        c.set("Docker-Upload-UUID", u.id());
        send(c, 202, null);
    }

    private static String uploadLocation(RepositoryName repo, String id) { return "/v2/" + repo + "/blobs/uploads/" + id; }

    private static void sendJson(Call c, int status, String type, JsonNode body) throws IOException {
        c.set("Content-Type", type);
        send(c, status, JSON.writeValueAsBytes(body));
    }

    /** A whole answer; HEAD gets the headers (Content-Length included) without the body. */
    private static void send(Call c, int status, byte[] body) throws IOException {
        if (body == null || body.length == 0) {
            if (status != 204) c.set("Content-Length", "0");
            c.ex.sendResponseHeaders(status, -1);
            return;
        }
        if (c.head()) {
            c.set("Content-Length", Integer.toString(body.length));
            c.ex.sendResponseHeaders(status, -1);
            return;
        }
        c.ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = c.ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void error(HttpExchange ex, ErrorCode code, String message, Object detail, Map<String, String> headers)
            throws IOException {
        error(ex, code, message, detail, headers, code == null ? 500 : code.status);
    }

    private static void error(HttpExchange ex, ErrorCode code, String message, Object detail, Map<String, String> headers,
                              int status) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject();
        e.put("code", code == null ? "UNKNOWN" : code.name());
        e.put("message", message);
        if (detail != null) e.set("detail", JSON.valueToTree(detail));
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        byte[] bytes = JSON.writeValueAsBytes(body);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] readLimited(InputStream in, int max) throws IOException {
        byte[] data = in.readNBytes(max + 1);
        if (data.length > max) throw ErrorCode.MANIFEST_INVALID.error("manifest is larger than " + max + " bytes");
        return data;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String part : raw.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }
}
