package dev.berth.daemon.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.archive.StagedArchive.StagedFile;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.distribution.Progress;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.snapshot.InvalidLayerException;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.util.CountingInputStream;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.TeeInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * {@code POST /images/load}: loads the images of a Docker archive ({@code manifest.json}; layers
 * under {@code blobs/sha256/} as dockerd 25+ writes them, or in legacy {@code <id>/layer.tar}
 * dirs) or of a plain OCI image layout ({@code index.json}, names from its annotations). The
 * body may be gzip, bzip2 or xz compressed.
 *
 * <p>Nothing is stored until everything is checked, in three steps:
 * <ol>
 *   <li>stage: the tar is read once into a scratch dir under {@code layers/tmp/} (emptied at
 *       start, so a crash leaves nothing), every file hashed on the way;</li>
 *   <li>check: the JSON documents are parsed, every blob's digest and size are checked against
 *       the name or descriptor that refers to it, every layer is unpacked into its own temp dir
 *       while its uncompressed tar is hashed into an ingest file of the content store, and its
 *       diffID checked against the image config;</li>
 *   <li>publish: layer blobs and dirs and configs are committed, images registered
 *       and tagged (a tag moves from an older image as dockerd moves it).</li>
 * </ol>
 * A failure in the first two steps leaves no blob, layer or image behind.
 *
 * <p>Output: dockerd's JSON messages: "Loading layer" progress per unpacked layer unless quiet,
 * then {@code {"stream":"Loaded image: busybox:latest\n"}} per tag, and
 * {@code "Loaded image ID: sha256:…"} for images without one.
 */
public final class ImageLoad {
    /** JSON documents (manifests, configs, index) larger than this are refused. */
    static final long MAX_JSON = 32L << 20;

    private final ContentStore content;
    private final LayerStore layers;
    private final ImageStore store;
    private final EventBus events;

    public ImageLoad(ContentStore content, LayerStore layers, ImageStore store, EventBus events) {
        this.content = content;
        this.layers = layers;
        this.store = store;
        this.events = events;
    }

    /** One image of the archive, checked: config bytes, layer files bottom-up, tags. */
    record Planned(Digest id, byte[] config, List<Digest> diffIds, List<StagedFile> layerFiles, List<ImageRef> tags) {}

    /** A layer unpacked and hashed but not yet published. */
    private static final class Pending {
        final Digest chain;
        final Digest diffId;
        final Path temp;
        final ContentStore.Writer blob;
        final long bytes;
        boolean published;

        Pending(Digest chain, Digest diffId, Path temp, ContentStore.Writer blob, long bytes) {
            this.chain = chain;
            this.diffId = diffId;
            this.temp = temp;
            this.blob = blob;
            this.bytes = bytes;
        }
    }

    /**
     * Loads the archive in {@code body}, writing dockerd's JSON messages to {@code out}; returns
     * the IDs of the loaded images. A bad archive is a {@link BerthException.InvalidArgument}
     * ({@code invalid archive: …}).
     */
    public List<Digest> load(InputStream body, boolean quiet, OutputStream out) throws IOException {
        Path scratch = layers.newTemp();
        Map<Digest, Pending> pending = new LinkedHashMap<>();
        try {
            Path staging = Files.createDirectory(scratch.resolve("archive"));
            InputStream tar;
            try {
                tar = Compression.detect(new BufferedInputStream(body, 65536));
            } catch (IOException e) {
                throw BerthException.invalid("invalid archive: " + e.getMessage());
            }
            StagedArchive staged = StagedArchive.read(tar, staging);
            List<Planned> plan = plan(staged);
            Progress progress = quiet ? null : new Progress(out);
            for (Planned p : plan) unpackMissing(p, pending, progress);
            for (Pending p : pending.values()) {
                p.blob.commit(p.diffId);
                layers.commit(p.temp, p.chain, p.diffId, p.bytes);
                p.published = true;
            }
            return register(plan, out);
        } finally {
            for (Pending p : pending.values()) {
                if (p.published) continue;
                try {
                    p.blob.close();
                } finally {
                    layers.discard(p.temp);
                }
            }
            layers.discard(scratch);
        }
    }

    // ---------------------------------------------------------------- reading the archive

    /** The images of a staged archive: Docker's manifest.json when there is one, else the OCI index. */
    static List<Planned> plan(StagedArchive staged) throws IOException {
        staged.verifyBlobNames();
        StagedFile manifest = staged.file(ArchiveJson.MANIFEST);
        if (manifest != null) return planDocker(staged, manifest);
        StagedFile index = staged.file(ArchiveJson.INDEX);
        if (index != null) return planOci(staged, index);
        throw BerthException.invalid("invalid archive: does not contain a " + ArchiveJson.MANIFEST + " or an OCI " + ArchiveJson.INDEX);
    }

    private static List<Planned> planDocker(StagedArchive staged, StagedFile manifest) throws IOException {
        List<Planned> out = new ArrayList<>();
        for (ArchiveJson.DockerItem item : ArchiveJson.parseDockerManifest(StagedArchive.read(manifest, MAX_JSON))) {
            StagedFile configFile = named(staged, item.config());
            byte[] config = StagedArchive.read(configFile, MAX_JSON);
            List<Digest> diffIds = diffIds(config, item.config());
            if (item.layers().size() != diffIds.size()) {
                throw BerthException.invalid("invalid manifest, layers length mismatch: expected " + item.layers().size() + ", got " + diffIds.size());
            }
            List<StagedFile> files = new ArrayList<>();
            for (String layer : item.layers()) files.add(named(staged, layer));
            List<ImageRef> tags = new ArrayList<>();
            for (String t : item.repoTags()) tags.add(ArchiveJson.parseRepoTag(t));
            out.add(new Planned(configFile.digest(), config, diffIds, files, tags));
        }
        return out;
    }

    /**
     * A file manifest.json names. A name that states a digest ({@code blobs/sha256/<hex>}, or a
     * legacy {@code <hex>.json} config) must match the file's content, links followed.
     */
    private static StagedFile named(StagedArchive staged, String path) {
        StagedFile f = staged.file(path);
        if (f == null) throw BerthException.invalid("invalid archive: " + path + " named in " + ArchiveJson.MANIFEST + " is missing");
        List<String> parts = StagedArchive.components(path);
        String normalized = String.join("/", parts);
        Digest stated = ArchiveJson.digestOfBlobPath(normalized);
        if (stated == null && normalized.matches("[a-f0-9]{64}\\.json")) stated = new Digest(normalized.substring(0, 64));
        if (stated != null && !stated.equals(f.digest())) {
            throw BerthException.invalid("invalid archive: " + path + ": unexpected digest " + f.digest() + ", expected " + stated);
        }
        return f;
    }

    private static List<Planned> planOci(StagedArchive staged, StagedFile index) throws IOException {
        StagedFile layout = staged.file(ArchiveJson.OCI_LAYOUT);
        if (layout != null) {
            String version = ArchiveJson.parse(StagedArchive.read(layout, MAX_JSON), ArchiveJson.OCI_LAYOUT).path("imageLayoutVersion").asText("");
            if (!version.startsWith("1.")) throw BerthException.invalid("invalid archive: unsupported OCI layout version \"" + version + "\"");
        }
        JsonNode idx = ArchiveJson.parse(StagedArchive.read(index, MAX_JSON), ArchiveJson.INDEX);
        if (!idx.isObject()) throw BerthException.invalid("invalid archive: failed to decode " + ArchiveJson.INDEX + ": expected an object");
        JsonNode manifests = idx.path("manifests");
        if (!manifests.isMissingNode() && !manifests.isNull() && !manifests.isArray()) {
            throw BerthException.invalid("invalid archive: failed to decode " + ArchiveJson.INDEX + ": manifests must be a list");
        }
        Map<Digest, Planned> byId = new LinkedHashMap<>();
        for (JsonNode desc : manifests) {
            ImageRef name = ArchiveJson.nameFromAnnotations(desc.get("annotations"));
            JsonNode doc = json(staged, desc, "manifest");
            if (isIndex(desc, doc)) {
                JsonNode chosen = hostPlatform(doc);
                if (chosen == null) {
                    throw BerthException.invalid("invalid archive: no manifest for linux/" + hostArch() + " in index " + desc.path("digest").asText());
                }
                desc = chosen;
                doc = json(staged, desc, "manifest");
            }
            if (!isManifest(desc, doc)) continue; // an artifact, not an image
            Planned p = planOciImage(staged, doc);
            Planned seen = byId.get(p.id());
            List<ImageRef> tags = new ArrayList<>(seen == null ? List.of() : seen.tags());
            if (name != null && !tags.contains(name)) tags.add(name);
            byId.put(p.id(), new Planned(p.id(), p.config(), p.diffIds(), p.layerFiles(), tags));
        }
        return new ArrayList<>(byId.values());
    }

    private static Planned planOciImage(StagedArchive staged, JsonNode manifest) throws IOException {
        JsonNode configDesc = manifest.path("config");
        if (!configDesc.isObject()) throw BerthException.invalid("invalid archive: an image manifest has no config");
        StagedFile configFile = blob(staged, configDesc, "image config");
        byte[] config = StagedArchive.read(configFile, MAX_JSON);
        List<Digest> diffIds = diffIds(config, ArchiveJson.blobPath(configFile.digest()));
        JsonNode layerDescs = manifest.path("layers");
        int count = layerDescs.isArray() ? layerDescs.size() : 0;
        if (count != diffIds.size()) {
            throw BerthException.invalid("invalid manifest, layers length mismatch: expected " + count + ", got " + diffIds.size());
        }
        List<StagedFile> files = new ArrayList<>();
        for (JsonNode l : layerDescs) {
            String type = l.path("mediaType").asText("");
            if (type.endsWith("+zstd") || type.endsWith(".zstd")) throw BerthException.invalid("zstd-compressed layers are not supported yet");
            files.add(blob(staged, l, "layer"));
        }
        return new Planned(configFile.digest(), config, diffIds, files, List.of());
    }

    /** The blob a descriptor names, checked: present, with the stated digest and size. */
    private static StagedFile blob(StagedArchive staged, JsonNode desc, String what) {
        String ds = desc.path("digest").asText("");
        Digest d;
        try {
            d = Digest.parse(ds);
        } catch (BerthException e) {
            throw BerthException.invalid("invalid archive: " + what + " descriptor: " + e.getMessage());
        }
        StagedFile f = staged.file(ArchiveJson.blobPath(d));
        if (f == null) throw BerthException.invalid("invalid archive: missing blob " + d + " (" + what + ")");
        if (!f.digest().equals(d)) throw BerthException.invalid("invalid archive: unexpected digest " + f.digest() + ", expected " + d + " (" + what + ")");
        JsonNode size = desc.get("size");
        if (size != null && size.asLong(-1) != f.size()) {
            throw BerthException.invalid("invalid archive: blob " + d + " has " + f.size() + " bytes, its descriptor says " + size.asText());
        }
        return f;
    }

    private static JsonNode json(StagedArchive staged, JsonNode desc, String what) throws IOException {
        StagedFile f = blob(staged, desc, what);
        return ArchiveJson.parse(StagedArchive.read(f, MAX_JSON), ArchiveJson.blobPath(f.digest()));
    }

    private static boolean isIndex(JsonNode desc, JsonNode doc) {
        String t = desc.path("mediaType").asText(doc.path("mediaType").asText(""));
        return t.equals(ArchiveJson.MEDIA_OCI_INDEX) || t.equals(ArchiveJson.MEDIA_DOCKER_LIST) || t.isEmpty() && doc.has("manifests");
    }

    private static boolean isManifest(JsonNode desc, JsonNode doc) {
        String t = desc.path("mediaType").asText(doc.path("mediaType").asText(""));
        return t.equals(ArchiveJson.MEDIA_OCI_MANIFEST) || t.equals(ArchiveJson.MEDIA_DOCKER_MANIFEST) || t.isEmpty() && doc.has("config");
    }

    /** The entry of a multi-platform index for this machine (linux and its architecture). */
    private static JsonNode hostPlatform(JsonNode index) {
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.path("os").asText().equals("linux") && p.path("architecture").asText().equals(hostArch())) return m;
        }
        return null;
    }

    static String hostArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    /**
     * The diffIDs of an image config, which must be a JSON object of a Linux image with a
     * {@code rootfs} of sha256 digests (as dockerd's {@code image.NewFromJSON} requires).
     */
    static List<Digest> diffIds(byte[] config, String name) {
        JsonNode c = ArchiveJson.parse(config, name);
        if (!c.isObject()) throw BerthException.invalid("invalid archive: image config " + name + " is not a JSON object");
        String os = c.path("os").asText("");
        if (!os.isEmpty() && !os.equals("linux")) throw BerthException.invalid("cannot load " + os + " image on linux");
        JsonNode rootfs = c.get("rootfs");
        if (rootfs == null || !rootfs.isObject()) throw BerthException.invalid("invalid image JSON, no RootFS key");
        JsonNode ids = rootfs.path("diff_ids");
        if (!ids.isMissingNode() && !ids.isNull() && !ids.isArray()) {
            throw BerthException.invalid("invalid archive: image config " + name + ": diff_ids must be a list");
        }
        List<Digest> out = new ArrayList<>();
        for (JsonNode d : ids) {
            try {
                out.add(Digest.parse(d.asText()));
            } catch (BerthException e) {
                throw BerthException.invalid("invalid archive: image config " + name + ": " + e.getMessage());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- layers

    /**
     * Unpacks the layers of {@code p} that this daemon does not have (and that no earlier image
     * of the archive brought), checking each diffID. Layers it has are still checked.
     */
    private void unpackMissing(Planned p, Map<Digest, Pending> pending, Progress progress) throws IOException {
        Digest parent = null;
        for (int i = 0; i < p.diffIds().size(); i++) {
            Digest diffId = p.diffIds().get(i);
            Digest chain = LayerStore.chainId(parent, diffId);
            parent = chain;
            StagedFile file = p.layerFiles().get(i);
            if (pending.containsKey(chain)) continue;
            if (layers.exists(chain) && content.exists(diffId)) {
                if (!file.digest().equals(diffId)) checkDiffId(file, i, diffId);
                continue;
            }
            pending.put(chain, unpack(file, i, chain, diffId, progress));
        }
    }

    private Pending unpack(StagedFile file, int index, Digest chain, Digest diffId, Progress progress) throws IOException {
        String id = Ids.shortId(diffId.hex());
        Path temp = layers.newTemp();
        ContentStore.Writer blob = content.writer();
        boolean ok = false;
        try (InputStream raw = Files.newInputStream(file.path())) {
            InputStream counted = progress == null ? raw
                    : new CountingInputStream(raw, null, n -> progress.bytes(id, "Loading layer", n, file.size()));
            MessageDigest md = Digest.sha256();
            TeeInputStream tee = new TeeInputStream(Compression.detect(new BufferedInputStream(counted, 65536)),
                    new DigestOutputStream(blob, md));
            LayerUnpacker.Result result = LayerUnpacker.unpack(tee, temp.resolve("diff"));
            tee.transferTo(OutputStream.nullOutputStream());
            if (result.entries() == 0 && tee.sawNonZero()) {
                throw BerthException.invalid("invalid archive: layer " + file.name() + " is not a tar archive");
            }
            checkDiffId(Digest.of(md), index, diffId);
            if (progress != null) progress.bytes(id, "Loading layer", file.size(), file.size());
            ok = true;
            return new Pending(chain, diffId, temp, blob, result.bytes());
        } catch (InvalidLayerException e) {
            throw BerthException.invalid(e.getMessage());
        } catch (IOException e) {
            throw BerthException.invalid("invalid archive: layer " + file.name() + ": " + e.getMessage());
        } finally {
            if (!ok) {
                blob.close();
                layers.discard(temp);
            }
        }
    }

    /** Hashes a (possibly compressed) layer file that is not unpacked, to check its diffID anyway. */
    private static void checkDiffId(StagedFile file, int index, Digest diffId) throws IOException {
        MessageDigest md = Digest.sha256();
        try (InputStream raw = Files.newInputStream(file.path());
             InputStream tar = Compression.detect(new BufferedInputStream(raw, 65536))) {
            tar.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), md));
        } catch (IOException e) {
            throw BerthException.invalid("invalid archive: layer " + file.name() + ": " + e.getMessage());
        }
        checkDiffId(Digest.of(md), index, diffId);
    }

    private static void checkDiffId(Digest actual, int index, Digest expected) {
        if (!actual.equals(expected)) {
            throw BerthException.invalid("invalid diffID for layer " + index + ": expected \"" + expected + "\", got \"" + actual + "\"");
        }
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Stores the configs, registers and tags the images, says what was loaded. No manifest is
     * stored: nothing reads one yet, and {@link ArchiveJson#ociManifest} rebuilds it exactly.
     */
    private List<Digest> register(List<Planned> plan, OutputStream out) throws IOException {
        List<Digest> loaded = new ArrayList<>();
        LinkedHashSet<Digest> untagged = new LinkedHashSet<>();
        for (Planned p : plan) {
            Digest id = content.put(p.config());
            Image img = store.add(id);
            for (ImageRef tag : p.tags()) {
                Digest previous = store.byRef(tag);
                if (previous != null && !previous.equals(id)) {
                    stream(out, "The image " + tag.familiar() + " already exists, renaming the old one with ID " + previous + " to empty string\n");
                }
                store.tag(tag, id);
                stream(out, "Loaded image: " + tag.familiar() + "\n");
            }
            if (p.tags().isEmpty()) untagged.add(id);
            loaded.add(id);
            events.publish("image", "load", id.toString(), ImageSave.eventAttributes(img));
        }
        for (Digest id : untagged) stream(out, "Loaded image ID: " + id + "\n");
        return loaded;
    }

    private static void stream(OutputStream out, String text) throws IOException {
        out.write(Json.line(Map.of("stream", text)));
    }
}
