package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.snapshot.LayerTarWriter;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.TeeInputStream;
import dev.berth.daemon.util.Times;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Image operations behind the /images endpoints: import, list, inspect, tag, remove. */
public final class ImageService {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ImageService.class.getName());
    /** What the image service needs to know about containers (declared here, by the consumer). */
    public interface ContainerUsage {
        record User(String id, boolean running) {}
        List<User> containersUsing(Digest imageId);
    }

    private final ContentStore content;
    private final LayerStore layers;
    private final ImageStore store;
    private final CompressedDigests compressed;
    private final EventBus events;
    private volatile ContainerUsage usage = id -> List.of();

    public ImageService(ContentStore content, LayerStore layers, ImageStore store, CompressedDigests compressed, EventBus events) {
        this.content = content;
        this.layers = layers;
        this.store = store;
        this.compressed = compressed;
        this.events = events;
    }

    public void setContainerUsage(ContainerUsage usage) { this.usage = usage; }

    public ImageStore store() { return store; }
    public LayerStore layers() { return layers; }
    public ContentStore content() { return content; }
    public CompressedDigests compressed() { return compressed; }
    public EventBus events() { return events; }

    /**
     * Imports a root filesystem tar (plain, gzip, bzip2 or xz) as a one-layer image. The layer is
     * hashed, stored in the content store and unpacked in one pass over the stream.
     */
    public Image importTarball(InputStream body, String repo, String tag, List<String> changes, String message, String platform) throws IOException {
        ImageRef ref = null;
        if (repo != null && !repo.isEmpty()) {
            ref = ImageRef.parse(repo);
            if (tag != null && !tag.isEmpty()) ref = ref.withTag(tag);
        }
        if (platform != null && !platform.isEmpty() && !platform.startsWith("linux")) {
            throw BerthException.invalid("operating system is not supported: " + platform);
        }
        ObjectNode cfg = Json.obj();
        ConfigChanges.apply(cfg, changes);

        InputStream tar = Compression.detect(new BufferedInputStream(body, 65536));
        Path temp = layers.newTemp();
        Digest diffId;
        LayerUnpacker.Result result;
        try (ContentStore.Writer w = content.writer()) {
            TeeInputStream tee = new TeeInputStream(tar, w);
            result = LayerUnpacker.unpack(tee, temp.resolve("diff"));
            tee.transferTo(OutputStream.nullOutputStream());
            // A tar with no entries is all zero blocks; anything else without an entry is not a tar.
            if (result.entries() == 0 && tee.sawNonZero()) throw BerthException.invalid("archive/tar: invalid tar header");
            diffId = w.commit(null);
        } catch (IOException | RuntimeException e) {
            layers.discard(temp);
            if (e instanceof BerthException be) throw be;
            throw BerthException.invalid("failed to import image: " + e.getMessage());
        }
        LOG.fine(() -> "imported layer " + diffId + ": " + result.entries() + " entries, " + result.bytes() + " bytes, skipped " + result.skipped());
        layers.commit(temp, LayerStore.chainId(null, diffId), diffId, result.bytes());

        Instant now = Instant.now();
        ObjectNode config = Json.obj();
        config.put("architecture", "amd64");
        config.set("config", cfg);
        config.put("created", Times.rfc3339Nano(now));
        ArrayNode history = config.putArray("history");
        ObjectNode h = history.addObject().put("created", Times.rfc3339Nano(now));
        h.put("comment", message == null || message.isEmpty() ? "Imported from -" : message);
        config.put("os", "linux");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId.toString());
        Digest id = content.put(Json.bytes(config));
        Image img = store.add(id);
        events.publish("image", "import", id.toString(), Map.of());
        if (ref != null) tag(img, ref);
        return img;
    }

    /** A layer made by {@link #addLayer}: its diff ID, chain ID and unpacked size. */
    public record NewLayer(Digest diffId, Digest chainId, long size, long entries) {}

    /**
     * Makes a layer from a directory in overlay form (a container's upper dir, a build step's
     * output) stacked on {@code parentChain} (null for a bottom layer): the OCI tar is written to
     * the content store under its diff ID (see {@link LayerTarWriter}, deterministic), and the
     * layer is published in the layer store, either by moving {@code dir} itself into place
     * ({@code consume}: the caller gives the directory up; paths {@code include} refused are
     * deleted from it first) or by unpacking the tar again (the directory stays as it is). Until
     * an image config names it, the layer is not referenced by any image.
     */
    public NewLayer addLayer(Path dir, Digest parentChain, Long clampMtime, java.util.function.Predicate<String> include,
                             boolean consume) throws IOException {
        Digest diffId;
        LayerTarWriter.Result written;
        try (ContentStore.Writer w = content.writer()) {
            written = LayerTarWriter.write(dir, w, clampMtime, include);
            diffId = w.commit(null);
        }
        if (!written.skipped().isEmpty()) LOG.fine(() -> "layer from " + dir + ": skipped " + written.skipped());
        Digest chainId = LayerStore.chainId(parentChain, diffId);
        if (!layers.exists(chainId)) {
            Path temp = layers.newTemp();
            try {
                if (consume) {
                    for (String rel : written.excluded()) dev.berth.daemon.util.AtomicFiles.deleteTree(dir.resolve(rel));
                    Files.delete(temp.resolve("diff"));
                    Files.move(dir, temp.resolve("diff"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } else {
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(content.path(diffId)), 65536)) {
                        LayerUnpacker.unpack(in, temp.resolve("diff"));
                    }
                }
            } catch (IOException | RuntimeException e) {
                layers.discard(temp);
                throw e;
            }
            layers.commit(temp, chainId, diffId, written.bytes());
        }
        return new NewLayer(diffId, chainId, written.bytes(), written.entries());
    }

    public void tag(Image img, ImageRef ref) throws IOException {
        store.tag(ref, img.id());
        events.publish("image", "tag", img.id().toString(), Map.of("name", ref.familiar()));
    }

    public void tag(String source, String repo, String tag) throws IOException {
        Image img = store.resolve(source);
        if (repo == null || repo.isEmpty()) throw BerthException.invalid("repository name must have at least one component");
        ImageRef ref = ImageRef.parse(repo);
        if (tag != null && !tag.isEmpty()) {
            boolean repoHasTag = repo.lastIndexOf(':') > repo.lastIndexOf('/');
            if (repoHasTag || ref.digest() != null) throw BerthException.invalid("invalid reference format");
            ref = ImageRef.parse(ref.repository() + ":" + tag);
        }
        tag(img, ref);
    }

    /**
     * DELETE /images/{name}: a reference that is not the image's last one is only untagged;
     * otherwise the image is deleted, unless containers use it (409) or, by ID, several
     * references point at it without force (409).
     */
    public List<Map<String, String>> remove(String name, boolean force, boolean noPrune) throws IOException {
        Image img = store.resolve(name);
        List<Map<String, String>> out = new ArrayList<>();
        boolean byId = isIdLike(name, img);
        List<ImageRef> refs = store.refsOf(img.id());
        List<ContainerUsage.User> users = usage.containersUsing(img.id());
        // Digest references (from pulls) do not keep an image alive on their own: removing its
        // last tag removes them too, as in Docker.
        long tags = refs.stream().filter(r -> r.digest() == null).count();
        long repositories = refs.stream().map(ImageRef::repository).distinct().count();
        if (!byId) {
            ImageRef ref = ImageRef.parse(name);
            if (tags > 1 && ref.digest() == null || refs.size() > 1 && ref.digest() != null && tags > 0) {
                store.untag(ref);
                events.publish("image", "untag", img.id().toString(), Map.of("name", ref.familiar()));
                out.add(Map.of("Untagged", ref.familiar()));
                return out;
            }
            if (!users.isEmpty() && !force) {
                throw BerthException.conflict("conflict: unable to remove repository reference \"" + name + "\" (must force) - container "
                        + Ids.shortId(users.getFirst().id()) + " is using its referenced image " + Ids.shortId(img.id().hex()));
            }
        } else {
            if (store.hasChildren(img.id())) {
                throw BerthException.conflict("conflict: unable to delete " + Ids.shortId(img.id().hex())
                        + " (cannot be forced) - image has dependent child images");
            }
            if (repositories > 1 && !force) {
                throw BerthException.conflict("conflict: unable to delete " + Ids.shortId(img.id().hex())
                        + " (must be forced) - image is referenced in multiple repositories");
            }
            if (!users.isEmpty() && !force) {
                throw BerthException.conflict("conflict: unable to delete " + Ids.shortId(img.id().hex())
                        + " (must be forced) - image is being used by stopped container " + Ids.shortId(users.getFirst().id()));
            }
        }
        for (ContainerUsage.User u : users) {
            if (u.running()) {
                throw BerthException.conflict("conflict: unable to delete " + Ids.shortId(img.id().hex())
                        + " (cannot be forced) - image is being used by running container " + Ids.shortId(u.id()));
            }
        }
        for (ImageRef r : refs) {
            store.untag(r);
            events.publish("image", "untag", img.id().toString(), Map.of("name", r.familiar()));
            out.add(Map.of("Untagged", r.familiar()));
        }
        if (!users.isEmpty()) return out; // forced: untagged, but containers still need the layers
        if (store.hasChildren(img.id())) return out; // untagged; it stays as its children's parent
        Digest parent = store.parentOf(img.id());
        delete(img, noPrune, out);
        // Docker deletes the untagged parents a build left behind with the image (unless noprune).
        while (!noPrune && parent != null) {
            Image p = store.get(parent);
            if (p == null || !store.refsOf(parent).isEmpty() || store.hasChildren(parent) || !usage.containersUsing(parent).isEmpty()) break;
            parent = store.parentOf(parent);
            delete(p, false, out);
        }
        return out;
    }

    private void delete(Image img, boolean noPrune, List<Map<String, String>> out) throws IOException {
        java.util.Set<Digest> manifests = store.manifestsOf(img.id());
        store.remove(img.id());
        out.add(Map.of("Deleted", img.id().toString()));
        events.publish("image", "delete", img.id().toString(), Map.of());
        for (Digest m : manifests) if (!store.manifestInUse(m)) content.delete(m);
        if (!noPrune) pruneUnusedLayers(img);
    }

    private static boolean isIdLike(String name, Image img) {
        String hex = name.startsWith("sha256:") ? name.substring(7) : name;
        return img.id().hex().startsWith(hex) && hex.matches("[a-f0-9]+");
    }

    /** Deletes the layers and blobs of a removed image that no other image shares. */
    private void pruneUnusedLayers(Image removed) throws IOException {
        java.util.Set<Digest> inUse = new java.util.HashSet<>();
        java.util.Set<Digest> diffsInUse = new java.util.HashSet<>();
        for (Image other : store.all()) {
            inUse.addAll(other.chainIds());
            diffsInUse.addAll(other.diffIds());
        }
        for (Digest chain : removed.chainIds()) if (!inUse.contains(chain)) layers.delete(chain);
        for (Digest diff : removed.diffIds()) {
            if (diffsInUse.contains(diff)) continue;
            content.delete(diff);
            compressed.remove(diff);
        }
        content.delete(removed.id());
    }

    // ---- JSON views -------------------------------------------------------------------------

    /**
     * {@code GET /images/{name}/history}: the config's history, newest first; entries that made a
     * layer carry that layer's size, and the newest carries the image ID and its tags.
     */
    public ArrayNode history(Image img) {
        ArrayNode out = Json.arr();
        JsonNode h = img.config().path("history");
        List<Digest> chains = img.chainIds();
        int layer = 0;
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode e : h) {
            ObjectNode row = Json.obj();
            row.put("Id", "<missing>");
            row.put("Created", parseTime(e.path("created").asText(null)).getEpochSecond());
            row.put("CreatedBy", e.path("created_by").asText(""));
            row.putNull("Tags");
            boolean empty = e.path("empty_layer").asBoolean(false);
            row.put("Size", !empty && layer < chains.size() ? layers.size(chains.get(layer++)) : 0);
            row.put("Comment", e.path("comment").asText(""));
            rows.add(row);
        }
        if (rows.isEmpty()) {
            ObjectNode row = Json.obj().put("Id", "<missing>").put("Created", createdTime(img).getEpochSecond())
                    .put("CreatedBy", "").put("Size", img.size()).put("Comment", "");
            row.putNull("Tags");
            rows.add(row);
        }
        // Each image a build made adds one history entry: walking the parents names the rows
        // (Docker shows intermediate image IDs for locally built images, <missing> beyond them).
        Digest at = img.id();
        for (int i = rows.size() - 1; i >= 0 && at != null; i--) {
            ObjectNode row = rows.get(i);
            row.put("Id", at.toString());
            List<String> tags = store.repoTags(at);
            if (!tags.isEmpty()) {
                ArrayNode t = row.putArray("Tags");
                tags.forEach(t::add);
            }
            Digest parent = store.parentOf(at);
            Image p = parent == null ? null : store.get(parent);
            // the parent must account for exactly the rows below this one
            at = p != null && p.config().path("history").size() == i ? parent : null;
        }
        for (int i = rows.size() - 1; i >= 0; i--) out.add(rows.get(i));
        return out;
    }

    /**
     * {@code POST /images/prune}: removes images no container uses — only untagged ones unless
     * {@code dangling=false} — narrowed by {@code until} (created before) and {@code label} /
     * {@code label!} filters, as dockerd does.
     */
    public ObjectNode prune(Map<String, List<String>> filters) throws IOException {
        for (String k : filters.keySet()) {
            if (!List.of("dangling", "until", "label", "label!").contains(k)) throw BerthException.invalid("invalid filter '" + k + "'");
        }
        boolean danglingOnly = true;
        for (String v : filters.getOrDefault("dangling", List.of())) {
            switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1" -> danglingOnly = true;
                case "false", "0" -> danglingOnly = false;
                default -> throw BerthException.invalid("invalid filter 'dangling=" + v + "'");
            }
        }
        Instant now = Instant.now();
        Instant until = null;
        for (String v : filters.getOrDefault("until", List.of())) until = dev.berth.daemon.util.Times.parseQueryTime(v, now);
        ObjectNode out = Json.obj();
        ArrayNode deleted = out.putArray("ImagesDeleted");
        long reclaimed = 0;
        for (Image img : store.all()) {
            if (store.get(img.id()) == null) continue; // went with an earlier one
            if (danglingOnly && !store.repoTags(img.id()).isEmpty()) continue;
            if (store.hasChildren(img.id())) continue; // an intermediate image: goes with its last child
            if (!usage.containersUsing(img.id()).isEmpty()) continue;
            if (until != null && !createdTime(img).isBefore(until)) continue;
            var labels = dev.berth.daemon.util.Filters.labelsOf(img.containerConfig().get("Labels"));
            if (!filters.getOrDefault("label", List.of()).stream().allMatch(l -> dev.berth.daemon.util.Filters.labelMatches(labels, l))) continue;
            if (filters.getOrDefault("label!", List.of()).stream().anyMatch(l -> dev.berth.daemon.util.Filters.labelMatches(labels, l))) continue;
            reclaimed += img.size();
            for (Map<String, String> m : remove(img.id().toString(), true, false)) {
                ObjectNode row = deleted.addObject();
                m.forEach(row::put);
            }
        }
        if (deleted.isEmpty()) out.putNull("ImagesDeleted");
        out.put("SpaceReclaimed", reclaimed);
        events.publish("image", "prune", "", Map.of("reclaimed", Long.toString(reclaimed)));
        return out;
    }

    // ---- build cache ---------------------------------------------------------------------------

    /**
     * The build cache: the untagged images build steps made (each a child of the image its step
     * started from, found again by its cache key). An entry is "Shared" when a tagged image
     * descends from it (removing it would cost that image its cache and Parent, not its layers).
     */
    public ArrayNode buildCache() {
        ArrayNode out = Json.arr();
        java.util.Set<Digest> ancestors = keptAncestors();
        for (Image img : store.all()) {
            if (store.buildKeyOf(img.id()) == null || !store.repoTags(img.id()).isEmpty()) continue;
            ObjectNode n = out.addObject();
            n.put("ID", img.id().hex().substring(0, 25));
            Digest parent = store.parentOf(img.id());
            if (parent != null && store.buildKeyOf(parent) != null) n.putArray("Parents").add(parent.hex().substring(0, 25));
            else n.putNull("Parents");
            n.put("Type", "regular");
            JsonNode h = img.config().path("history");
            n.put("Description", h.isArray() && !h.isEmpty() ? h.get(h.size() - 1).path("created_by").asText("") : "");
            n.put("InUse", !usage.containersUsing(img.id()).isEmpty());
            n.put("Shared", ancestors.contains(img.id()));
            n.put("Size", ownLayerSize(img));
            n.put("CreatedAt", img.config().path("created").asText(Times.ZERO));
            n.putNull("LastUsedAt");
            n.put("UsageCount", 0);
        }
        return out;
    }

    private long ownLayerSize(Image img) {
        Digest parent = store.parentOf(img.id());
        Image p = parent == null ? null : store.get(parent);
        List<Digest> chains = img.chainIds();
        int base = p == null ? 0 : p.chainIds().size();
        long size = 0;
        for (int i = base; i < chains.size(); i++) size += layers.size(chains.get(i));
        return size;
    }

    /** Images a tagged image or a container's image descends from (through parents). */
    private java.util.Set<Digest> keptAncestors() {
        java.util.Set<Digest> out = new java.util.HashSet<>();
        for (Image img : store.all()) {
            boolean kept = !store.repoTags(img.id()).isEmpty() || !usage.containersUsing(img.id()).isEmpty()
                    || store.buildKeyOf(img.id()) == null;
            if (!kept) continue;
            for (Digest p = store.parentOf(img.id()); p != null && out.add(p); p = store.parentOf(p)) { }
        }
        return out;
    }

    /**
     * {@code POST /build/prune}: removes build cache entries no container uses — without
     * {@code all} only those no kept image descends from (Docker's "dangling" cache), with
     * {@code all} every one (kept images lose their Parent link, never their layers).
     * Filters: {@code until} (created before).
     */
    public ObjectNode pruneBuildCache(boolean all, Map<String, List<String>> filters) throws IOException {
        for (String k : filters.keySet()) {
            if (!List.of("until", "id", "parent", "type", "description", "inuse", "shared", "private").contains(k)) {
                throw BerthException.invalid("filter '" + k + "' is invalid");
            }
        }
        Instant until = null;
        for (String v : filters.getOrDefault("until", List.of())) until = Times.parseQueryTime(v, Instant.now());
        ObjectNode out = Json.obj();
        ArrayNode deleted = out.putArray("CachesDeleted");
        long reclaimed = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            java.util.Set<Digest> ancestors = all ? java.util.Set.of() : keptAncestors();
            for (Image img : store.all()) {
                Digest id = img.id();
                if (store.get(id) == null || store.buildKeyOf(id) == null || !store.repoTags(id).isEmpty()) continue;
                if (!usage.containersUsing(id).isEmpty() || ancestors.contains(id)) continue;
                if (!all && store.hasChildren(id)) continue; // leaves first
                if (until != null && !createdTime(img).isBefore(until)) continue;
                long size = ownLayerSize(img);
                java.util.List<Map<String, String>> ignored = new ArrayList<>();
                delete(img, false, ignored);
                deleted.add(id.hex().substring(0, 25));
                reclaimed += size;
                changed = true;
            }
        }
        if (deleted.isEmpty()) out.putNull("CachesDeleted");
        out.put("SpaceReclaimed", reclaimed);
        return out;
    }

    private static Instant parseTime(String s) {
        try {
            return s == null ? Instant.EPOCH : Instant.parse(s);
        } catch (Exception e) {
            return Instant.EPOCH;
        }
    }

    public ObjectNode summary(Image img) {
        ObjectNode n = Json.obj();
        n.put("Containers", -1);
        n.put("Created", createdTime(img).getEpochSecond());
        n.put("Id", img.id().toString());
        JsonNode labels = img.containerConfig().get("Labels");
        if (labels != null && labels.isObject()) n.set("Labels", labels);
        else n.putNull("Labels");
        Digest parent = store.parentOf(img.id());
        n.put("ParentId", parent == null ? "" : parent.toString());
        ArrayNode digests = n.putArray("RepoDigests");
        store.repoDigests(img.id()).forEach(digests::add);
        ArrayNode tags = n.putArray("RepoTags");
        store.repoTags(img.id()).forEach(tags::add);
        n.put("SharedSize", -1);
        n.put("Size", img.size());
        return n;
    }

    public static Instant createdTime(Image img) {
        String c = img.config().path("created").asText(null);
        try {
            return c == null ? Instant.EPOCH : Instant.parse(c);
        } catch (Exception e) {
            return Instant.EPOCH;
        }
    }

    public ObjectNode inspect(Image img) {
        ObjectNode n = Json.obj();
        n.put("Id", img.id().toString());
        ArrayNode tags = n.putArray("RepoTags");
        store.repoTags(img.id()).forEach(tags::add);
        ArrayNode digests = n.putArray("RepoDigests");
        store.repoDigests(img.id()).forEach(digests::add);
        Digest parent = store.parentOf(img.id());
        n.put("Parent", parent == null ? "" : parent.toString());
        n.put("Comment", img.config().path("comment").asText(historyComment(img)));
        n.put("Created", img.config().path("created").asText(Times.ZERO));
        n.put("DockerVersion", img.config().path("docker_version").asText(""));
        n.put("Author", img.config().path("author").asText(""));
        n.set("Config", fullContainerConfig(img.containerConfig()));
        n.put("Architecture", img.config().path("architecture").asText("amd64"));
        n.put("Os", img.config().path("os").asText("linux"));
        n.put("Size", img.size());
        ObjectNode gd = n.putObject("GraphDriver");
        ObjectNode data = gd.putObject("Data");
        List<String> lowers = layers.diffDirs(img).stream().map(Path::toString).toList();
        if (!lowers.isEmpty()) {
            data.put("MergedDir", "");
            data.put("UpperDir", lowers.getFirst());
            if (lowers.size() > 1) data.put("LowerDir", String.join(":", lowers.subList(1, lowers.size())));
        }
        gd.put("Name", "overlay2");
        ObjectNode rootfs = n.putObject("RootFS");
        rootfs.put("Type", "layers");
        ArrayNode ls = rootfs.putArray("Layers");
        img.diffIds().forEach(d -> ls.add(d.toString()));
        ObjectNode meta = n.putObject("Metadata");
        Instant ltt = store.lastTagTime(img.id());
        meta.put("LastTagTime", Times.rfc3339Nano(ltt));
        return n;
    }

    private static String historyComment(Image img) {
        JsonNode h = img.config().path("history");
        return h.isArray() && !h.isEmpty() ? h.get(h.size() - 1).path("comment").asText("") : "";
    }

    /** Docker prints every field of the container config, null where unset. */
    static ObjectNode fullContainerConfig(JsonNode c) {
        ObjectNode n = Json.obj();
        n.put("Hostname", c.path("Hostname").asText(""));
        n.put("Domainname", c.path("Domainname").asText(""));
        n.put("User", c.path("User").asText(""));
        n.put("AttachStdin", false);
        n.put("AttachStdout", false);
        n.put("AttachStderr", false);
        if (c.has("ExposedPorts")) n.set("ExposedPorts", c.get("ExposedPorts"));
        n.put("Tty", false);
        n.put("OpenStdin", false);
        n.put("StdinOnce", false);
        n.set("Env", c.has("Env") ? c.get("Env") : null);
        n.set("Cmd", c.has("Cmd") ? c.get("Cmd") : null);
        n.put("Image", c.path("Image").asText(""));
        n.set("Volumes", c.has("Volumes") ? c.get("Volumes") : null);
        n.put("WorkingDir", c.path("WorkingDir").asText(""));
        n.set("Entrypoint", c.has("Entrypoint") ? c.get("Entrypoint") : null);
        n.set("OnBuild", c.has("OnBuild") ? c.get("OnBuild") : null);
        n.set("Labels", c.has("Labels") ? c.get("Labels") : null);
        if (c.has("StopSignal")) n.set("StopSignal", c.get("StopSignal"));
        if (c.has("Healthcheck")) n.set("Healthcheck", c.get("Healthcheck"));
        if (c.has("Shell")) n.set("Shell", c.get("Shell"));
        return n;
    }
}
