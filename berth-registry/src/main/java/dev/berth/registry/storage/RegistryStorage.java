package dev.berth.registry.storage;

import dev.berth.daemon.content.Digest;
import dev.berth.registry.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the registry keeps, in terms an object store could implement as well as a file
 * system (no paths): content-addressed blobs, upload sessions, and per-repository links
 * (blobs a repository may serve, manifest revisions with their media type, tags, referrers).
 *
 * <p>Contract: a blob is visible only once complete and verified against its digest; link and
 * tag writes are atomic (a reader sees the old or the new value); every method may be called
 * from many threads at once. Upload sessions are not shared between concurrent writers: the
 * implementation serialises appends to one session.
 */
public interface RegistryStorage {
    record BlobInfo(Digest digest, long size) {}

    record UploadInfo(String id, RepositoryName repository, long size, Instant started) {}

    // --- blobs ---

    Optional<BlobInfo> statBlob(Digest digest) throws IOException;

    /** Bytes {@code [offset, offset + length)} of a blob; empty when the blob does not exist. */
    Optional<InputStream> openBlob(Digest digest, long offset, long length) throws IOException;

    /** A whole small blob (a manifest); empty when it does not exist. */
    Optional<byte[]> readBlob(Digest digest) throws IOException;

    /** Stores a small blob from memory (a manifest), verified and published as uploads are. */
    Digest putBlob(byte[] content) throws IOException;

    void deleteBlob(Digest digest) throws IOException;

    /** Every stored blob (for garbage collection). */
    List<Digest> blobs() throws IOException;

    // --- upload sessions ---

    UploadInfo createUpload(RepositoryName repository) throws IOException;

    Optional<UploadInfo> upload(String id) throws IOException;

    /**
     * Appends {@code data} at {@code offset}, which must be the session's current size. The bytes
     * are durable when this returns; on failure the session is left as it was.
     *
     * @return the session's new size
     * @throws UploadOffsetException when {@code offset} is not the current size
     * @throws UploadUnknownException when there is no such session
     */
    long appendUpload(String id, long offset, InputStream data) throws IOException;

    /**
     * Verifies the session's content against {@code expected} and publishes it as a blob, ending
     * the session. On a mismatch the session is cancelled and {@link DigestMismatchException}
     * thrown; nothing is published.
     */
    BlobInfo commitUpload(String id, Digest expected) throws IOException;

    /** Ends a session without publishing anything; false when there was none. */
    boolean cancelUpload(String id) throws IOException;

    List<UploadInfo> uploads() throws IOException;

    // --- repositories ---

    List<RepositoryName> repositories() throws IOException;

    boolean repositoryExists(RepositoryName repository) throws IOException;

    /** Lets {@code repository} serve the blob (after an upload or mount). */
    void linkBlob(RepositoryName repository, Digest digest) throws IOException;

    boolean blobLinked(RepositoryName repository, Digest digest) throws IOException;

    boolean unlinkBlob(RepositoryName repository, Digest digest) throws IOException;

    /** Blobs linked into a repository (for garbage collection). */
    List<Digest> linkedBlobs(RepositoryName repository) throws IOException;

    /** Records a manifest revision (its content is the blob {@code digest}) and its media type. */
    void linkManifest(RepositoryName repository, Digest digest, String mediaType) throws IOException;

    /** The media type a manifest revision was stored with; empty when the repository does not have it. */
    Optional<String> manifestMediaType(RepositoryName repository, Digest digest) throws IOException;

    boolean unlinkManifest(RepositoryName repository, Digest digest) throws IOException;

    List<Digest> manifests(RepositoryName repository) throws IOException;

    void tag(RepositoryName repository, String tag, Digest digest) throws IOException;

    Optional<Digest> resolveTag(RepositoryName repository, String tag) throws IOException;

    boolean untag(RepositoryName repository, String tag) throws IOException;

    /** Tags in lexical order. */
    List<String> tags(RepositoryName repository) throws IOException;

    void linkReferrer(RepositoryName repository, Digest subject, Digest referrer) throws IOException;

    boolean unlinkReferrer(RepositoryName repository, Digest subject, Digest referrer) throws IOException;

    List<Digest> referrers(RepositoryName repository, Digest subject) throws IOException;

    final class UploadUnknownException extends IOException {
        public UploadUnknownException(String id) { super("upload " + id + " not found"); }
    }

    final class UploadOffsetException extends IOException {
        public final long size;

        public UploadOffsetException(long offset, long size) {
            super("chunk starts at " + offset + ", upload has " + size + " bytes");
            this.size = size;
        }
    }

    final class DigestMismatchException extends IOException {
        public DigestMismatchException(Digest actual, Digest expected) {
            super("unexpected digest " + actual + ", expected " + expected);
        }
    }
}
