package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.content.ParallelGzip;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.CompressedDigests;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.util.CountingInputStream;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /images/{name}/push}: for each tag, each layer is HEAD-checked (or mounted from
 * another repository of the same registry) using what {@link CompressedDigests} remembers, and
 * only otherwise gzip-compressed on all cores while it uploads in chunks; then the config and a
 * Docker v2 schema 2 manifest. The compressed digest is remembered, so pushing the same layer
 * again costs one HEAD request. Up to five layers upload at once, as in dockerd.
 */
public final class ImagePush {
    static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    static final String CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
    static final String LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final int MAX_CONCURRENT_UPLOADS = 5;
    private static final int UPLOAD_CHUNK = 8 << 20;
    private static final int ATTEMPTS = 3;

    private final ImageService images;
    private final ContentStore content;
    private final CompressedDigests compressed;
    private final Registries registries;
    private final int gzipLevel;

    public ImagePush(ImageService images, Registries registries, int gzipLevel) {
        this.images = images;
        this.content = images.content();
        this.compressed = images.compressed();
        this.registries = registries;
        this.gzipLevel = gzipLevel;
    }

    /**
     * The references a push of {@code name} with query {@code tag} covers: that tag, the tag in
     * the name, or every tag of the repository. Checked before the progress stream starts, so an
     * unknown image is a plain 404 as in dockerd.
     */
    public List<ImageRef> targets(String name, String tag) {
        ImageRef ref = ImageRef.parse(name);
        if (ref.digest() != null) throw BerthException.invalid("cannot push a digest reference");
        boolean nameHasTag = name.lastIndexOf(':') > name.lastIndexOf('/');
        List<ImageRef> out = new ArrayList<>();
        if (tag != null && !tag.isEmpty()) {
            out.add(ImageRef.parse(ref.repository() + ":" + tag));
        } else if (nameHasTag) {
            out.add(ref);
        } else {
            for (String t : images.store().tagsOf(ref.repository())) out.add(ref.withTag(t));
        }
        out.removeIf(r -> images.store().byRef(r) == null);
        if (out.isEmpty()) {
            throw BerthException.notFound("An image does not exist locally with the tag: " + ref.familiarRepository());
        }
        return out;
    }

    public void push(List<ImageRef> refs, Progress progress, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        ImageRef first = refs.getFirst();
        RegistryClient registry = registries.client(first.domain(), credentials);
        progress.status("The push refers to repository [" + first.repository() + "]");
        for (ImageRef ref : refs) {
            Image img = images.store().get(images.store().byRef(ref));
            pushTag(registry, ref, img, progress);
            images.events().publish("image", "push", ref.familiar(), Map.of("name", ref.familiar()));
        }
    }

    private record Blob(Digest digest, long size) {}

    private void pushTag(RegistryClient registry, ImageRef ref, Image img, Progress progress) throws IOException, InterruptedException {
        String repo = ref.path();
        List<Digest> diffIds = img.diffIds();
        // dockerd lists layers top first; a diff ID that repeats (empty layers) is pushed once
        Map<Digest, Future<Blob>> uploads = new LinkedHashMap<>();
        Semaphore slots = new Semaphore(MAX_CONCURRENT_UPLOADS);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Digest> topFirst = new ArrayList<>(diffIds).reversed();
            for (Digest d : topFirst) if (!uploads.containsKey(d)) progress.status(Ids.shortId(d.hex()), "Preparing");
            int i = 0;
            for (Digest d : topFirst) {
                if (uploads.containsKey(d)) continue;
                if (i++ >= MAX_CONCURRENT_UPLOADS) progress.status(Ids.shortId(d.hex()), "Waiting");
                uploads.put(d, pool.submit(() -> {
                    slots.acquire();
                    try {
                        return pushLayerWithRetries(registry, ref, d, progress);
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<Blob> blobs = new ArrayList<>();
            for (Digest d : diffIds) blobs.add(await(uploads.get(d), uploads));

            Digest configId = img.id();
            byte[] config = content.read(configId);
            if (!registry.blobExists(repo, configId)) {
                RegistryClient.Upload u = registry.startUpload(repo, configId, null);
                registry.finishUpload(repo, u, configId, config, config.length);
            }
            byte[] manifest = manifest(configId, config.length, blobs);
            Digest local = Digest.of(manifest);
            Digest remote = registry.putManifest(repo, ref.tag(), MANIFEST_TYPE, manifest);
            if (!remote.equals(local)) {
                throw new BerthException.Unavailable("registry computed manifest digest " + remote + ", expected " + local);
            }
            content.put(manifest);
            images.store().addManifest(img.id(), local);
            images.store().tag(new ImageRef(ref.domain(), ref.path(), null, local.toString()), img.id());
            progress.status(ref.tag() + ": digest: " + local + " size: " + manifest.length);
            progress.aux(Json.obj().put("Tag", ref.tag()).put("Digest", local.toString()).put("Size", manifest.length));
        }
    }

    private static Blob await(Future<Blob> f, Map<Digest, Future<Blob>> all) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            all.values().forEach(o -> o.cancel(true));
            if (e.getCause() instanceof BerthException be) throw be;
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        }
    }

    /** dockerd retries a failed layer upload; auth and "not allowed" answers are final. */
    private Blob pushLayerWithRetries(RegistryClient registry, ImageRef ref, Digest diffId, Progress progress)
            throws IOException, InterruptedException {
        String id = Ids.shortId(diffId.hex());
        for (int attempt = 1; ; attempt++) {
            try {
                return pushLayer(registry, ref, diffId, id, progress);
            } catch (BerthException.Unavailable | IOException e) {
                if (attempt == ATTEMPTS) throw e;
                progress.status(id, "Retrying in " + attempt + " second" + (attempt == 1 ? "" : "s"));
                Thread.sleep(attempt * 1000L);
            }
        }
    }

    private Blob pushLayer(RegistryClient registry, ImageRef ref, Digest diffId, String id, Progress progress)
            throws IOException, InterruptedException {
        if (!content.exists(diffId)) throw BerthException.notFound("layer " + diffId + " does not exist locally");
        String repo = ref.path();
        String repository = ref.repository();
        RegistryClient.Upload session = null;
        for (CompressedDigests.Blob known : compressed.get(diffId)) {
            if (!known.mediaType().endsWith("gzip")) continue;
            if (known.repositories().contains(repository) || known.repositories().stream().noneMatch(r -> sameRegistry(r, ref))) {
                if (registry.blobExists(repo, known.digest())) {
                    compressed.add(diffId, known.digest(), LAYER_TYPE, known.size(), repository);
                    progress.status(id, "Layer already exists");
                    return new Blob(known.digest(), known.size());
                }
                if (known.repositories().contains(repository)) compressed.forget(diffId, known.digest(), repository);
            }
            for (String source : known.repositories()) {
                if (!sameRegistry(source, ref) || source.equals(repository)) continue;
                String from = source.substring(ref.domain().length() + 1);
                RegistryClient.Upload u = registry.startUpload(repo, known.digest(), from);
                if (u == null) {
                    compressed.add(diffId, known.digest(), LAYER_TYPE, known.size(), repository);
                    progress.status(id, "Mounted from " + from);
                    return new Blob(known.digest(), known.size());
                }
                session = u; // the registry could not mount: it opened an upload instead
            }
        }
        if (session == null) session = registry.startUpload(repo, diffId, null);
        Blob b = upload(registry, repo, session, diffId, id, progress);
        compressed.add(diffId, b.digest(), LAYER_TYPE, b.size(), repository);
        progress.status(id, "Pushed");
        return b;
    }

    private static boolean sameRegistry(String repository, ImageRef ref) {
        return repository.startsWith(ref.domain() + "/");
    }

    /** Compresses the layer on all cores and uploads it in chunks; the last goes with the PUT. */
    private Blob upload(RegistryClient registry, String repo, RegistryClient.Upload session, Digest diffId, String id, Progress progress)
            throws IOException, InterruptedException {
        long total = content.size(diffId);
        MessageDigest md = Digest.sha256();
        byte[] buf = new byte[UPLOAD_CHUNK];
        long offset = 0;
        try (InputStream tar = new CountingInputStream(Files.newInputStream(content.path(diffId)), null, n -> progress.bytes(id, "Pushing", n, total));
             ParallelGzip gz = new ParallelGzip(tar, gzipLevel)) {
            while (true) {
                int n = gz.readNBytes(buf, 0, buf.length);
                md.update(buf, 0, n);
                if (n < buf.length) {
                    Digest digest = Digest.of(md);
                    registry.finishUpload(repo, session, digest, buf, n);
                    return new Blob(digest, offset + n);
                }
                session = registry.uploadChunk(repo, session, buf, n, offset);
                offset += n;
            }
        }
    }

    static byte[] manifest(Digest config, long configSize, List<Blob> layers) {
        ObjectNode m = Json.obj();
        m.put("schemaVersion", 2);
        m.put("mediaType", MANIFEST_TYPE);
        m.putObject("config").put("mediaType", CONFIG_TYPE).put("size", configSize).put("digest", config.toString());
        ArrayNode ls = m.putArray("layers");
        for (Blob b : layers) ls.addObject().put("mediaType", LAYER_TYPE).put("size", b.size()).put("digest", b.digest().toString());
        return Json.bytes(m);
    }
}
