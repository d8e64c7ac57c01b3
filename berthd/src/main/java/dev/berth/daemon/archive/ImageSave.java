package dev.berth.daemon.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.archive.ArchiveJson.Blob;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.events.EventBus;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.image.ImageStore;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code GET /images/{name}/get} and {@code GET /images/get?names=…}: one tar holding the
 * images both as a Docker archive ({@code manifest.json}, {@code repositories}) and as an OCI
 * image layout ({@code oci-layout}, {@code index.json}), sharing {@code blobs/sha256/}, as
 * dockerd 25+ writes it. Layers are the stored uncompressed tars (so their digest is the
 * diffID), each written once however many images share it.
 *
 * <p>Names select as dockerd selects: {@code busybox:1} one tag, {@code busybox} every tag of
 * the repository, an ID or a digest reference the image without tags.
 *
 * <p>Not written: the legacy per-layer v1 JSON blobs dockerd still adds; no reader needs them.
 */
public final class ImageSave {
    private final ContentStore content;
    private final ImageStore store;
    private final EventBus events;

    public ImageSave(ContentStore content, ImageStore store, EventBus events) {
        this.content = content;
        this.store = store;
        this.events = events;
    }

    /**
     * Resolves the names (404 "No such image" for an unknown one, 400 for a malformed one) and
     * opens every blob, so the archive can be written whole even if the images are removed
     * meanwhile. Close the result.
     */
    public Archive prepare(List<String> names) throws IOException {
        if (names.isEmpty()) throw BerthException.invalid("no image names given: pass names=IMAGE");
        Map<Digest, List<ImageRef>> selected = select(names);
        Archive a = new Archive();
        try {
            for (Map.Entry<Digest, List<ImageRef>> e : selected.entrySet()) {
                Image img = store.get(e.getKey());
                if (img == null) throw BerthException.notFound("No such image: " + e.getKey()); // removed meanwhile
                a.add(img, e.getValue());
            }
            a.finishDocuments();
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /** Image ID → tags to record for it, in the order the names were given. */
    private Map<Digest, List<ImageRef>> select(List<String> names) {
        Map<Digest, List<ImageRef>> out = new LinkedHashMap<>();
        for (String name : names) {
            if (name.matches("(sha256:)?[a-f0-9]{64}")) {
                Image img = store.get(new Digest(name.substring(name.length() - 64)));
                if (img == null) throw BerthException.notFound("No such image: " + name);
                add(out, img.id(), null);
            } else if (name.startsWith("sha256:")) {
                add(out, store.resolve(name).id(), null);
            } else {
                ImageRef ref = ImageRef.parse(name);
                boolean nameOnly = ref.digest() == null && name.lastIndexOf(':') <= name.lastIndexOf('/');
                if (nameOnly) {
                    if (!addRepository(out, ref.repository())) {
                        // No tag in that repository: maybe a short image ID ("3f57d9401f8d").
                        Image img = store.tryResolve(name);
                        if (img == null) throw BerthException.notFound("No such image: " + ref.familiarRepository());
                        add(out, img.id(), null);
                    }
                } else {
                    Digest id = store.byRef(ref);
                    if (id == null || store.get(id) == null) throw BerthException.notFound("No such image: " + ref.familiar());
                    add(out, id, ref.digest() == null ? ref : null);
                }
            }
        }
        return out;
    }

    /** Every image with a reference in {@code repository}; tags recorded, digest references not. */
    private boolean addRepository(Map<Digest, List<ImageRef>> out, String repository) {
        boolean any = false;
        for (Image img : store.all()) {
            for (ImageRef r : store.refsOf(img.id())) {
                if (!r.repository().equals(repository)) continue;
                add(out, img.id(), r.digest() == null ? r : null);
                any = true;
            }
        }
        return any;
    }

    private static void add(Map<Digest, List<ImageRef>> out, Digest id, ImageRef tag) {
        List<ImageRef> tags = out.computeIfAbsent(id, k -> new ArrayList<>());
        if (tag != null && !tags.contains(tag)) tags.add(tag);
    }

    /** Event attributes as dockerd sets them for image events: the image's labels and a name. */
    static Map<String, String> eventAttributes(Image img) {
        Map<String, String> attrs = new TreeMap<>();
        JsonNode labels = img.containerConfig().path("Labels");
        if (labels.isObject()) labels.properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
        attrs.put("name", img.id().toString());
        return attrs;
    }

    /** A blob to write: bytes in memory (configs, manifests) or an open content-store file (layers). */
    private record Source(byte[] bytes, FileChannel file, long size, Instant mtime) {}

    /** The archive of the selected images, with every blob open; {@link #writeTo} streams it. */
    public final class Archive implements Closeable {
        private final List<Image> images = new ArrayList<>();
        private final TreeMap<String, Source> blobs = new TreeMap<>();
        private final List<ArchiveJson.DockerEntry> dockerEntries = new ArrayList<>();
        private final List<ArchiveJson.IndexEntry> indexEntries = new ArrayList<>();
        private final Map<String, Map<String, String>> repositories = new TreeMap<>();
        private byte[] manifestJson;
        private byte[] indexJson;

        private Archive() {}

        private void add(Image img, List<ImageRef> tags) throws IOException {
            byte[] config = content.read(img.id());
            Instant created = ImageService.createdTime(img);
            blobs.put(img.id().hex(), new Source(config, null, config.length, created));
            List<Blob> layers = new ArrayList<>();
            for (Digest diffId : img.diffIds()) {
                Source s = blobs.get(diffId.hex());
                if (s == null) {
                    FileChannel ch;
                    try {
                        ch = FileChannel.open(content.path(diffId), StandardOpenOption.READ);
                    } catch (NoSuchFileException e) {
                        throw BerthException.internal("layer " + diffId + " of image " + img.id() + " is missing from the content store", e);
                    }
                    s = new Source(null, ch, ch.size(), created);
                    blobs.put(diffId.hex(), s);
                }
                layers.add(new Blob(diffId, s.size()));
            }
            byte[] manifest = ArchiveJson.ociManifest(new Blob(img.id(), config.length), layers);
            Blob manifestBlob = new Blob(Digest.of(manifest), manifest.length);
            blobs.put(manifestBlob.digest().hex(), new Source(manifest, null, manifest.length, Instant.EPOCH));

            List<String> repoTags = new ArrayList<>();
            for (ImageRef tag : tags) {
                repoTags.add(tag.familiar());
                indexEntries.add(new ArchiveJson.IndexEntry(manifestBlob, tag));
                if (!layers.isEmpty()) {
                    repositories.computeIfAbsent(tag.familiarRepository(), k -> new TreeMap<>()).put(tag.tag(), layers.getLast().digest().hex());
                }
            }
            if (tags.isEmpty()) indexEntries.add(new ArchiveJson.IndexEntry(manifestBlob, null));
            dockerEntries.add(new ArchiveJson.DockerEntry(img.id(), repoTags, layers));
            images.add(img);
        }

        private void finishDocuments() {
            manifestJson = ArchiveJson.dockerManifest(dockerEntries);
            indexJson = ArchiveJson.index(indexEntries);
        }

        /**
         * Writes the tar to {@code out} in the order Go's directory walk gives dockerd (blobs
         * sorted, then index.json, manifest.json, oci-layout, repositories) and publishes a
         * {@code save} event per image. {@code out} is flushed, not closed: a caller that closes
         * it after a failure would make a cut-off archive look complete.
         */
        public void writeTo(OutputStream out) throws IOException {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(buffered);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            directory(tar, "blobs/");
            directory(tar, "blobs/sha256/");
            for (Map.Entry<String, Source> b : blobs.entrySet()) {
                Source s = b.getValue();
                TarArchiveEntry e = file("blobs/sha256/" + b.getKey(), s.size(), s.mtime());
                tar.putArchiveEntry(e);
                if (s.bytes() != null) {
                    tar.write(s.bytes());
                } else {
                    copy(s.file(), s.size(), tar);
                }
                tar.closeArchiveEntry();
            }
            whole(tar, ArchiveJson.INDEX, indexJson);
            whole(tar, ArchiveJson.MANIFEST, manifestJson);
            whole(tar, ArchiveJson.OCI_LAYOUT, ArchiveJson.OCI_LAYOUT_BYTES);
            if (!repositories.isEmpty()) whole(tar, ArchiveJson.REPOSITORIES, ArchiveJson.repositories(repositories));
            tar.finish();
            buffered.flush();
            for (Image img : images) events.publish("image", "save", img.id().toString(), eventAttributes(img));
        }

        private static void copy(FileChannel ch, long size, OutputStream out) throws IOException {
            ch.position(0);
            InputStream in = Channels.newInputStream(ch);
            byte[] buf = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException("layer file shorter than its " + size + " bytes");
                out.write(buf, 0, n);
                left -= n;
            }
        }

        private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(040755);
            e.setModTime(0);
            e.setIds(0, 0);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        }

        private static TarArchiveEntry file(String name, long size, Instant mtime) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(0100644);
            e.setSize(size);
            e.setModTime(java.nio.file.attribute.FileTime.from(mtime));
            e.setIds(0, 0);
            return e;
        }

        private static void whole(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
            tar.putArchiveEntry(file(name, data.length, Instant.EPOCH));
            tar.write(data);
            tar.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Source s : blobs.values()) {
                if (s.file() == null) continue;
                try {
                    s.file().close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
            if (first != null) throw first;
        }
    }
}
