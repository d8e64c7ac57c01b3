package dev.berth.registry.storage;

import dev.berth.daemon.content.Digest;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.registry.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The filesystem implementation, laid out like the daemon's content store:
 * <pre>
 * blobs/sha256/&lt;hex&gt;                                   verified content (uploads, manifests)
 * uploads/&lt;uuid&gt;/{data,size,repository,started}        open sessions (size: acknowledged bytes)
 * repositories/&lt;name&gt;/_layers/sha256/&lt;hex&gt;               blob links (empty files)
 * repositories/&lt;name&gt;/_manifests/revisions/sha256/&lt;hex&gt;   manifest links (content: media type)
 * repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;               tag links (content: digest)
 * repositories/&lt;name&gt;/_referrers/sha256/&lt;subject&gt;/&lt;hex&gt;   referrer links (empty files)
 * </pre>
 * Repository name components never start with {@code _}, so the link directories cannot clash
 * with nested repositories. Crash safety: session bytes are fsynced, then the session's size recorded atomically, before
 * an append returns (a restart truncates the data to that size, dropping a half-written chunk);
 * a blob is renamed into {@code blobs/} only after its digest was checked, then the directory is
 * fsynced; links and tags are written with {@link AtomicFiles} (temp file, fsync, rename).
 * Session hashes live in memory and are recomputed from the data file after a restart.
 */
public final class FsRegistryStorage implements RegistryStorage {
    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path blobs;
    private final Path uploads;
    private final Path repositories;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /** The running hash of a session's data file, valid for {@code size} bytes. */
    private static final class Session {
        final ReentrantLock lock = new ReentrantLock();
        MessageDigest md;
        volatile long size = -1; // -1: not hashed yet (after a restart)
        boolean ended;
    }

    public FsRegistryStorage(Path root) throws IOException {
        this.blobs = root.resolve("blobs/sha256");
        this.uploads = root.resolve("uploads");
        this.repositories = root.resolve("repositories");
        Files.createDirectories(blobs);
        Files.createDirectories(uploads);
        Files.createDirectories(repositories);
        // Publishing temp files of a crashed registry are never visible content: drop them.
        try (var s = Files.list(blobs)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(".")) Files.deleteIfExists(p);
            }
        }
    }

    private Path blob(Digest d) { return blobs.resolve(d.hex()); }

    // --- blobs ---

    @Override public Optional<BlobInfo> statBlob(Digest digest) throws IOException {
        try {
            return Optional.of(new BlobInfo(digest, Files.size(blob(digest))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override public Optional<InputStream> openBlob(Digest digest, long offset, long length) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(blob(digest), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ch.position(offset);
        InputStream in = Channels.newInputStream(ch);
        return Optional.of(new BoundedInputStream(in, length));
    }

    @Override public Optional<byte[]> readBlob(Digest digest) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(blob(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override public Digest putBlob(byte[] content) throws IOException {
        Digest d = Digest.of(content);
        if (Files.exists(blob(d))) return d;
        Path tmp = blobs.resolve("." + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        publish(tmp, d);
        return d;
    }

    /** Renames verified, fsynced content into place (or drops it when the blob exists already). */
    private void publish(Path verified, Digest d) throws IOException {
        Path target = blob(d);
        if (Files.exists(target)) {
            Files.deleteIfExists(verified);
            return;
        }
        try {
            Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(verified);
            throw e;
        }
        AtomicFiles.fsyncDir(blobs);
    }

    @Override public void deleteBlob(Digest digest) throws IOException { Files.deleteIfExists(blob(digest)); }

    @Override public List<Digest> blobs() throws IOException {
        List<Digest> out = new ArrayList<>();
        try (var s = Files.list(blobs)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".")) out.add(new Digest(n));
            }
        }
        return out;
    }

    // --- uploads ---

    private Path sessionDir(String id) throws UploadUnknownException {
        if (id == null || !UUID_FORM.matcher(id).matches()) throw new UploadUnknownException(id);
        return uploads.resolve(id);
    }

    @Override public UploadInfo createUpload(RepositoryName repository) throws IOException {
        String id = UUID.randomUUID().toString();
        Path dir = uploads.resolve(id);
        Files.createDirectory(dir);
        Instant now = Instant.now();
        Files.writeString(dir.resolve("repository"), repository.value());
        Files.writeString(dir.resolve("started"), Long.toString(now.toEpochMilli()));
        Files.createFile(dir.resolve("data"));
        Session s = new Session();
        s.md = Digest.sha256();
        s.size = 0;
        sessions.put(id, s);
        return new UploadInfo(id, repository, 0, now);
    }

    @Override public Optional<UploadInfo> upload(String id) throws IOException {
        Path dir;
        try {
            dir = sessionDir(id);
        } catch (UploadUnknownException e) {
            return Optional.empty();
        }
        try {
            RepositoryName repo = new RepositoryName(Files.readString(dir.resolve("repository")).trim());
            Instant started = Instant.ofEpochMilli(Long.parseLong(Files.readString(dir.resolve("started")).trim()));
            Session live = sessions.get(id);
            long size = live != null && live.size >= 0 ? live.size : Math.min(recordedSize(dir), Files.size(dir.resolve("data")));
            return Optional.of(new UploadInfo(id, repo, size, started));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The session, locked and hashed up to the data file's size. Callers unlock. */
    private Session lockSession(String id) throws IOException {
        Path dir = sessionDir(id);
        Session s = sessions.computeIfAbsent(id, k -> new Session());
        s.lock.lock();
        try {
            Path data = dir.resolve("data");
            if (s.ended || !Files.exists(data)) {
                sessions.remove(id, s);
                throw new UploadUnknownException(id);
            }
            if (s.size < 0) {
                // After a restart: the session holds the bytes up to its recorded size; anything
                // beyond came from an append that was never acknowledged (a crash mid-chunk).
                long acknowledged = recordedSize(dir);
                try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
                    if (ch.size() > acknowledged) {
                        ch.truncate(acknowledged);
                        ch.force(false);
                    }
                }
                MessageDigest md = Digest.sha256();
                long size = 0;
                try (InputStream in = Files.newInputStream(data)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        size += n;
                    }
                }
                s.md = md;
                s.size = size;
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.lock.unlock();
            throw e;
        }
    }

    private static long recordedSize(Path dir) throws IOException {
        try {
            return Long.parseLong(Files.readString(dir.resolve("size")).trim());
        } catch (NoSuchFileException | NumberFormatException e) {
            return 0;
        }
    }

    @Override public long appendUpload(String id, long offset, InputStream data) throws IOException {
        Session s = lockSession(id);
        try {
            if (offset != s.size) throw new UploadOffsetException(offset, s.size);
            Path file = uploads.resolve(id).resolve("data");
            MessageDigest md;
            try {
                md = (MessageDigest) s.md.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
            long size = s.size;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.position(size);
                byte[] buf = new byte[1 << 16];
                ByteBuffer bb = ByteBuffer.wrap(buf);
                try {
                    for (int n; (n = data.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        bb.clear().limit(n);
                        while (bb.hasRemaining()) ch.write(bb);
                        size += n;
                    }
                    ch.force(false);
                } catch (IOException | RuntimeException e) {
                    ch.truncate(s.size); // the failed chunk was never acknowledged: drop it
                    throw e;
                }
            }
            // The bytes are durable; recording the size acknowledges them (a restart keeps exactly these).
            AtomicFiles.write(uploads.resolve(id).resolve("size"), Long.toString(size).getBytes(StandardCharsets.UTF_8));
            s.md = md;
            s.size = size;
            return size;
        } finally {
            s.lock.unlock();
        }
    }

    @Override public BlobInfo commitUpload(String id, Digest expected) throws IOException {
        Session s = lockSession(id);
        try {
            Digest actual = Digest.of((MessageDigest) s.md.clone());
            long size = s.size;
            Path dir = uploads.resolve(id);
            s.ended = true;
            sessions.remove(id);
            if (!actual.equals(expected)) {
                AtomicFiles.deleteTree(dir);
                throw new DigestMismatchException(actual, expected);
            }
            // The data file was fsynced by each append; move it out of the session, then publish.
            Path tmp = blobs.resolve("." + id);
            Files.move(dir.resolve("data"), tmp, StandardCopyOption.ATOMIC_MOVE);
            publish(tmp, actual);
            AtomicFiles.deleteTree(dir);
            return new BlobInfo(actual, size);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        } finally {
            s.lock.unlock();
        }
    }

    @Override public boolean cancelUpload(String id) throws IOException {
        Session s;
        try {
            s = lockSession(id);
        } catch (UploadUnknownException e) {
            return false;
        }
        try {
            s.ended = true;
            sessions.remove(id);
            AtomicFiles.deleteTree(uploads.resolve(id));
            return true;
        } finally {
            s.lock.unlock();
        }
    }

    @Override public List<UploadInfo> uploads() throws IOException {
        List<UploadInfo> out = new ArrayList<>();
        try (var s = Files.list(uploads)) {
            for (Path p : (Iterable<Path>) s::iterator) upload(p.getFileName().toString()).ifPresent(out::add);
        }
        return out;
    }

    // --- repositories ---

    private Path repo(RepositoryName r) { return repositories.resolve(r.value()); }

    @Override public List<RepositoryName> repositories() throws IOException {
        List<RepositoryName> out = new ArrayList<>();
        collect(repositories, "", out);
        out.sort(null);
        return out;
    }

    private static void collect(Path dir, String prefix, List<RepositoryName> out) throws IOException {
        List<Path> children;
        try (var s = Files.list(dir)) {
            children = s.toList();
        } catch (NoSuchFileException e) {
            return;
        }
        boolean isRepo = false;
        for (Path c : children) {
            String n = c.getFileName().toString();
            if (n.startsWith("_")) {
                isRepo = true;
            } else if (Files.isDirectory(c) && RepositoryName.valid(prefix + n)) {
                collect(c, prefix + n + "/", out);
            }
        }
        if (isRepo && !prefix.isEmpty()) out.add(new RepositoryName(prefix.substring(0, prefix.length() - 1)));
    }

    @Override public boolean repositoryExists(RepositoryName repository) throws IOException {
        Path r = repo(repository);
        return Files.isDirectory(r.resolve("_manifests")) || Files.isDirectory(r.resolve("_layers"));
    }

    private static void touch(Path file) throws IOException {
        if (Files.exists(file)) return;
        Files.createDirectories(file.getParent());
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        AtomicFiles.fsyncDir(file.getParent());
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".")) out.add(n);
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    private static List<Digest> digests(Path dir) throws IOException {
        List<Digest> out = new ArrayList<>();
        for (String n : names(dir)) out.add(new Digest(n));
        return out;
    }

    private static boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            try {
                Files.deleteIfExists(file.getParent()); // only when empty (referrer subject dirs)
            } catch (DirectoryNotEmptyException e) {
                // still has other entries
            }
        }
        return deleted;
    }

    private Path layerLink(RepositoryName r, Digest d) { return repo(r).resolve("_layers/sha256").resolve(d.hex()); }

    @Override public void linkBlob(RepositoryName repository, Digest digest) throws IOException { touch(layerLink(repository, digest)); }

    @Override public boolean blobLinked(RepositoryName repository, Digest digest) { return Files.exists(layerLink(repository, digest)); }

    @Override public boolean unlinkBlob(RepositoryName repository, Digest digest) throws IOException {
        return Files.deleteIfExists(layerLink(repository, digest));
    }

    @Override public List<Digest> linkedBlobs(RepositoryName repository) throws IOException {
        return digests(repo(repository).resolve("_layers/sha256"));
    }

    private Path revision(RepositoryName r, Digest d) { return repo(r).resolve("_manifests/revisions/sha256").resolve(d.hex()); }

    @Override public void linkManifest(RepositoryName repository, Digest digest, String mediaType) throws IOException {
        Path link = revision(repository, digest);
        Files.createDirectories(link.getParent());
        AtomicFiles.write(link, mediaType.getBytes(StandardCharsets.UTF_8));
    }

    @Override public Optional<String> manifestMediaType(RepositoryName repository, Digest digest) throws IOException {
        try {
            return Optional.of(Files.readString(revision(repository, digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override public boolean unlinkManifest(RepositoryName repository, Digest digest) throws IOException {
        return Files.deleteIfExists(revision(repository, digest));
    }

    @Override public List<Digest> manifests(RepositoryName repository) throws IOException {
        return digests(repo(repository).resolve("_manifests/revisions/sha256"));
    }

    private Path tagLink(RepositoryName r, String tag) { return repo(r).resolve("_manifests/tags").resolve(tag); }

    @Override public void tag(RepositoryName repository, String tag, Digest digest) throws IOException {
        Path link = tagLink(repository, tag);
        Files.createDirectories(link.getParent());
        AtomicFiles.write(link, digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override public Optional<Digest> resolveTag(RepositoryName repository, String tag) throws IOException {
        try {
            return Optional.of(Digest.parse(Files.readString(tagLink(repository, tag)).trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override public boolean untag(RepositoryName repository, String tag) throws IOException {
        return Files.deleteIfExists(tagLink(repository, tag));
    }

    @Override public List<String> tags(RepositoryName repository) throws IOException {
        return names(repo(repository).resolve("_manifests/tags"));
    }

    private Path referrerLink(RepositoryName r, Digest subject, Digest referrer) {
        return repo(r).resolve("_referrers/sha256").resolve(subject.hex()).resolve(referrer.hex());
    }

    @Override public void linkReferrer(RepositoryName repository, Digest subject, Digest referrer) throws IOException {
        touch(referrerLink(repository, subject, referrer));
    }

    @Override public boolean unlinkReferrer(RepositoryName repository, Digest subject, Digest referrer) throws IOException {
        return delete(referrerLink(repository, subject, referrer));
    }

    @Override public List<Digest> referrers(RepositoryName repository, Digest subject) throws IOException {
        return digests(repo(repository).resolve("_referrers/sha256").resolve(subject.hex()));
    }
}
