package dev.berth.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The writer lock of a storage directory ({@code write.lock}): held by a read-write server for
 * its lifetime and by {@code gc}, so garbage collection never runs beside something that can
 * add blobs or links. Read-only servers take no lock and may serve during a collection.
 */
final class StorageLock implements AutoCloseable {
    private final FileChannel ch;
    private final FileLock lock;

    private StorageLock(FileChannel ch, FileLock lock) {
        this.ch = ch;
        this.lock = lock;
    }

    /** Null when another process (or this one) holds it. */
    static StorageLock tryAcquire(Path root) throws IOException {
        Files.createDirectories(root);
        FileChannel ch = FileChannel.open(root.resolve("write.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l != null) return new StorageLock(ch, l);
        } catch (OverlappingFileLockException e) {
            // held within this JVM
        }
        ch.close();
        return null;
    }

    @Override public void close() throws IOException {
        try { lock.release(); } finally { ch.close(); }
    }
}
