package dev.berth.daemon.content;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * Content-addressed blobs under {@code blobs/sha256/<hex>}. Writes go to an ingest file while
 * hashing; {@link Writer#commit} checks the digest (when one is expected), fsyncs and renames
 * into place, so a blob path only ever holds verified, complete content.
 */
public final class ContentStore {
    private final Path blobs;
    private final Path ingest;

    public ContentStore(Path root) throws IOException {
        this.blobs = root.resolve("blobs/sha256");
        this.ingest = root.resolve("ingest");
        Files.createDirectories(blobs);
        Files.createDirectories(ingest);
        // Ingest files of a crashed daemon are never visible content: drop them.
        try (var s = Files.list(ingest)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
        }
    }

    public Path path(Digest d) { return blobs.resolve(d.hex()); }

    public boolean exists(Digest d) { return Files.exists(path(d)); }

    public byte[] read(Digest d) throws IOException {
        try {
            return Files.readAllBytes(path(d));
        } catch (java.nio.file.NoSuchFileException e) {
            throw BerthException.notFound("content " + d + " not found");
        }
    }

    public long size(Digest d) throws IOException { return Files.size(path(d)); }

    public Digest put(byte[] data) throws IOException {
        try (Writer w = writer()) {
            w.write(data, 0, data.length);
            return w.commit(null);
        }
    }

    public void delete(Digest d) throws IOException { Files.deleteIfExists(path(d)); }

    public Writer writer() throws IOException {
        return new Writer(ingest.resolve(UUID.randomUUID().toString()));
    }

    /** An open ingest: write bytes, then commit (verify + publish) or close (discard). */
    public final class Writer extends OutputStream {
        private final Path file;
        private final FileChannel ch;
        private final OutputStream out;
        private final MessageDigest md = Digest.sha256();
        private long size;
        private Digest actual; // set once the content is complete (verify or commit)
        private boolean done;

        private Writer(Path file) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            this.out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 65536);
        }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            md.update(b, off, len);
            size += len;
        }

        public long size() { return size; }

        /**
         * Completes the ingest (flush, fsync) and checks it against {@code expected} (if not null)
         * without publishing it: {@link #commit} publishes, {@link #close} discards. Lets a caller
         * verify several blobs first and publish all of them or none.
         */
        public Digest verify(Digest expected) throws IOException {
            if (actual == null) {
                out.flush();
                ch.force(true);
                ch.close();
                actual = Digest.of(md);
            }
            if (expected != null && !expected.equals(actual)) {
                done = true;
                Files.deleteIfExists(file);
                throw BerthException.invalid("unexpected digest " + actual + ", expected " + expected);
            }
            return actual;
        }

        /** Verifies against {@code expected} (if not null) and publishes the blob. */
        public Digest commit(Digest expected) throws IOException {
            verify(expected);
            done = true;
            Path target = path(actual);
            if (Files.exists(target)) {
                Files.deleteIfExists(file);
            } else {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDir(blobs);
            }
            return actual;
        }

        @Override public void close() throws IOException {
            if (done) return;
            done = true;
            try { ch.close(); } finally { Files.deleteIfExists(file); }
        }
    }
}
