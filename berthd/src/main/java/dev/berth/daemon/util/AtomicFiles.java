package dev.berth.daemon.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe small-file writes: write a temp file beside the target, fsync it, rename over the
 * target, fsync the directory. A reader (or a restarted daemon) sees the old or the new file,
 * never a half-written one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path target, byte[] data) throws IOException {
        write(target, data, true);
    }

    /**
     * Like {@link #write(Path, byte[])} without the fsyncs: readers and a restarted daemon still
     * see the old or the new file, never a mix (rename is atomic), but after a power loss the
     * file may be an older version. For state a restart rebuilds anyway.
     */
    public static void replace(Path target, byte[] data) throws IOException {
        write(target, data, false);
    }

    private static void write(Path target, byte[] data, boolean durable) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) ch.write(buf);
            if (durable) ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (durable) fsyncDir(target.getParent());
    }

    public static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Removes a tree without following symlinks. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(root)) {
                for (Path p : (Iterable<Path>) s::iterator) deleteTree(p);
            }
        }
        Files.deleteIfExists(root);
    }
}
