package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.ConfigChanges;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code POST /commit} ({@code docker commit}): a new image made of the container's image plus
 * one layer holding the container's upper dir, as moby's {@code CreateImageFromContainer} and
 * {@code NewChildImage} build it:
 * <ul>
 *   <li>config: the request's config (or the container's), then the {@code changes}
 *       instructions, then every empty field filled from the container's config (moby's
 *       {@code merge}: User, ExposedPorts, Env by key, Labels, Cmd/Entrypoint, WorkingDir,
 *       Volumes, StopSignal);</li>
 *   <li>history: the image's, plus one entry whose {@code created_by} is the container's Cmd
 *       joined with spaces, with author and comment; {@code empty_layer} when nothing changed
 *       (no layer is added then);</li>
 *   <li>the image's Parent is the container's image; {@code container}/{@code container_config}
 *       are not written, as dockerd 25+.</li>
 * </ul>
 * The container's lifecycle lock is held throughout (no start, stop or remove meanwhile). Berth
 * has no pause: a running container's files are read as they are. runc's mount points (see
 * {@link ContainerChanges}) stay out of the layer, as Docker's init layer does.
 */
public final class ContainerCommit {
    private final ContainerService containers;
    private final ImageService images;
    private final EventBus events;

    public ContainerCommit(ContainerService containers, ImageService images, EventBus events) {
        this.containers = containers;
        this.images = images;
        this.events = events;
    }

    public record Options(String container, String repo, String tag, String author, String comment,
                          List<String> changes, JsonNode config) {}

    public Digest commit(Options o) throws IOException {
        // moby's RepoTagReference: no repository, no tag (a lone tag is ignored); never a digest
        ImageRef ref = null;
        if (o.repo() != null && !o.repo().isEmpty()) {
            ref = ImageRef.parse(o.repo());
            if (ref.digest() != null) throw BerthException.invalid("cannot commit to digest reference");
            if (o.tag() != null && !o.tag().isEmpty()) ref = ref.withTag(o.tag());
        }
        ContainerRecord r = containers.resolve(o.container() == null ? "" : o.container());
        ReentrantLock lock = containers.lock(r.id);
        lock.lock();
        Image img;
        Digest id;
        try {
            synchronized (r) {
                if (r.removalInProgress || r.removed) {
                    throw BerthException.conflict("You cannot commit container " + r.id + " which is being removed");
                }
                if (r.state.dead) throw BerthException.conflict("You cannot commit container " + r.id + " which is Dead");
            }
            img = containers.image(r);
            ObjectNode config = newConfig(r, o);
            Path upper = containers.store().dir(r.id).resolve("fs/upper");
            List<Path> lowers = containers.lowerDirs(r, img);
            List<Digest> chains = img.chainIds();
            Digest parentChain = chains.isEmpty() ? null : chains.getLast();
            java.util.function.Predicate<String> include = rel -> !ContainerChanges.onlyForMounting(upper, lowers, "/" + rel);
            // Nothing to write (every top-level entry left out): no layer at all, as moby skips an empty diff.
            boolean empty;
            try (var s = java.nio.file.Files.list(upper)) {
                empty = s.noneMatch(p -> include.test(p.getFileName().toString()));
            }
            Digest diffId = empty ? null : images.addLayer(upper, parentChain, null, include, false).diffId();
            id = images.content().put(Json.bytes(imageConfig(img, r, o, config, diffId, empty)));
            images.store().add(id, img.id(), null);
        } finally {
            lock.unlock();
        }
        String familiar = "";
        if (ref != null) {
            images.tag(images.store().get(id), ref);
            familiar = ref.familiar();
        }
        Map<String, String> a = ContainerService.attrs(r);
        a.put("comment", o.comment() == null ? "" : o.comment());
        a.put("imageID", id.toString());
        a.put("imageRef", familiar);
        events.publish("container", "commit", r.id, a);
        return id;
    }

    /** The request's config (or the container's) with the changes applied and the gaps filled from the container's. */
    static ObjectNode newConfig(ContainerRecord r, Options o) {
        ObjectNode container;
        synchronized (r) { container = r.config.deepCopy(); }
        ObjectNode user = o.config() != null && o.config().isObject() && !o.config().isEmpty()
                ? ((ObjectNode) o.config()).deepCopy() : container.deepCopy();
        ConfigChanges.apply(user, o.changes() == null ? List.of() : o.changes());
        merge(user, container);
        return user;
    }

    /** moby's daemon.merge: fields the user left empty come from the container's config. */
    static void merge(ObjectNode user, ObjectNode ctr) {
        if (user.path("User").asText("").isEmpty()) copy(user, ctr, "User");
        if (isEmpty(user.get("ExposedPorts"))) {
            copy(user, ctr, "ExposedPorts");
        } else if (ctr.path("ExposedPorts").isObject()) {
            ObjectNode ports = (ObjectNode) user.get("ExposedPorts");
            ctr.get("ExposedPorts").properties().forEach(e -> { if (!ports.has(e.getKey())) ports.set(e.getKey(), e.getValue()); });
        }
        if (isEmpty(user.get("Env"))) {
            copy(user, ctr, "Env");
        } else if (ctr.path("Env").isArray()) {
            ArrayNode env = (ArrayNode) user.get("Env");
            List<String> keys = new ArrayList<>();
            for (JsonNode e : env) keys.add(e.asText().split("=", 2)[0]);
            for (JsonNode e : ctr.get("Env")) if (!keys.contains(e.asText().split("=", 2)[0])) env.add(e.asText());
        }
        if (!user.path("Labels").isObject()) user.putObject("Labels");
        ObjectNode labels = (ObjectNode) user.get("Labels");
        if (ctr.path("Labels").isObject()) {
            ctr.get("Labels").properties().forEach(e -> { if (!labels.has(e.getKey())) labels.set(e.getKey(), e.getValue()); });
        }
        if (isEmpty(user.get("Entrypoint"))) {
            if (isEmpty(user.get("Cmd"))) copy(user, ctr, "Cmd");
            if (user.get("Entrypoint") == null || user.get("Entrypoint").isNull()) copy(user, ctr, "Entrypoint");
        }
        if (ctr.has("Healthcheck") && !ctr.get("Healthcheck").isNull() && (user.get("Healthcheck") == null || user.get("Healthcheck").isNull())) {
            copy(user, ctr, "Healthcheck");
        }
        if (user.path("WorkingDir").asText("").isEmpty()) copy(user, ctr, "WorkingDir");
        if (isEmpty(user.get("Volumes"))) {
            copy(user, ctr, "Volumes");
        } else if (ctr.path("Volumes").isObject()) {
            ObjectNode v = (ObjectNode) user.get("Volumes");
            ctr.get("Volumes").properties().forEach(e -> { if (!v.has(e.getKey())) v.set(e.getKey(), e.getValue()); });
        }
        if (user.path("StopSignal").asText("").isEmpty()) copy(user, ctr, "StopSignal");
    }

    private static boolean isEmpty(JsonNode n) {
        return n == null || n.isNull() || (n.isContainerNode() && n.isEmpty());
    }

    private static void copy(ObjectNode to, ObjectNode from, String field) {
        JsonNode v = from.get(field);
        if (v != null) to.set(field, v.deepCopy());
    }

    private static ObjectNode imageConfig(Image parent, ContainerRecord r, Options o, ObjectNode config, Digest diffId, boolean empty) {
        String now = Times.rfc3339Nano(Instant.now());
        ObjectNode c = Json.obj();
        c.put("created", now);
        if (o.author() != null && !o.author().isEmpty()) c.put("author", o.author());
        c.set("config", config);
        c.put("architecture", parent.config().path("architecture").asText("amd64"));
        if (parent.config().hasNonNull("variant")) c.put("variant", parent.config().get("variant").asText());
        c.put("os", "linux");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        for (Digest d : parent.diffIds()) diffIds.add(d.toString());
        if (!empty) diffIds.add(diffId.toString());
        ArrayNode history = c.putArray("history");
        if (parent.config().path("history").isArray()) for (JsonNode h : parent.config().get("history")) history.add(h.deepCopy());
        ObjectNode h = history.addObject();
        h.put("created", now);
        if (o.author() != null && !o.author().isEmpty()) h.put("author", o.author());
        List<String> cmd;
        synchronized (r) { cmd = Json.strings(r.config, "Cmd"); }
        String createdBy = cmd == null ? "" : String.join(" ", cmd);
        if (!createdBy.isEmpty()) h.put("created_by", createdBy);
        if (o.comment() != null && !o.comment().isEmpty()) h.put("comment", o.comment());
        if (empty) h.put("empty_layer", true);
        return c;
    }
}
