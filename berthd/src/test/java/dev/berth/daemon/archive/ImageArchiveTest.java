package dev.berth.daemon.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.image.ImageStore;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.util.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and load against real stores in a temp data root (root: layers are unpacked with their owners). */
class ImageArchiveTest {
    @TempDir Path root;
    private ContentStore content;
    private LayerStore layers;
    private ImageStore store;
    private EventBus events;
    private ImageService images;
    private ImageSave save;
    private ImageLoad load;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Posix.getuid() == 0, "needs root");
        content = new ContentStore(root);
        layers = new LayerStore(root);
        store = new ImageStore(root, content, layers);
        events = new EventBus();
        images = new ImageService(content, layers, store, new dev.berth.daemon.image.CompressedDigests(root), events);
        save = new ImageSave(content, store, events);
        load = new ImageLoad(content, layers, store, events);
    }

    private static byte[] layer(String file, String text) {
        return new TarBuilder().dir("etc").file("etc/" + file, text).bytes();
    }

    private Image importImage(String ref, byte[] tar) throws IOException {
        String[] rt = ref.split(":");
        return images.importTarball(new ByteArrayInputStream(tar), rt[0], rt.length > 1 ? rt[1] : null, List.of(), null, null);
    }

    private byte[] saveNames(String... names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageSave.Archive a = save.prepare(List.of(names))) {
            a.writeTo(out);
        }
        return out.toByteArray();
    }

    private String loadBytes(byte[] archive, boolean quiet) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        load.load(new ByteArrayInputStream(archive), quiet, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> entries(byte[] tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) out.put(e.getName(), in.readAllBytes());
        }
        return out;
    }

    /** Everything in the stores, to show that a refused load left nothing behind. */
    private TreeSet<String> stored() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (String dir : List.of("blobs/sha256", "layers/sha256", "layers/tmp", "ingest", "images/meta")) {
            try (var s = Files.list(root.resolve(dir))) {
                s.forEach(p -> out.add(dir + "/" + p.getFileName()));
            }
        }
        return out;
    }

    private List<String> actions() {
        List<String> out = new ArrayList<>();
        events.subscribe(java.time.Instant.EPOCH).past().forEach(e -> out.add(e.action()));
        return out;
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void saveRemoveLoadGivesTheSameImageBack() throws IOException {
        Image img = importImage("app:1", layer("a", "hello"));
        images.tag(img, ImageRef.parse("app:2"));
        byte[] archive = saveNames("app");
        Map<String, byte[]> e = entries(archive);
        Digest diff = img.diffIds().getFirst();
        assertEquals(List.of("blobs/", "blobs/sha256/"), new ArrayList<>(e.keySet()).subList(0, 2));
        assertEquals(List.of("index.json", "manifest.json", "oci-layout", "repositories"),
                new ArrayList<>(e.keySet()).subList(e.size() - 4, e.size()));
        assertTrue(e.containsKey("blobs/sha256/" + diff.hex()) && e.containsKey("blobs/sha256/" + img.id().hex()));
        JsonNode manifest = Json.parse(e.get("manifest.json"));
        assertEquals("[\"app:1\",\"app:2\"]", manifest.get(0).get("RepoTags").toString());
        assertEquals("{\"app\":{\"1\":\"" + diff.hex() + "\",\"2\":\"" + diff.hex() + "\"}}\n",
                new String(e.get("repositories"), StandardCharsets.UTF_8));
        assertTrue(actions().contains("save"));

        images.remove(img.id().toString(), true, false);
        assertNull(store.get(img.id()));
        assertFalse(layers.exists(img.chainIds().getFirst()));

        String out = loadBytes(archive, true);
        assertEquals("{\"stream\":\"Loaded image: app:1\\n\"}\n{\"stream\":\"Loaded image: app:2\\n\"}\n", out);
        assertNotNull(store.get(img.id()));
        assertEquals(List.of("app:1", "app:2"), store.repoTags(img.id()));
        assertTrue(layers.exists(img.chainIds().getFirst()));
        assertTrue(content.exists(diff));
        assertEquals("hello", Files.readString(layers.diffDir(img.chainIds().getFirst()).resolve("etc/a")));
        assertTrue(actions().contains("load"));
        assertEquals(List.of(), List.of(root.resolve("layers/tmp").toFile().list()), "scratch removed");
    }

    @Test
    void multiLayerImagesShareLayersInOneArchive() throws IOException {
        byte[] base = layer("base", "1");
        byte[] top = layer("top", "2");
        byte[] other = layer("other", "3");
        loadBytes(dockerArchive(List.of(
                new Img(List.of(base, top), List.of("two:layers")),
                new Img(List.of(base, other), List.of("shares:base")))), true);
        Digest twoId = store.byRef(ImageRef.parse("two:layers"));
        Digest sharesId = store.byRef(ImageRef.parse("shares:base"));
        assertEquals(2, store.get(twoId).chainIds().size());

        byte[] archive = saveNames("two:layers", "shares:base");
        Map<String, byte[]> e = entries(archive);
        long layerBlobs = e.keySet().stream().filter(n -> n.startsWith("blobs/sha256/") && n.length() > 14).count();
        assertEquals(3 + 2 + 2, layerBlobs, "3 distinct layers, 2 configs, 2 manifests");
        JsonNode index = Json.parse(e.get("index.json"));
        assertEquals(2, index.get("manifests").size());

        images.remove("two:layers", false, false);
        images.remove("shares:base", false, false);
        assertEquals(0, store.all().size());
        String out = loadBytes(archive, false);
        assertTrue(out.contains("\"status\":\"Loading layer\""), out);
        assertTrue(out.endsWith("{\"stream\":\"Loaded image: two:layers\\n\"}\n{\"stream\":\"Loaded image: shares:base\\n\"}\n"), out);
        assertEquals(twoId, store.byRef(ImageRef.parse("two:layers")));
        assertEquals(sharesId, store.byRef(ImageRef.parse("shares:base")));
        assertEquals("2", Files.readString(layers.diffDir(store.get(twoId).chainIds().get(1)).resolve("etc/top")));
    }

    @Test
    void selectsByIdDigestTagAndRepository() throws IOException {
        Image a = importImage("app:1", layer("a", "a"));
        Image b = importImage("app:2", layer("b", "b"));
        assertEquals(2, Json.parse(entries(saveNames("app")).get("manifest.json")).size(), "a repository means all its tags");
        JsonNode byId = Json.parse(entries(saveNames(a.id().hex().substring(0, 12))).get("manifest.json"));
        assertTrue(byId.get(0).get("RepoTags").isNull());
        JsonNode both = Json.parse(entries(saveNames(b.id().toString(), "app:1", "app:1")).get("manifest.json"));
        assertEquals(2, both.size());
        assertTrue(both.get(0).get("RepoTags").isNull());
        assertEquals("[\"app:1\"]", both.get(1).get("RepoTags").toString());
        assertEquals("No such image: nope", assertThrows(BerthException.NotFound.class, () -> save.prepare(List.of("nope"))).getMessage());
        assertEquals("No such image: app:9", assertThrows(BerthException.NotFound.class, () -> save.prepare(List.of("app:9"))).getMessage());
        assertThrows(BerthException.InvalidArgument.class, () -> save.prepare(List.of("Bad:Name")));
        assertThrows(BerthException.InvalidArgument.class, () -> save.prepare(List.of()));
    }

    @Test
    void loadedTagsMoveFromOlderImages() throws IOException {
        Image old = importImage("app:1", layer("a", "old"));
        byte[] archive = dockerArchive(List.of(new Img(List.of(layer("a", "new")), List.of("docker.io/library/app:1"))));
        String out = loadBytes(archive, true);
        assertTrue(out.startsWith("{\"stream\":\"The image app:1 already exists, renaming the old one with ID " + old.id() + " to empty string\\n\"}\n"), out);
        assertNotNull(store.get(old.id()), "the old image stays, untagged");
        assertEquals(List.of(), store.repoTags(old.id()));
        assertEquals("{\"stream\":\"Loaded image: app:1\\n\"}\n", loadBytes(archive, true), "loaded again: nothing moves");
    }

    @Test
    void untaggedImagesAreReportedById() throws IOException {
        byte[] archive = dockerArchive(List.of(new Img(List.of(layer("x", "x")), List.of())));
        String out = loadBytes(archive, true);
        assertTrue(out.matches("\\{\"stream\":\"Loaded image ID: sha256:[a-f0-9]{64}\\\\n\"}\n"), out);
    }

    // ---------------------------------------------------------------- OCI layouts

    @Test
    void loadsOciLayoutsWithCompressedLayersAndIndexes() throws IOException {
        byte[] tar = layer("oci", "yes");
        byte[] gz = gzip(tar);
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.of(tar) + "\"]}}";
        Digest cfg = Digest.of(config.getBytes());
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + cfg + "\",\"size\":" + config.length() + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + Digest.of(gz) + "\",\"size\":" + gz.length + "}]}";
        Digest m = Digest.of(manifest.getBytes());
        String platforms = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + "9".repeat(64) + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"s390x\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + m + "\",\"size\":" + manifest.length()
                + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + ImageLoad.hostArch() + "\"}}]}";
        Digest p = Digest.of(platforms.getBytes());
        String index = "{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + m + "\",\"size\":" + manifest.length()
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"oci/app:1.0\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" + p + "\",\"size\":" + platforms.length()
                + ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/oci/multi:2\",\"org.opencontainers.image.ref.name\":\"2\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + m + "\",\"size\":" + manifest.length()
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}";
        byte[] archive = new TarBuilder()
                .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
                .file("index.json", index)
                .file("blobs/sha256/" + cfg.hex(), config)
                .file("blobs/sha256/" + m.hex(), manifest)
                .file("blobs/sha256/" + p.hex(), platforms)
                .file("blobs/sha256/" + Digest.of(gz).hex(), gz)
                .bytes();
        String out = loadBytes(gzip(archive), true);
        assertEquals("{\"stream\":\"Loaded image: oci/app:1.0\\n\"}\n{\"stream\":\"Loaded image: oci/multi:2\\n\"}\n", out);
        assertEquals(cfg, store.byRef(ImageRef.parse("oci/app:1.0")));
        assertEquals("yes", Files.readString(layers.diffDir(Digest.of(tar)).resolve("etc/oci")));
        assertTrue(content.exists(Digest.of(tar)), "the uncompressed layer tar is stored under its diffID");
        assertFalse(content.exists(Digest.of(gz)));
    }

    // ---------------------------------------------------------------- hostile archives

    @Test
    void refusedArchivesLeaveNothingBehind() throws IOException {
        importImage("keep:1", layer("k", "k"));
        byte[] good = layer("g", "good");
        byte[] evil = layer("g", "evil");
        TreeSet<String> before = stored();

        // the layer file hashes to its name, but not to the diffID the config states
        Map<String, byte[]> swapped = dockerFiles(List.of(new Img(List.of(good), List.of("hostile:1"))));
        String goodPath = "blobs/sha256/" + Digest.of(good).hex();
        swapped.remove(goodPath);
        swapped.put("blobs/sha256/" + Digest.of(evil).hex(), evil);
        swapped.put("manifest.json", new String(swapped.get("manifest.json")).replace(Digest.of(good).hex(), Digest.of(evil).hex()).getBytes());
        refused(tar(swapped), "invalid diffID for layer 0: expected \"" + Digest.of(good) + "\", got \"" + Digest.of(evil) + "\"");

        Map<String, byte[]> lying = dockerFiles(List.of(new Img(List.of(good), List.of("hostile:1"))));
        lying.put(goodPath, evil);
        refused(tar(lying), "invalid archive: " + goodPath + ": unexpected digest " + Digest.of(evil) + ", expected " + Digest.of(good));

        Map<String, byte[]> missing = dockerFiles(List.of(new Img(List.of(good), List.of("hostile:1"))));
        missing.remove(goodPath);
        refused(tar(missing), "invalid archive: " + goodPath + " named in manifest.json is missing");

        Map<String, byte[]> escaping = dockerFiles(List.of(new Img(List.of(good), List.of("hostile:1"))));
        escaping.put("manifest.json", new String(escaping.get("manifest.json")).replace(goodPath, "../../etc/passwd").getBytes());
        refused(tar(escaping), "invalid archive: path \"../../etc/passwd\" is outside of the archive");

        Map<String, byte[]> malformed = dockerFiles(List.of(new Img(List.of(good), List.of("hostile:1"))));
        malformed.put("manifest.json", "[{\"Config\":".getBytes());
        refused(tar(malformed), "invalid archive: failed to decode manifest.json: ");

        refused(new TarBuilder().file("../evil", "x").bytes(), "invalid archive: entry \"../evil\" is outside of the archive");
        refused(new TarBuilder().file("hello", "x").bytes(), "invalid archive: does not contain a manifest.json or an OCI index.json");

        // the second image's layer is bad: the first image's good layer must not stay either
        Map<String, byte[]> second = dockerFiles(List.of(new Img(List.of(layer("first", "1")), List.of("first:1")),
                new Img(List.of(good), List.of("second:1"))));
        second.remove(goodPath);
        second.put("blobs/sha256/" + Digest.of(evil).hex(), evil);
        second.put("manifest.json", new String(second.get("manifest.json")).replace(Digest.of(good).hex(), Digest.of(evil).hex()).getBytes());
        refused(tar(second), "invalid diffID for layer 0");

        assertEquals(before, stored());
        assertEquals(1, store.all().size());
    }

    private void refused(byte[] archive, String messageStart) {
        var e = assertThrows(BerthException.InvalidArgument.class, () -> loadBytes(archive, false));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }

    // ---------------------------------------------------------------- building archives

    private record Img(List<byte[]> layers, List<String> tags) {}

    /** The files of a Docker archive (dockerd 25+ layout) of these images. */
    private static Map<String, byte[]> dockerFiles(List<Img> imgs) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        ArrayNode manifest = Json.arr();
        for (Img img : imgs) {
            ObjectNode config = Json.obj().put("architecture", "amd64").put("os", "linux");
            config.putObject("config").putArray("Cmd").add("sh");
            ArrayNode diffs = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
            ObjectNode entry = manifest.addObject();
            ArrayNode layerPaths = Json.arr();
            for (byte[] l : img.layers()) {
                Digest d = Digest.of(l);
                diffs.add(d.toString());
                files.put("blobs/sha256/" + d.hex(), l);
                layerPaths.add("blobs/sha256/" + d.hex());
            }
            byte[] cfg = Json.bytes(config);
            files.put("blobs/sha256/" + Digest.of(cfg).hex(), cfg);
            entry.put("Config", "blobs/sha256/" + Digest.of(cfg).hex());
            ArrayNode tags = entry.putArray("RepoTags");
            img.tags().forEach(tags::add);
            entry.set("Layers", layerPaths);
        }
        files.put("manifest.json", Json.bytes(manifest));
        return files;
    }

    private static byte[] dockerArchive(List<Img> imgs) { return tar(dockerFiles(imgs)); }

    private static byte[] tar(Map<String, byte[]> files) {
        TarBuilder t = new TarBuilder();
        files.forEach(t::file);
        return t.bytes();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
