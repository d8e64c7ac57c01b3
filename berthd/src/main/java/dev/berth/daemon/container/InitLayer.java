package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.os.NodeMeta;
import dev.berth.daemon.os.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Docker's "init layer": a read-only layer between the image and the container's upper dir
 * holding the mount points the runtime needs ({@code /proc}, {@code /dev}, {@code /sys},
 * {@code /etc/hosts}, {@code /etc/hostname}, {@code /etc/resolv.conf}) when the image lacks
 * them. Without it runc would create them in the upper dir, and every {@code diff}, commit and
 * build step would show them as changes. Directories it must create on the way (an image with
 * {@code /etc} but no {@code /etc/hosts}) copy the image's own metadata, so the merged view is
 * unchanged.
 */
final class InitLayer {
    private static final List<String> DIRS = List.of("proc", "dev", "sys");
    private static final List<String> FILES = List.of("etc/hosts", "etc/hostname", "etc/resolv.conf");

    private InitLayer() {}

    /** Fills {@code init} (an empty directory) for an image with these layer dirs, top first. */
    static void create(Path init, List<Path> lowersTopFirst) throws IOException {
        for (String d : DIRS) {
            if (find(lowersTopFirst, d) != null) continue;
            Path p = init.resolve(d);
            Files.createDirectories(p);
            Posix.chmod(p.toString(), 0755);
        }
        for (String f : FILES) {
            if (find(lowersTopFirst, f) != null) continue;
            Path parentInImage = find(lowersTopFirst, "etc");
            if (parentInImage != null && !Files.isDirectory(parentInImage, NOFOLLOW_LINKS)) continue; // /etc is a file or link: leave it
            Path dir = init.resolve("etc");
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                if (parentInImage != null) NodeMeta.copy(parentInImage, dir);
                else Posix.chmod(dir.toString(), 0755);
            }
            Path file = init.resolve(f);
            Files.createFile(file);
            Posix.chmod(file.toString(), 0644);
        }
        // directory times last: creating children changed them
        Path etc = init.resolve("etc");
        Path etcInImage = find(lowersTopFirst, "etc");
        if (Files.isDirectory(etc) && etcInImage != null) NodeMeta.copy(etcInImage, etc);
    }

    /** The path in the topmost layer that has it, or null when absent or deleted by a whiteout. */
    private static Path find(List<Path> lowersTopFirst, String rel) throws IOException {
        for (Path layer : lowersTopFirst) {
            Path p = layer.resolve(rel);
            if (!Files.exists(p, NOFOLLOW_LINKS)) continue;
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev", NOFOLLOW_LINKS);
            boolean whiteout = ((Integer) a.get("mode") & 0170000) == Posix.S_IFCHR && (Long) a.get("rdev") == 0;
            return whiteout ? null : p;
        }
        return null;
    }
}
