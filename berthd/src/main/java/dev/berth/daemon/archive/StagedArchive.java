package dev.berth.daemon.archive;

import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image archive read once from its stream into a scratch directory, so the loader can look at
 * it in any order ({@code docker save} writes manifest.json after the blobs it names).
 *
 * <p>The archive is untrusted. Regular files are written under numbered names, never under
 * their archive paths, so no entry name can reach outside the directory; each is hashed while
 * it is written. Symlinks and hardlinks are kept as data and resolved inside the archive, the
 * way moby's loader follows symlinks "in scope" (legacy archives link {@code <id>/layer.tar} to
 * a layer shared with another image): absolute targets start at the archive root and ".."
 * stops there. Names and link targets that climb out of the archive are refused as moby's
 * untar refuses them; devices and fifos are ignored.
 */
final class StagedArchive {
    /** A regular file of the archive: its normalized name, where it is staged, its sha256 and size. */
    record StagedFile(String name, Path path, Digest digest, long size) {}

    private static final int MAX_LINK_HOPS = 255;

    private final Path dir;
    private final Map<String, StagedFile> files = new HashMap<>();
    /** Link name → target: "/x/y" from the archive root, or relative to the link's directory. */
    private final Map<String, String> links = new HashMap<>();
    private long entries;
    private int counter;

    private StagedArchive(Path dir) {
        this.dir = dir;
    }

    /**
     * Reads the whole tar stream {@code in} into {@code dir} (existing and empty; the caller
     * deletes it). Malformed tar data and escaping names are a 400 {@code invalid archive: …};
     * failures to write the scratch files are plain IOExceptions.
     */
    static StagedArchive read(InputStream in, Path dir) throws IOException {
        StagedArchive a = new StagedArchive(dir);
        a.readAll(in);
        return a;
    }

    long entries() { return entries; }

    private void readAll(InputStream in) throws IOException {
        // Not closed: the caller owns the stream.
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        byte[] buf = new byte[65536];
        while (true) {
            TarArchiveEntry e;
            try {
                e = tar.getNextEntry();
            } catch (IOException | RuntimeException bad) {
                throw BerthException.invalid("invalid archive: " + bad.getMessage());
            }
            if (e == null) return;
            entries++;
            String name = e.getName();
            List<String> parts = components(name);
            if (parts == null) throw BerthException.invalid("invalid archive: entry \"" + name + "\" is outside of the archive");
            String path = String.join("/", parts);
            if (path.isEmpty()) continue;
            files.remove(path);
            links.remove(path);
            if (e.isSymbolicLink()) {
                String target = e.getLinkName();
                String parent = parts.size() > 1 ? String.join("/", parts.subList(0, parts.size() - 1)) + "/" : "";
                if (target.isEmpty() || !target.startsWith("/") && components(parent + target) == null) {
                    throw BerthException.invalid("invalid archive: invalid symlink \"" + name + "\" -> \"" + target + "\"");
                }
                links.put(path, target);
            } else if (e.isLink()) {
                List<String> target = components(e.getLinkName());
                if (target == null || target.isEmpty()) {
                    throw BerthException.invalid("invalid archive: invalid hardlink \"" + name + "\" -> \"" + e.getLinkName() + "\"");
                }
                links.put(path, "/" + String.join("/", target));
            } else if (e.isFile()) {
                files.put(path, stage(path, tar, buf));
            }
            // directories need no record; devices, fifos and the like are not images' business
        }
    }

    private StagedFile stage(String name, InputStream data, byte[] buf) throws IOException {
        Path file = dir.resolve("f" + counter++);
        MessageDigest md = Digest.sha256();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                int n;
                try {
                    n = data.read(buf);
                } catch (IOException | RuntimeException bad) {
                    throw BerthException.invalid("invalid archive: reading \"" + name + "\": " + bad.getMessage());
                }
                if (n < 0) break;
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        }
        return new StagedFile(name, file, Digest.of(md), size);
    }

    /**
     * The regular file a path of the archive names, following symlinks and hardlinks inside the
     * archive, or null when there is none. A path that climbs out of the archive is refused.
     */
    StagedFile file(String path) {
        if (components(path) == null) throw BerthException.invalid("invalid archive: path \"" + path + "\" is outside of the archive");
        return files.get(resolve(path));
    }

    /** Lexical resolution from the archive root: links substituted, ".." clamped at the root. */
    String resolve(String path) {
        Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            done.add(c);
            String target = links.get(String.join("/", done));
            if (target == null) continue;
            if (++hops > MAX_LINK_HOPS) throw BerthException.invalid("invalid archive: too many levels of links in \"" + path + "\"");
            done.removeLast();
            if (target.startsWith("/")) done.clear();
            String[] t = target.split("/");
            for (int i = t.length - 1; i >= 0; i--) todo.addFirst(t[i]);
        }
        return String.join("/", done);
    }

    /**
     * Every regular file named {@code blobs/sha256/<hex>} must hash to that hex, whether or not
     * an image refers to it: a blob that lies about its digest makes the whole archive suspect.
     */
    void verifyBlobNames() {
        files.values().stream().sorted(java.util.Comparator.comparing(StagedFile::name)).forEach(f -> {
            Digest named = ArchiveJson.digestOfBlobPath(f.name());
            if (named != null && !named.equals(f.digest())) {
                throw BerthException.invalid("invalid archive: " + f.name() + ": unexpected digest " + f.digest() + ", expected " + named);
            }
        });
    }

    /** The bytes of a small file (JSON documents), refusing anything over {@code limit}. */
    static byte[] read(StagedFile f, long limit) throws IOException {
        if (f.size() > limit) throw BerthException.invalid("invalid archive: " + f.name() + " is too large (" + f.size() + " bytes)");
        return Files.readAllBytes(f.path());
    }

    /**
     * The components of an archive name once "", "." and ".." are resolved lexically
     * ("./a//b/../c" → [a, c]; "/" → []), or null if ".." climbs above the root.
     */
    static List<String> components(String name) {
        return dev.berth.api.PathNames.components(name);
    }
}
