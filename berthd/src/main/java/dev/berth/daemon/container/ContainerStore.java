package dev.berth.daemon.container;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Containers on disk: one directory each under {@code containers/}, created as
 * {@code <id>.creating} and renamed when complete; the record file is rewritten atomically.
 * Holds the name index (names are unique, Docker's rule).
 */
public final class ContainerStore {
    private static final Logger LOG = Logger.getLogger(ContainerStore.class.getName());
    private final Path root;
    private final Map<String, ContainerRecord> byId = new LinkedHashMap<>();
    private final Map<String, String> idByName = new LinkedHashMap<>();

    public ContainerStore(Path dataRoot) throws IOException {
        this.root = dataRoot.resolve("containers");
        Files.createDirectories(root);
        load();
    }

    private void load() throws IOException {
        try (var s = Files.list(root)) {
            for (Path dir : (Iterable<Path>) s::iterator) {
                String n = dir.getFileName().toString();
                if (n.endsWith(".creating") || n.endsWith(".removing")) {
                    AtomicFiles.deleteTree(dir); // never completed: not a container
                    continue;
                }
                Path f = dir.resolve("container.json");
                if (!Files.exists(f)) continue;
                try {
                    ContainerRecord r = Json.MAPPER.readValue(f.toFile(), ContainerRecord.class);
                    byId.put(r.id, r);
                    idByName.put(r.name, r.id);
                } catch (IOException e) {
                    LOG.warning("skipping unreadable container record " + f + ": " + e.getMessage());
                }
            }
        }
    }

    public Path dir(String id) { return root.resolve(id); }

    /** Creates the container directory and first record atomically; reserves the name. */
    public synchronized void create(ContainerRecord r) throws IOException {
        String owner = idByName.get(r.name);
        if (owner != null) throw nameConflict(r.name, owner);
        Path tmp = root.resolve(r.id + ".creating");
        Files.createDirectories(tmp);
        Files.write(tmp.resolve("container.json"), Json.bytes(r));
        Files.move(tmp, dir(r.id), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDir(root);
        byId.put(r.id, r);
        idByName.put(r.name, r.id);
    }

    static BerthException nameConflict(String name, String ownerId) {
        return BerthException.conflict("Conflict. The container name \"" + name + "\" is already in use by container \""
                + ownerId + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    public void save(ContainerRecord r) throws IOException {
        byte[] bytes;
        synchronized (r) { bytes = Json.bytes(r); }
        synchronized (this) {
            if (!byId.containsKey(r.id)) return; // removed meanwhile
            AtomicFiles.write(dir(r.id).resolve("container.json"), bytes);
        }
    }

    public synchronized void rename(ContainerRecord r, String newName) throws IOException {
        String owner = idByName.get(newName);
        if (owner != null) throw nameConflict(newName, owner);
        idByName.remove(r.name);
        idByName.put(newName, r.id);
        synchronized (r) { r.name = newName; }
        save(r);
    }

    /** Forgets a container and deletes its directory (renamed first, so a crash cannot leave half). */
    public void delete(ContainerRecord r) throws IOException {
        synchronized (this) {
            byId.remove(r.id);
            idByName.remove(r.name);
        }
        Path doomed = root.resolve(r.id + ".removing");
        if (Files.exists(dir(r.id))) Files.move(dir(r.id), doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.deleteTree(doomed);
    }

    public synchronized Collection<ContainerRecord> all() { return new ArrayList<>(byId.values()); }

    /** Full ID, name (with or without slash) or unique ID prefix; 404 "No such container: x". */
    public synchronized ContainerRecord resolve(String ref) {
        ContainerRecord r = tryResolve(ref);
        if (r == null) throw BerthException.notFound("No such container: " + ref);
        return r;
    }

    public synchronized ContainerRecord tryResolve(String ref) {
        if (ref == null || ref.isEmpty()) return null;
        ContainerRecord r = byId.get(ref);
        if (r != null) return r;
        String byName = idByName.get(ref.startsWith("/") ? ref : "/" + ref);
        if (byName != null) return byId.get(byName);
        List<ContainerRecord> matches = new ArrayList<>();
        for (ContainerRecord c : byId.values()) if (c.id.startsWith(ref)) matches.add(c);
        if (matches.size() > 1) throw BerthException.invalid("multiple IDs found with provided prefix: " + ref);
        return matches.isEmpty() ? null : matches.getFirst();
    }

    public synchronized boolean nameTaken(String name) { return idByName.containsKey(name); }
}
