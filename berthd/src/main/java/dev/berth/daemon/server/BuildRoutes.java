package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.build.Builder;
import dev.berth.daemon.distribution.RegistryClient;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code POST /build} (the classic builder's API) and {@code POST /build/prune}. */
public final class BuildRoutes {
    private static final Logger LOG = Logger.getLogger(BuildRoutes.class.getName());
    private final Builder builder;
    private final ImageService images;

    public BuildRoutes(Builder builder, ImageService images) {
        this.builder = builder;
        this.images = images;
    }

    public void register(Router r) {
        r.post("/build", this::build);
        r.post("/build/prune", (req, res) -> res.json(200, images.pruneBuildCache(req.queryBool("all"), Filters.parse(req.query("filters")))));
        r.post("/build/cancel", (req, res) -> res.empty(200));
    }

    static Builder.Options options(Request req) {
        List<String> tags = new ArrayList<>();
        for (String t : req.queryAll("t")) {
            if (t.isEmpty()) continue;
            try {
                tags.add(ImageRef.parse(t).full());
            } catch (BerthException e) {
                throw BerthException.invalid("invalid reference format: " + t);
            }
        }
        String remote = req.query("remote");
        if (remote != null && Builder.isGitUrl(remote)) {
            throw new BerthException.NotImplemented("git build contexts are not supported: send the context as a tar, or an http(s) URL of one");
        }
        String version = req.query("version");
        if (version != null && version.equals("2")) {
            throw BerthException.invalid("BuildKit (version=2) is not supported: this daemon has the classic builder (version=1)");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : req.queryAll("extrahosts")) for (String x : h.split(",")) if (!x.isBlank()) hosts.add(x.strip());
        return new Builder.Options(tags, req.query("dockerfile"), stringMap(req.query("buildargs"), "buildargs"),
                req.queryBool("nocache"), req.query("target"), stringMap(req.query("labels"), "labels"),
                req.query("rm") == null || req.query("rm").isEmpty() || req.queryBool("rm"), req.queryBool("forcerm"),
                req.queryBool("q"), req.queryBool("pull"), req.query("networkmode"), req.query("platform"), hosts,
                registryConfig(req.header("X-Registry-Config")));
    }

    /** A JSON object of strings in the query ({@code buildargs}, {@code labels}); null values are dropped. */
    static Map<String, String> stringMap(String json, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        if (json == null || json.isEmpty()) return out;
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw BerthException.invalid("invalid " + name + " JSON: " + e.getMessage());
        }
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) throw BerthException.invalid("invalid " + name + " JSON: not an object");
        n.properties().forEach(e -> {
            if (!e.getValue().isNull()) out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    /** {@code X-Registry-Config}: base64url JSON of registry → {username, password}, as the docker CLI sends it. */
    static Map<String, RegistryClient.Credentials> registryConfig(String header) {
        Map<String, RegistryClient.Credentials> out = new LinkedHashMap<>();
        if (header == null || header.isBlank()) return out;
        JsonNode n;
        try {
            n = Json.parse(Base64.getUrlDecoder().decode(header.strip().replace('+', '-').replace('/', '_').replace("=", "")));
        } catch (IllegalArgumentException e) {
            return out; // dockerd ignores an unreadable registry config
        }
        n.properties().forEach(e -> {
            RegistryClient.Credentials c = RegistryClient.Credentials.fromJson(e.getValue());
            if (c == null) return;
            String host = e.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
            if (host.equals("index.docker.io")) host = "docker.io";
            out.put(host, c);
        });
        return out;
    }

    /**
     * Errors before the first message (bad options, no Dockerfile, a parse error) are plain HTTP
     * errors as dockerd's; later ones end the stream with {@code errorDetail} (with the exit code
     * of a failed RUN, which the docker CLI exits with).
     */
    private void build(Request req, Response res) throws IOException, InterruptedException {
        Builder.Options o = options(req);
        Stream out = new Stream(req, res);
        try {
            String remote = req.query("remote");
            if (remote != null && !remote.isEmpty()) builder.buildRemote(remote, o, out);
            else builder.build(req.body(), o, out);
        } catch (IOException | RuntimeException e) {
            if (!out.started()) {
                if (e instanceof Builder.BuildFailure f) throw BerthException.invalid(f.getMessage());
                throw e;
            }
            if (!(e instanceof BerthException) && !(e instanceof Builder.BuildFailure)) LOG.log(Level.WARNING, "build failed", e);
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            ObjectNode detail = Json.obj();
            if (e instanceof Builder.BuildFailure f && f.code() != 0) detail.put("code", f.code());
            detail.put("message", msg);
            ObjectNode n = Json.obj();
            n.set("errorDetail", detail);
            n.put("error", msg);
            try {
                out.line(n);
            } catch (IOException gone) {
                return; // the client left
            }
        }
        out.close();
    }

    /** The JSON message stream, opened on the first message. */
    private static final class Stream implements Builder.Output {
        private final Request req;
        private final Response res;
        private OutputStream out;

        Stream(Request req, Response res) {
            this.req = req;
            this.res = res;
        }

        /** Once the body is read, a client that leaves cancels the build, as with dockerd. */
        @Override public void contextRead(Builder.Cancel cancel) throws IOException {
            req.body().transferTo(OutputStream.nullOutputStream());
            res.watchClientGone(() -> {
                LOG.info("build client went away: cancelling the build");
                cancel.cancel();
            });
        }

        synchronized boolean started() { return out != null; }

        synchronized void line(ObjectNode n) throws IOException {
            if (out == null) out = res.stream(200, "application/json");
            out.write(Json.line(n));
            out.flush();
        }

        @Override public void stream(String text) throws IOException { line(Json.obj().put("stream", text)); }

        @Override public void aux(ObjectNode aux) throws IOException {
            ObjectNode n = Json.obj();
            n.set("aux", aux);
            line(n);
        }

        synchronized void close() throws IOException {
            if (out == null) out = res.stream(200, "application/json");
            out.close();
        }
    }
}
