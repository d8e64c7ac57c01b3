package dev.berth.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What is known of a layer's compressed forms: per diff ID, the compressed blobs seen for it
 * (pulled or pushed) with their digest, size, media type and the repositories known to hold
 * them ({@code 127.0.0.1:5000/team/app}). Push uses it to skip compression and upload: a blob
 * the registry already has (HEAD) or can mount from another repository costs one request.
 * Kept in {@code images/compressed/<diffID hex>.json}, each file written atomically.
 */
public final class CompressedDigests {
    /** One compressed form of a layer and where it is known to be. */
    public record Blob(Digest digest, String mediaType, long size, List<String> repositories) {}

    private final Path dir;

    public CompressedDigests(Path dataRoot) throws IOException {
        this.dir = dataRoot.resolve("images/compressed");
        Files.createDirectories(dir);
    }

    public synchronized List<Blob> get(Digest diffId) {
        List<Blob> out = new ArrayList<>();
        Path f = dir.resolve(diffId.hex() + ".json");
        if (!Files.exists(f)) return out;
        try {
            for (JsonNode b : Json.MAPPER.readTree(f.toFile()).path("blobs")) {
                List<String> repos = new ArrayList<>();
                b.path("repositories").forEach(r -> repos.add(r.asText()));
                out.add(new Blob(Digest.parse(b.path("digest").asText()), b.path("mediaType").asText(), b.path("size").asLong(), repos));
            }
        } catch (IOException | RuntimeException e) {
            // a damaged memo only costs a recompression
        }
        return out;
    }

    /** Records that {@code repository} holds {@code blob}, the compressed form of {@code diffId}. */
    public synchronized void add(Digest diffId, Digest blob, String mediaType, long size, String repository) throws IOException {
        List<Blob> blobs = get(diffId);
        ObjectNode root = Json.obj();
        ArrayNode arr = root.putArray("blobs");
        boolean found = false;
        for (Blob b : blobs) {
            Set<String> repos = new LinkedHashSet<>(b.repositories());
            if (b.digest().equals(blob)) {
                found = true;
                if (!repos.add(repository)) return; // already known
            }
            write(arr, b.digest(), b.mediaType(), b.size(), repos);
        }
        if (!found) write(arr, blob, mediaType, size, Set.of(repository));
        AtomicFiles.write(dir.resolve(diffId.hex() + ".json"), Json.bytes(root));
    }

    /** Forgets a repository that turned out not to hold the blob (a HEAD said 404). */
    public synchronized void forget(Digest diffId, Digest blob, String repository) throws IOException {
        List<Blob> blobs = get(diffId);
        ObjectNode root = Json.obj();
        ArrayNode arr = root.putArray("blobs");
        for (Blob b : blobs) {
            Set<String> repos = new LinkedHashSet<>(b.repositories());
            if (b.digest().equals(blob)) repos.remove(repository);
            write(arr, b.digest(), b.mediaType(), b.size(), repos);
        }
        AtomicFiles.write(dir.resolve(diffId.hex() + ".json"), Json.bytes(root));
    }

    /** Drops what is known of a layer that is no longer stored. */
    public synchronized void remove(Digest diffId) throws IOException {
        Files.deleteIfExists(dir.resolve(diffId.hex() + ".json"));
    }

    private static void write(ArrayNode arr, Digest digest, String mediaType, long size, Set<String> repos) {
        ObjectNode o = arr.addObject().put("digest", digest.toString()).put("mediaType", mediaType).put("size", size);
        ArrayNode r = o.putArray("repositories");
        repos.forEach(r::add);
    }
}
