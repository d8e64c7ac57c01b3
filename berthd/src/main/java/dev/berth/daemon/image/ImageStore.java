package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Image metadata: which images exist ({@code images/meta/<hex>.json}) and which references point
 * at them ({@code images/repositories.json}), both written atomically. Configs live in the
 * content store. All methods synchronize on the store.
 */
public final class ImageStore {
    private final Path metaDir;
    private final Path refsFile;
    private final ContentStore content;
    private final LayerStore layers;
    private final Map<Digest, Image> images = new LinkedHashMap<>();
    private final Map<Digest, Instant> lastTagTime = new LinkedHashMap<>();
    /** Manifests and indexes stored for an image (pulled or pushed), deleted with it. */
    private final Map<Digest, java.util.Set<Digest>> manifests = new LinkedHashMap<>();
    private final TreeMap<String, Digest> refs = new TreeMap<>();
    /** The image a build step started from (Docker's "Parent"); only images made by builds and commits have one. */
    private final Map<Digest, Digest> parents = new LinkedHashMap<>();
    /** For images made by a build step: the step's cache key (see build.Builder), looked up among the parent's children. */
    private final Map<Digest, String> buildKeys = new LinkedHashMap<>();

    public ImageStore(Path dataRoot, ContentStore content, LayerStore layers) throws IOException {
        this.metaDir = dataRoot.resolve("images/meta");
        this.refsFile = dataRoot.resolve("images/repositories.json");
        this.content = content;
        this.layers = layers;
        Files.createDirectories(metaDir);
        load();
    }

    private void load() throws IOException {
        try (var s = Files.list(metaDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".json") || name.startsWith(".")) continue;
                Digest id = new Digest(name.substring(0, name.length() - 5));
                if (!content.exists(id)) continue;
                JsonNode meta = Json.MAPPER.readTree(p.toFile());
                Image img = materialize(id);
                images.put(id, img);
                String ltt = meta.path("lastTagTime").asText(null);
                if (ltt != null) lastTagTime.put(id, Instant.parse(ltt));
                java.util.Set<Digest> ms = new java.util.LinkedHashSet<>();
                meta.path("manifests").forEach(m -> ms.add(Digest.parse(m.asText())));
                if (!ms.isEmpty()) manifests.put(id, ms);
                String parent = meta.path("parent").asText(null);
                if (parent != null) parents.put(id, Digest.parse(parent));
                String key = meta.path("buildKey").asText(null);
                if (key != null) buildKeys.put(id, key);
            }
        }
        // A parent deleted while its child was kept (a crash between the two writes) is forgotten.
        parents.values().removeIf(p -> !images.containsKey(p));
        if (Files.exists(refsFile)) {
            JsonNode n = Json.MAPPER.readTree(refsFile.toFile());
            n.path("refs").properties().forEach(e -> {
                Digest id = Digest.parse(e.getValue().asText());
                if (images.containsKey(id)) refs.put(e.getKey(), id);
            });
        }
    }

    private Image materialize(Digest id) throws IOException {
        JsonNode config = Json.MAPPER.readTree(content.read(id));
        Image img = new Image(id, config, 0);
        long size = 0;
        for (Digest chain : img.chainIds()) size += layers.size(chain);
        return new Image(id, config, size);
    }

    /** Registers an image whose config blob and layers are already stored. */
    public synchronized Image add(Digest id) throws IOException {
        return add(id, null, null);
    }

    /**
     * Registers an image made from {@code parent} (a build step or a commit; null for none),
     * remembering the build step's cache key (null if not made by a build). An image already
     * known keeps its parent; a cache key is added to it.
     */
    public synchronized Image add(Digest id, Digest parent, String buildKey) throws IOException {
        Image existing = images.get(id);
        if (existing != null) {
            if (buildKey != null && !buildKey.equals(buildKeys.get(id))) {
                buildKeys.put(id, buildKey);
                saveMeta(id);
            }
            return existing;
        }
        Image img = materialize(id);
        images.put(id, img);
        if (parent != null && images.containsKey(parent)) parents.put(id, parent);
        if (buildKey != null) buildKeys.put(id, buildKey);
        saveMeta(id);
        return img;
    }

    public synchronized Digest parentOf(Digest id) { return parents.get(id); }

    public synchronized String buildKeyOf(Digest id) { return buildKeys.get(id); }

    public synchronized boolean hasChildren(Digest id) { return parents.containsValue(id); }

    /** The image a build step with this cache key made from {@code parent} before, or null. */
    public synchronized Image cached(Digest parent, String buildKey) {
        Image found = null;
        for (Map.Entry<Digest, String> e : buildKeys.entrySet()) {
            if (!e.getValue().equals(buildKey) || !java.util.Objects.equals(parents.get(e.getKey()), parent)) continue;
            Image img = images.get(e.getKey());
            // the newest wins when several match (Docker's image cache takes the last created)
            if (img != null && (found == null || created(img).compareTo(created(found)) >= 0)) found = img;
        }
        return found;
    }

    private static String created(Image img) { return img.config().path("created").asText(""); }

    private void saveMeta(Digest id) throws IOException {
        ObjectNode meta = Json.obj();
        Instant t = lastTagTime.get(id);
        if (t != null) meta.put("lastTagTime", t.toString());
        java.util.Set<Digest> ms = manifests.get(id);
        if (ms != null) ms.forEach(m -> meta.withArray("manifests").add(m.toString()));
        Digest parent = parents.get(id);
        if (parent != null) meta.put("parent", parent.toString());
        String key = buildKeys.get(id);
        if (key != null) meta.put("buildKey", key);
        AtomicFiles.write(metaDir.resolve(id.hex() + ".json"), Json.bytes(meta));
    }

    /** Remembers a manifest or index blob stored for an image, so removing the image removes it. */
    public synchronized void addManifest(Digest id, Digest manifest) throws IOException {
        if (!images.containsKey(id)) return;
        if (manifests.computeIfAbsent(id, k -> new java.util.LinkedHashSet<>()).add(manifest)) saveMeta(id);
    }

    public synchronized java.util.Set<Digest> manifestsOf(Digest id) {
        return new java.util.LinkedHashSet<>(manifests.getOrDefault(id, java.util.Set.of()));
    }

    /** Whether any image still keeps this manifest blob (an index can serve several platforms). */
    public synchronized boolean manifestInUse(Digest manifest) {
        return manifests.values().stream().anyMatch(s -> s.contains(manifest));
    }

    public synchronized void tag(ImageRef ref, Digest id) throws IOException {
        refs.put(ref.full(), id);
        Instant now = Instant.now();
        lastTagTime.put(id, now);
        saveMeta(id);
        saveRefs();
    }

    /** Removes a reference; returns the image it pointed at, or null. */
    public synchronized Digest untag(ImageRef ref) throws IOException {
        Digest id = refs.remove(ref.full());
        if (id != null) saveRefs();
        return id;
    }

    public synchronized void remove(Digest id) throws IOException {
        refs.values().removeIf(id::equals);
        saveRefs();
        images.remove(id);
        lastTagTime.remove(id);
        manifests.remove(id);
        parents.remove(id);
        parents.values().removeIf(id::equals);
        buildKeys.remove(id);
        Files.deleteIfExists(metaDir.resolve(id.hex() + ".json"));
    }

    private void saveRefs() throws IOException {
        ObjectNode m = Json.obj();
        refs.forEach((k, v) -> m.put(k, v.toString()));
        AtomicFiles.write(refsFile, Json.bytes(Json.obj().set("refs", m)));
    }

    public synchronized Image get(Digest id) { return images.get(id); }

    public synchronized Digest byRef(ImageRef ref) { return refs.get(ref.full()); }

    public synchronized Collection<Image> all() { return new ArrayList<>(images.values()); }

    public synchronized Instant lastTagTime(Digest id) { return lastTagTime.get(id); }

    /** References (familiar form) of an image, tags only. */
    public synchronized List<String> repoTags(Digest id) {
        List<String> out = new ArrayList<>();
        refs.forEach((k, v) -> {
            if (v.equals(id)) {
                ImageRef r = ImageRef.parse(k);
                if (r.digest() == null) out.add(r.familiar());
            }
        });
        return out;
    }

    /** Digest references (familiar form), e.g. {@code busybox@sha256:…}, as RepoDigests. */
    public synchronized List<String> repoDigests(Digest id) {
        List<String> out = new ArrayList<>();
        refs.forEach((k, v) -> {
            if (v.equals(id)) {
                ImageRef r = ImageRef.parse(k);
                if (r.digest() != null) out.add(r.familiar());
            }
        });
        return out;
    }

    /** The tags of a repository ({@code docker.io/library/busybox}), sorted. */
    public synchronized List<String> tagsOf(String repository) {
        List<String> out = new ArrayList<>();
        for (String k : refs.keySet()) {
            ImageRef r = ImageRef.parse(k);
            if (r.digest() == null && r.repository().equals(repository)) out.add(r.tag());
        }
        return out;
    }

    public synchronized List<ImageRef> refsOf(Digest id) {
        List<ImageRef> out = new ArrayList<>();
        refs.forEach((k, v) -> { if (v.equals(id)) out.add(ImageRef.parse(k)); });
        return out;
    }

    /**
     * Resolves what a user typed: a reference, a full or short image ID (with or without
     * {@code sha256:}). Unknown names are a 404 "No such image: x".
     */
    public synchronized Image resolve(String name) {
        Image img = tryResolve(name);
        if (img == null) throw BerthException.notFound("No such image: " + displayName(name));
        return img;
    }

    public synchronized Image tryResolve(String name) {
        String hex = name.startsWith("sha256:") ? name.substring(7) : name;
        if (hex.matches("[a-f0-9]{1,64}")) {
            if (hex.length() == 64) {
                Image img = images.get(new Digest(hex));
                if (img != null) return img;
            }
            Image match = null;
            if (!hex.isEmpty()) {
                for (Image img : images.values()) {
                    if (img.id().hex().startsWith(hex)) {
                        if (match != null) throw BerthException.invalid("multiple IDs found with provided prefix: " + hex);
                        match = img;
                    }
                }
            }
            if (match != null) return match;
            if (name.startsWith("sha256:")) return null;
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(name);
        } catch (BerthException e) {
            return null;
        }
        Digest id = refs.get(ref.full());
        return id == null ? null : images.get(id);
    }

    private static String displayName(String name) {
        try {
            if (name.matches("(sha256:)?[a-f0-9]{1,64}")) return name;
            return ImageRef.parse(name).familiar();
        } catch (BerthException e) {
            return name;
        }
    }
}
