package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.util.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code POST /images/create?fromImage=}: resolves the manifest (index → platform → manifest,
 * mirrors first for Docker Hub), verifies every byte against its digest (manifest, config, each
 * compressed layer while it streams, each layer's diffID after decompression), downloads and
 * unpacks layers in parallel into temp dirs ({@link LayerDownload}: transient failures retried,
 * resumed with Range). Each layer is published as soon as it is verified, so a layer another
 * pull is fetching is waited for rather than fetched twice, and a failed pull keeps its finished
 * layers for the next attempt; the index, config, manifest and tags are stored only when every
 * layer is there, so a failed pull leaves no image and nothing half-written. Like dockerd,
 * manifest and config fetches are not retried.
 */
public final class ImagePull {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ImagePull.class.getName());
    private final ContentStore content;
    private final LayerStore layers;
    private final ImageService images;
    private final Registries registries;
    private final RetryPolicy retry;
    /** Layers being fetched now, by chain ID: a concurrent pull of the same layer waits for it. */
    private final ConcurrentHashMap<Digest, CompletableFuture<Void>> inflight = new ConcurrentHashMap<>();

    /** @param retry layer download attempts and back-off */
    public ImagePull(ContentStore content, LayerStore layers, ImageService images, Registries registries, RetryPolicy retry) {
        this.content = content;
        this.layers = layers;
        this.images = images;
        this.registries = registries;
        this.retry = retry;
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
        byte[] index = null; // stored with the rest, only if the pull succeeds
        if (isIndex(m)) {
            index = m.bytes();
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

        if (!m.json().path("config").path("digest").isTextual() || !m.json().path("layers").isArray()) {
            throw BerthException.invalid("invalid manifest " + m.digest() + " for " + ref.familiar() + ": no config digest or layers");
        }
        Digest configDigest = Digest.parse(m.json().path("config").path("digest").asText());
        byte[] configBytes;
        try (InputStream in = registry.blob(repo, configDigest)) {
            configBytes = in.readNBytes(16 * 1024 * 1024);
        } catch (BerthException.NotFound e) {
            throw BerthException.notFound("error pulling image configuration: " + e.getMessage());
        } catch (BerthException.Unavailable e) {
            throw new BerthException.Unavailable("error pulling image configuration: " + e.getMessage());
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
        fetchLayers(registry, ref, layerDescs, diffIds, chains, progress);
        Digest indexDigest = index != null ? content.put(index) : null;
        Digest stored = content.put(configBytes);
        Digest manifestDigest = content.put(m.bytes());
        Image img = images.store().add(stored);
        images.store().addManifest(img.id(), manifestDigest);
        if (indexDigest != null) images.store().addManifest(img.id(), indexDigest);
        if (ref.tag() != null) images.tag(img, ref);
        ImageRef digestRef = new ImageRef(ref.domain(), ref.path(), null, topDigest.toString());
        images.store().tag(digestRef, img.id());
        progress.status("Digest: " + topDigest);
        progress.status("Status: Downloaded newer image for " + ref.familiar());
        return img;
    }

    /**
     * {@code POST /auth}: validates credentials with the registry at {@code serverAddress};
     * returns the identity token for the client to store instead of the password ("" if none).
     */
    public String login(String serverAddress, RegistryClient.Credentials credentials) throws IOException, InterruptedException {
        String host = serverAddress == null || serverAddress.isBlank() ? ImageRef.DEFAULT_DOMAIN
                : serverAddress.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) host = ImageRef.DEFAULT_DOMAIN;
        return registries.client(host, credentials).login();
    }

    /**
     * Downloads every missing layer on its own virtual thread and publishes each once verified.
     * At the first failure, interrupts the others, waits for them (their staged parts are
     * discarded) and throws that failure.
     */
    private void fetchLayers(RegistryClient registry, ImageRef ref, JsonNode layerDescs, List<Digest> diffIds,
            List<Digest> chains, Progress progress) throws IOException, InterruptedException {
        int n = diffIds.size();
        LayerDownload download = new LayerDownload(content, layers, registry, ref.path(), retry, progress);
        Throwable failure = null;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CompletionService<Void> done = new ExecutorCompletionService<>(pool);
            int running = 0;
            for (int i = 0; i < n; i++) {
                JsonNode desc = layerDescs.get(i);
                String id = Ids.shortId(Digest.parse(desc.path("digest").asText()).hex());
                if (layers.exists(chains.get(i))) {
                    progress.status(id, "Already exists");
                    continue;
                }
                progress.status(id, "Pulling fs layer");
                int index = i;
                done.submit(() -> {
                    pullLayer(download, ref, desc, diffIds.get(index), chains.get(index), id, progress);
                    return null;
                });
                running++;
            }
            for (; running > 0 && failure == null; running--) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            failure = e;
        } finally {
            if (failure != null) pool.shutdownNow();
            pool.close(); // waits: no download outlives the pull, so nothing is left to clean up later
        }
        if (failure == null) return;
        switch (failure) {
            case BerthException be -> throw be;
            case InterruptedException ie -> throw ie;
            case IOException io -> throw new BerthException.Unavailable("failed to pull layer: " + DownloadAttempts.describe(io));
            default -> throw new BerthException.Internal("pull failed: " + failure, failure);
        }
    }

    /**
     * Fetches, verifies and publishes one layer. A layer another pull is already fetching is
     * waited for instead of fetched twice; if that pull fails, this one fetches it itself.
     */
    private void pullLayer(LayerDownload download, ImageRef ref, JsonNode desc, Digest diffId, Digest chain, String id,
            Progress progress) throws IOException, InterruptedException {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> other;
        boolean waited = false;
        while ((other = inflight.putIfAbsent(chain, mine)) != null) {
            if (!waited) progress.status(id, "Waiting");
            waited = true;
            try {
                other.get();
            } catch (ExecutionException e) {
                // the other pull failed: try ourselves
            }
            if (layers.exists(chain)) {
                progress.status(id, "Download complete");
                progress.status(id, "Pull complete");
                return;
            }
        }
        try {
            long t0 = System.nanoTime();
            LayerDownload.Staged l = download.fetch(desc, diffId);
            long t1 = System.nanoTime();
            publish(l, chain, diffId);
            long t2 = System.nanoTime();
            LOG.fine(() -> "layer " + id + ": fetched, verified and unpacked in " + (t1 - t0) / 1_000_000 + " ms, published in "
                    + (t2 - t1) / 1_000_000 + " ms");
            // verified: this blob decompresses to this diff ID, so a push may reuse it
            images.compressed().add(diffId, Digest.parse(desc.path("digest").asText()), desc.path("mediaType").asText(),
                    desc.path("size").asLong(), ref.repository());
            progress.status(id, "Pull complete");
            inflight.remove(chain, mine); // before completing, so no waiter finds it again
            mine.complete(null);
        } catch (IOException | RuntimeException e) {
            inflight.remove(chain, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Stores the verified tar and renames the unpacked dir into place. This runs on a thread of
     * its own that nobody interrupts, and the puller waits for it even when interrupted (a failed
     * sibling layer interrupts the others): an interrupt landing between the two steps would
     * otherwise close a channel mid-write and leave the tar stored without its layer.
     */
    private void publish(LayerDownload.Staged l, Digest chain, Digest diffId) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("publish-" + chain.hex().substring(0, 12)).start(() -> {
            try {
                l.tar().commit(diffId);
                layers.commit(l.temp(), chain, diffId, l.size());
                done.complete(null);
            } catch (Throwable e) {
                l.discard(layers);
                done.completeExceptionally(e);
            }
        });
        try {
            done.join(); // uninterruptible: the interrupt stays set for the caller's next blocking step
        } catch (java.util.concurrent.CompletionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IOException(e.getCause());
            }
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
}
