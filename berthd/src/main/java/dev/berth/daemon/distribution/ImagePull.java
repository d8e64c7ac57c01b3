package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.util.Ids;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * {@code POST /images/create?fromImage=}: resolves the manifest (index → platform → manifest),
 * verifies every byte against its digest (manifest, config, each compressed layer while it
 * streams, each layer's diffID after decompression), downloads and unpacks layers in parallel
 * into temp dirs and publishes them only when verified, then registers and tags the image.
 */
public final class ImagePull {
    private final ContentStore content;
    private final LayerStore layers;
    private final ImageService images;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ImagePull.class.getName());
    private final Registries registries;
    /** Layers being fetched now, by chain ID: a concurrent pull of the same layer waits for it. */
    private final ConcurrentHashMap<Digest, CompletableFuture<Void>> inflight = new ConcurrentHashMap<>();

    public ImagePull(ContentStore content, LayerStore layers, ImageService images, Registries registries) {
        this.content = content;
        this.layers = layers;
        this.images = images;
        this.registries = registries;
    }

    public Image pull(ImageRef ref, String platform, Progress progress, RegistryClient.Credentials credentials)
            throws IOException, InterruptedException {
        String os = "linux";
        String arch = "amd64";
        if (platform != null && !platform.isEmpty()) {
            String[] p = platform.split("/");
            os = p[0];
            if (p.length > 1) arch = p[1];
        }
        String repo = ref.path();
        String reference = ref.digest() != null ? ref.digest() : ref.tag();
        RegistryClient registry = null;
        RegistryClient.Manifest m = null;
        for (Registries.Endpoint endpoint : registries.pullEndpoints(ref.domain())) {
            try {
                registry = registries.client(endpoint, credentials);
                m = registry.manifest(repo, reference);
                break;
            } catch (BerthException | IOException e) {
                if (endpoint.mirror()) {
                    LOG.info(() -> "mirror " + endpoint.base() + " failed for " + ref.familiar() + ", trying the next endpoint: " + e.getMessage());
                    continue;
                }
                if (e instanceof BerthException.NotFound && e.getMessage().startsWith("manifest unknown")) {
                    throw BerthException.notFound("manifest for " + ref.familiar() + " not found: " + e.getMessage());
                }
                throw e;
            }
        }
        // The first progress line opens the stream: errors before it are plain HTTP errors.
        progress.status(ref.tag() != null ? ref.tag() : ref.digest(), "Pulling from " + ref.path());
        if (ref.digest() != null && !m.digest().toString().equals(ref.digest())) {
            throw BerthException.invalid("manifest verification failed for digest " + ref.digest());
        }
        Digest topDigest = m.digest();
        if (isIndex(m)) {
            content.put(m.bytes());
            JsonNode chosen = null;
            for (JsonNode e : m.json().path("manifests")) {
                JsonNode p = e.path("platform");
                if (p.path("os").asText().equals(os) && p.path("architecture").asText().equals(arch)) {
                    chosen = e;
                    break;
                }
            }
            if (chosen == null) throw BerthException.notFound("no matching manifest for " + os + "/" + arch + " in the manifest list entries");
            Digest want = Digest.parse(chosen.path("digest").asText());
            m = registry.manifest(repo, want.toString());
            if (!m.digest().equals(want)) throw BerthException.invalid("manifest verification failed for digest " + want);
        }
        if (!isManifest(m)) throw BerthException.invalid("unsupported manifest media type " + m.mediaType());

        Digest configDigest = Digest.parse(m.json().path("config").path("digest").asText());
        byte[] configBytes;
        try (InputStream in = registry.blob(repo, configDigest)) {
            configBytes = in.readNBytes(16 * 1024 * 1024);
        }
        if (!Digest.of(configBytes).equals(configDigest)) {
            throw BerthException.invalid("unexpected digest " + Digest.of(configBytes) + ", expected " + configDigest + " for the image config");
        }
        JsonNode config = dev.berth.daemon.util.Json.parse(configBytes);
        List<Digest> diffIds = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(Digest.parse(d.asText())));
        JsonNode layerDescs = m.json().path("layers");
        if (layerDescs.size() != diffIds.size()) {
            throw BerthException.invalid("manifest has " + layerDescs.size() + " layers but the config has " + diffIds.size() + " diff IDs");
        }

        List<Digest> chains = new ArrayList<>();
        Digest parent = null;
        for (Digest d : diffIds) chains.add(parent = LayerStore.chainId(parent, d));
        List<Future<?>> tasks = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < diffIds.size(); i++) {
                JsonNode desc = layerDescs.get(i);
                Digest blob = Digest.parse(desc.path("digest").asText());
                String id = Ids.shortId(blob.hex());
                if (layers.exists(chains.get(i))) {
                    progress.status(id, "Already exists");
                    continue;
                }
                progress.status(id, "Pulling fs layer");
                Digest diffId = diffIds.get(i);
                Digest chain = chains.get(i);
                RegistryClient from = registry;
                tasks.add(pool.submit(() -> {
                    pullLayer(from, ref, desc, blob, diffId, chain, id, progress);
                    return null;
                }));
            }
            // every layer is waited for, so none is still being written when the pull fails
            Exception failure = null;
            for (Future<?> f : tasks) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) failure = e.getCause() instanceof Exception x ? x : new IOException(e.getCause());
                }
            }
            if (failure instanceof BerthException be) throw be;
            if (failure instanceof IOException io) throw io;
            if (failure != null) throw new IOException(failure);
        }
        Digest stored = content.put(configBytes);
        content.put(m.bytes());
        Image img = images.store().add(stored);
        if (ref.tag() != null) images.tag(img, ref);
        ImageRef digestRef = new ImageRef(ref.domain(), ref.path(), null, topDigest.toString());
        images.store().tag(digestRef, img.id());
        progress.status("Digest: " + topDigest);
        progress.status("Status: Downloaded newer image for " + ref.familiar());
        return img;
    }

    /** {@code POST /auth}: validates credentials with the registry at {@code serverAddress}. */
    public void login(String serverAddress, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        String host = serverAddress == null || serverAddress.isBlank() ? ImageRef.DEFAULT_DOMAIN
                : serverAddress.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) host = ImageRef.DEFAULT_DOMAIN;
        registries.client(host, credentials).login();
    }

    private record Fetched(Path temp, long size) {}

    /**
     * Fetches, verifies and publishes one layer. A layer another pull is already fetching is
     * waited for instead of fetched twice; if that pull fails, this one fetches it itself.
     * Published layers stay even when the image's pull fails, so pulling again resumes.
     */
    private void pullLayer(RegistryClient registry, ImageRef ref, JsonNode desc, Digest blob, Digest diffId, Digest chain, String id,
            Progress progress) throws IOException, InterruptedException {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> other;
        boolean waited = false;
        while ((other = inflight.putIfAbsent(chain, mine)) != null) {
            if (!waited) progress.status(id, "Waiting");
            waited = true;
            try {
                other.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // the other pull failed: try ourselves
            }
            if (layers.exists(chain)) {
                progress.status(id, "Download complete");
                progress.status(id, "Pull complete");
                return;
            }
        }
        try {
            Fetched fetched = fetchLayer(registry, ref.path(), desc, blob, diffId, id, progress);
            layers.commit(fetched.temp(), chain, diffId, fetched.size());
            // verified: this blob decompresses to this diff ID, so a push may reuse it
            images.compressed().add(diffId, blob, desc.path("mediaType").asText(), desc.path("size").asLong(), ref.repository());
            progress.status(id, "Pull complete");
            inflight.remove(chain, mine); // before completing, so no waiter finds it again
            mine.complete(null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            inflight.remove(chain, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private Fetched fetchLayer(RegistryClient registry, String repo, JsonNode desc, Digest blob, Digest diffId, String id, Progress progress)
            throws IOException, InterruptedException {
        String type = desc.path("mediaType").asText();
        long size = desc.path("size").asLong(-1);
        Path temp = layers.newTemp();
        try (InputStream raw = registry.blob(repo, blob);
             ContentStore.Writer w = content.writer()) {
            MessageDigest compressed = Digest.sha256();
            InputStream counted = new CountingDigestStream(raw, compressed, n -> progress.bytes(id, "Downloading", n, size));
            InputStream tar = Compression.forLayer(type, counted);
            InputStream tee = new dev.berth.daemon.util.TeeInputStream(tar, w);
            LayerUnpacker.Result unpackedLayer = LayerUnpacker.unpack(tee, temp.resolve("diff"));
            tee.transferTo(OutputStream.nullOutputStream());
            counted.transferTo(OutputStream.nullOutputStream());
            Digest got = Digest.of(compressed);
            if (!got.equals(blob)) throw BerthException.invalid("unexpected digest " + got + ", expected " + blob + " for layer " + id);
            progress.status(id, "Verifying Checksum");
            progress.status(id, "Download complete");
            w.commit(diffId);
            return new Fetched(temp, unpackedLayer.bytes());
        } catch (IOException | RuntimeException e) {
            layers.discard(temp);
            if (e instanceof BerthException be) throw be;
            throw new BerthException.Unavailable("failed to pull layer " + id + ": " + e.getMessage());
        }
    }

    private static boolean isIndex(RegistryClient.Manifest m) {
        return m.mediaType().equals("application/vnd.oci.image.index.v1+json")
                || m.mediaType().equals("application/vnd.docker.distribution.manifest.list.v2+json")
                || (m.mediaType().isEmpty() && m.json().has("manifests"));
    }

    private static boolean isManifest(RegistryClient.Manifest m) {
        return m.mediaType().equals("application/vnd.oci.image.manifest.v1+json")
                || m.mediaType().equals("application/vnd.docker.distribution.manifest.v2+json")
                || (m.mediaType().isEmpty() && m.json().has("layers"));
    }

    /** Hashes and counts what passes through; reports progress at most every 512 KiB. */
    private static final class CountingDigestStream extends FilterInputStream {
        private final MessageDigest md;
        private final java.util.function.LongConsumer report;
        private long count;
        private long lastReport;

        CountingDigestStream(InputStream in, MessageDigest md, java.util.function.LongConsumer report) {
            super(in);
            this.md = md;
            this.report = report;
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                md.update(b, off, n);
                count += n;
                if (count - lastReport >= 512 * 1024) {
                    lastReport = count;
                    report.accept(count);
                }
            }
            return n;
        }
    }
}
