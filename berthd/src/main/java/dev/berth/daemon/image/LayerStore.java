package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Unpacked layers ("snapshots"): each layer lives once under {@code layers/sha256/<chainID>/diff},
 * ready to be an overlayfs lower dir. A layer is unpacked into {@code layers/tmp/} and renamed
 * into place only when complete, so a half-unpacked layer is never visible.
 */
public final class LayerStore {
    private final Path root;
    private final Path tmp;

    public LayerStore(Path dataRoot) throws IOException {
        this.root = dataRoot.resolve("layers/sha256");
        this.tmp = dataRoot.resolve("layers/tmp");
        Files.createDirectories(root);
        Files.createDirectories(tmp);
        try (var s = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) s::iterator) AtomicFiles.deleteTree(p);
        }
    }

    /** The chain ID of a layer stacked on {@code parentChain} (OCI image spec). */
    public static Digest chainId(Digest parentChain, Digest diffId) {
        if (parentChain == null) return diffId;
        return Digest.of((parentChain + " " + diffId).getBytes(StandardCharsets.UTF_8));
    }

    public boolean exists(Digest chainId) { return Files.isDirectory(root.resolve(chainId.hex()).resolve("diff")); }

    public Path diffDir(Digest chainId) { return root.resolve(chainId.hex()).resolve("diff"); }

    /** The unpacked layers of an image, top layer first (overlayfs' lowerdir order). */
    public java.util.List<Path> diffDirs(Image img) {
        java.util.List<Digest> chains = img.chainIds();
        java.util.List<Path> out = new java.util.ArrayList<>();
        for (int i = chains.size() - 1; i >= 0; i--) out.add(diffDir(chains.get(i)));
        return out;
    }

    /** A fresh directory to unpack into; pass it to {@link #commit} or {@link #discard}. */
    public Path newTemp() throws IOException {
        Path dir = tmp.resolve(UUID.randomUUID().toString());
        Files.createDirectories(dir.resolve("diff"));
        return dir;
    }

    /** Publishes an unpacked temp layer under its chain ID (a no-op if it already exists). */
    public void commit(Path tempDir, Digest chainId, Digest diffId, long size) throws IOException {
        Path target = root.resolve(chainId.hex());
        if (Files.exists(target)) {
            discard(tempDir);
            return;
        }
        var meta = Json.obj().put("diffId", diffId.toString()).put("size", size);
        Files.write(tempDir.resolve("layer.json"), Json.bytes(meta));
        Files.move(tempDir, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDir(root);
    }

    public void discard(Path tempDir) throws IOException { AtomicFiles.deleteTree(tempDir); }

    public long size(Digest chainId) {
        try {
            JsonNode n = Json.MAPPER.readTree(root.resolve(chainId.hex()).resolve("layer.json").toFile());
            return n.path("size").asLong();
        } catch (IOException e) {
            return 0;
        }
    }

    public void delete(Digest chainId) throws IOException {
        Path dir = root.resolve(chainId.hex());
        if (!Files.exists(dir)) return;
        // Rename first so a crash mid-delete leaves only a tmp dir, removed at next start.
        Path doomed = tmp.resolve("deleted-" + chainId.hex());
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(doomed);
    }
}
