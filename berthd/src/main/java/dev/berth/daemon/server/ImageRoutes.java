package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.distribution.DistributionInspect;
import dev.berth.daemon.distribution.ImagePull;
import dev.berth.daemon.distribution.ImagePush;
import dev.berth.daemon.distribution.Progress;
import dev.berth.daemon.distribution.RegistryClient;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** /images endpoints: thin handlers over {@link ImageService}. */
public final class ImageRoutes {
    private final ImageService images;
    private final ImagePull pull;
    private final ImagePush push;
    private final DistributionInspect distribution;
    private final ArchiveRoutes archives;

    public ImageRoutes(ImageService images, ImagePull pull, ImagePush push, DistributionInspect distribution, ArchiveRoutes archives) {
        this.images = images;
        this.pull = pull;
        this.push = push;
        this.distribution = distribution;
        this.archives = archives;
    }

    public void register(Router r) {
        r.post("/images/create", this::create);
        r.post("/auth", this::auth);
        r.get("/images/json", this::list);
        r.get("/images/get", archives::save);
        r.get("/images/{name*}/get", archives::save);
        r.post("/images/load", archives::load);
        r.get("/images/{name*}/history", (req, res) -> res.json(200, images.history(images.store().resolve(req.pathParam("name")))));
        r.post("/images/prune", (req, res) -> res.json(200, images.prune(Filters.parse(req.query("filters")))));
        r.post("/images/{name*}/push", this::push);
        r.get("/distribution/{name*}/json", (req, res) -> res.json(200,
                distribution.inspect(req.pathParam("name"), RegistryClient.Credentials.fromHeader(req.header("X-Registry-Auth")))));
        r.get("/images/{name*}/json", (req, res) -> res.json(200, images.inspect(images.store().resolve(req.pathParam("name")))));
        r.post("/images/{name*}/tag", (req, res) -> {
            images.tag(req.pathParam("name"), req.query("repo"), req.query("tag"));
            res.empty(201);
        });
        r.delete("/images/{name*}", (req, res) ->
                res.json(200, images.remove(req.pathParam("name"), req.queryBool("force"), req.queryBool("noprune"))));
    }

    private void create(Request req, Response res) throws IOException, InterruptedException {
        String fromSrc = req.query("fromSrc");
        String fromImage = req.query("fromImage");
        if (fromSrc == null && fromImage != null) {
            pull(req, res, fromImage);
            return;
        }
        if (fromSrc == null) throw BerthException.invalid("fromSrc or fromImage must be set");
        if (!fromSrc.equals("-")) throw new BerthException.NotImplemented("importing from a URL is not supported yet; use fromSrc=-");
        List<String> changes = new ArrayList<>(req.queryAll("changes"));
        Image img = images.importTarball(req.body(), req.query("repo"), req.query("tag"), changes, req.query("message"), req.query("platform"));
        try (OutputStream out = res.stream(200, "application/json")) {
            out.write(Json.line(Map.of("status", img.id().toString())));
        }
    }

    /** Pull: a bad reference, unknown manifest or unreachable registry is a plain HTTP error. */
    private void pull(Request req, Response res, String fromImage) throws IOException, InterruptedException {
        String tag = req.query("tag");
        ImageRef ref = ImageRef.parse(fromImage);
        if (tag != null && !tag.isEmpty()) {
            ref = tag.startsWith("sha256:") ? ImageRef.parse(ref.repository() + "@" + tag) : ImageRef.parse(ref.repository() + ":" + tag);
        }
        ImageRef target = ref;
        var credentials = RegistryClient.Credentials.fromHeader(req.header("X-Registry-Auth"));
        JsonMessageStream.run(res, out -> pull.pull(target, req.query("platform"), new Progress(out), credentials));
    }

    private void push(Request req, Response res) throws IOException, InterruptedException {
        var targets = push.targets(req.pathParam("name"), req.query("tag"));
        var credentials = RegistryClient.Credentials.fromHeader(req.header("X-Registry-Auth"));
        JsonMessageStream.run(res, out -> push.push(targets, new Progress(out), credentials));
    }

    /** {@code docker login}: the daemon checks the credentials; the client stores them. */
    private void auth(Request req, Response res) throws IOException, InterruptedException {
        var body = req.jsonBody();
        String user = body.path("username").asText("");
        String pass = body.path("password").asText("");
        if (user.isEmpty()) throw BerthException.invalid("username is required");
        String identity = pull.login(body.path("serveraddress").asText(""), new RegistryClient.Credentials(user, pass));
        res.json(200, Map.of("Status", "Login Succeeded", "IdentityToken", identity));
    }

    private void list(Request req, Response res) throws IOException {
        Map<String, List<String>> filters = Filters.parse(req.query("filters"));
        for (String k : filters.keySet()) {
            if (!List.of("dangling", "label", "before", "since", "reference", "until").contains(k)) {
                throw BerthException.invalid("invalid filter '" + k + "'");
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        String legacy = req.query("filter");
        List<Image> sorted = new ArrayList<>(images.store().all());
        sorted.sort(Comparator.comparing((Image i) -> i.config().path("created").asText("")).reversed());
        java.time.Instant before = boundCreated(filters.get("before"));
        java.time.Instant since = boundCreated(filters.get("since"));
        java.time.Instant until = null;
        for (String v : filters.getOrDefault("until", List.of())) until = dev.berth.daemon.util.Times.parseQueryTime(v, java.time.Instant.now());
        boolean all = req.queryBool("all");
        for (Image img : sorted) {
            // untagged images with children are a build's intermediate images: only with all=1, as in Docker
            boolean intermediate = images.store().repoTags(img.id()).isEmpty() && images.store().hasChildren(img.id());
            if (intermediate && !all) continue;
            java.time.Instant created = ImageService.createdTime(img);
            if (before != null && !created.isBefore(before)) continue;
            if (since != null && !created.isAfter(since)) continue;
            if (until != null && !created.isBefore(until)) continue;
            ObjectNode s = images.summary(img);
            List<String> tags = new ArrayList<>();
            s.withArray("RepoTags").forEach(t -> tags.add(t.asText()));
            if (filters.containsKey("dangling")) {
                boolean want = filters.get("dangling").contains("true") || filters.get("dangling").contains("1");
                if (want != (tags.isEmpty() && !intermediate)) continue;
            }
            if (filters.containsKey("reference") || legacy != null) {
                List<String> pats = new ArrayList<>(filters.getOrDefault("reference", List.of()));
                if (legacy != null) pats.add(legacy);
                boolean ok = false;
                for (String p : pats) for (String t : tags) if (refMatches(p, t)) ok = true;
                if (!ok) continue;
            }
            if (filters.containsKey("label")) {
                if (!filters.get("label").stream().allMatch(l -> Filters.labelMatches(Filters.labelsOf(s.get("Labels")), l))) continue;
            }
            out.add(s);
        }
        res.json(200, out);
    }

    /** The created time of the image a before/since filter names (404 if unknown). */
    private java.time.Instant boundCreated(List<String> refs) {
        if (refs == null || refs.isEmpty()) return null;
        return ImageService.createdTime(images.store().resolve(refs.getFirst()));
    }

    /** Docker's reference filter: a glob on the familiar name, with or without the tag. */
    static boolean refMatches(String pattern, String tag) {
        String regex = pattern.replace(".", "\\.").replace("*", "[^/]*").replace("?", "[^/]");
        if (tag.matches(regex)) return true;
        int colon = tag.lastIndexOf(':');
        return colon > 0 && tag.substring(0, colon).matches(regex);
    }
}
