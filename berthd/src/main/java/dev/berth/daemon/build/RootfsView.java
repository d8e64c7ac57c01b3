package dev.berth.daemon.build;

import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.os.Mounts;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * An image's merged file system, read-only, for the builder to look into (COPY destinations,
 * {@code --chown} names, {@code COPY --from} sources): an overlayfs of its layers without an
 * upper dir, its single layer directory as it is, or an empty directory. Never written to.
 */
final class RootfsView implements AutoCloseable {
    private final Path root;
    private final Path mount; // non-null when mounted (or an empty dir was made) by us

    private RootfsView(Path root, Path mount) {
        this.root = root;
        this.mount = mount;
    }

    static RootfsView of(Image img, LayerStore layers, Path tmp) throws IOException {
        List<Path> dirs = img == null ? List.of() : layers.diffDirs(img);
        if (dirs.size() == 1) return new RootfsView(dirs.getFirst(), null);
        Path dir = tmp.resolve("view-" + UUID.randomUUID());
        Files.createDirectories(dir);
        if (dirs.isEmpty()) return new RootfsView(dir, dir);
        List<String> lowers = dirs.stream().map(Path::toString).toList();
        try {
            Posix.mount("overlay", dir.toString(), "overlay", Posix.MS_RDONLY, "lowerdir=" + String.join(":", lowers));
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
        return new RootfsView(dir, dir);
    }

    Path root() { return root; }

    /** Unmounts and deletes what a crashed daemon left under {@code tmp}. */
    static void cleanStale(Path tmp) throws IOException {
        for (String m : Mounts.under(tmp)) Posix.umount(m, Posix.MNT_DETACH);
        if (Files.isDirectory(tmp)) {
            try (var s = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) s::iterator) AtomicFiles.deleteTree(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (mount == null) return;
        if (Mounts.isMounted(mount)) Posix.umount(mount.toString(), Posix.MNT_DETACH);
        Files.deleteIfExists(mount);
    }
}
