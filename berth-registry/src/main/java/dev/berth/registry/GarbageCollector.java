package dev.berth.registry;

import dev.berth.daemon.content.Digest;
import dev.berth.registry.storage.RegistryStorage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Mark and sweep over a storage nothing else writes to (the caller holds the writer lock):
 * marks every manifest revision of every repository (tagged or not, as distribution does
 * without --delete-untagged), and from each the config, layers, index children and subject;
 * sweeps every other blob, and repository links to blobs that are gone.
 */
public final class GarbageCollector {
    public record Result(int marked, int deleted, long bytesFreed) {}

    private final RegistryStorage storage;

    public GarbageCollector(RegistryStorage storage) { this.storage = storage; }

    public Result run(boolean dryRun) throws IOException {
        Set<Digest> marked = new HashSet<>();
        for (RepositoryName repo : storage.repositories()) {
            Deque<Digest> todo = new ArrayDeque<>(storage.manifests(repo));
            while (!todo.isEmpty()) {
                Digest d = todo.pop();
                if (!marked.add(d)) continue;
                Optional<String> type = storage.manifestMediaType(repo, d);
                Optional<byte[]> content = storage.readBlob(d);
                if (type.isEmpty() || content.isEmpty()) continue;
                Manifest m;
                try {
                    m = Manifest.parse(type.get(), content.get());
                } catch (RegistryException e) {
                    continue; // stored before validation was stricter: keep it, mark nothing more
                }
                for (Manifest.Descriptor b : m.blobs()) marked.add(b.digest());
                for (Manifest.Descriptor c : m.children()) todo.push(c.digest());
                if (m.subject() != null) todo.push(m.subject().digest());
            }
        }
        int deleted = 0;
        long freed = 0;
        for (Digest d : storage.blobs()) {
            if (marked.contains(d)) continue;
            freed += storage.statBlob(d).map(RegistryStorage.BlobInfo::size).orElse(0L);
            deleted++;
            if (!dryRun) storage.deleteBlob(d);
        }
        if (!dryRun) {
            for (RepositoryName repo : storage.repositories()) {
                for (Digest d : storage.linkedBlobs(repo)) {
                    if (!marked.contains(d)) storage.unlinkBlob(repo, d);
                }
            }
        }
        return new Result(marked.size(), deleted, freed);
    }

    /** Runs with the storage's writer lock; refuses while a read-write server holds it. */
    public static Result collect(java.nio.file.Path root, boolean dryRun) throws IOException {
        try (StorageLock lock = StorageLock.tryAcquire(root)) {
            if (lock == null) {
                throw new IllegalStateException("a read-write berth-registry is using " + root
                        + ": stop it (or restart it with \"readOnly\": true) before gc");
            }
            return new GarbageCollector(new dev.berth.registry.storage.FsRegistryStorage(root)).run(dryRun);
        }
    }
}
