package dev.berth.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.content.Digest;
import dev.berth.registry.storage.RegistryStorage;
import dev.berth.registry.storage.RegistryStorage.BlobInfo;
import dev.berth.registry.storage.RegistryStorage.DigestMismatchException;
import dev.berth.registry.storage.RegistryStorage.UploadInfo;
import dev.berth.registry.storage.RegistryStorage.UploadOffsetException;
import dev.berth.registry.storage.RegistryStorage.UploadUnknownException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry's operations (distribution spec 1.1) over a {@link RegistryStorage}: what the
 * HTTP layer calls once it has parsed a request. Failures are {@link RegistryException}s
 * carrying the spec's error code.
 */
public final class Registry {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryStorage storage;

    public Registry(RegistryStorage storage) { this.storage = storage; }

    public RegistryStorage storage() { return storage; }

    // --- blobs ---

    /** A blob the repository may serve: an uploaded or mounted layer/config, or one of its manifests. */
    public BlobInfo blob(RepositoryName repo, Digest digest) throws IOException {
        if (!storage.blobLinked(repo, digest) && storage.manifestMediaType(repo, digest).isEmpty()) {
            throw ErrorCode.BLOB_UNKNOWN.error("blob unknown to registry", digest.toString());
        }
        return storage.statBlob(digest)
                .orElseThrow(() -> ErrorCode.BLOB_UNKNOWN.error("blob unknown to registry", digest.toString()));
    }

    public InputStream openBlob(Digest digest, long offset, long length) throws IOException {
        return storage.openBlob(digest, offset, length)
                .orElseThrow(() -> ErrorCode.BLOB_UNKNOWN.error("blob unknown to registry", digest.toString()));
    }

    /** Removes the blob from the repository (the content goes at the next garbage collection). */
    public void deleteBlob(RepositoryName repo, Digest digest) throws IOException {
        if (!storage.unlinkBlob(repo, digest)) throw ErrorCode.BLOB_UNKNOWN.error("blob unknown to registry", digest.toString());
    }

    // --- uploads ---

    /** What an upload request ended in: a blob (201) or an open session (202). */
    public sealed interface UploadResult {
        record Done(BlobInfo blob) implements UploadResult {}

        record Open(UploadInfo session) implements UploadResult {}
    }

    /** Mounts {@code digest} from {@code from} when it is there; empty otherwise (the caller opens a session). */
    public Optional<BlobInfo> mount(RepositoryName repo, Digest digest, RepositoryName from) throws IOException {
        if (!storage.blobLinked(from, digest)) return Optional.empty();
        Optional<BlobInfo> blob = storage.statBlob(digest);
        if (blob.isPresent()) storage.linkBlob(repo, digest);
        return blob;
    }

    public UploadInfo startUpload(RepositoryName repo) throws IOException { return storage.createUpload(repo); }

    /** A monolithic upload: the whole blob in one request, checked against {@code digest}. */
    public BlobInfo uploadWhole(RepositoryName repo, Digest digest, InputStream body, long contentLength) throws IOException {
        UploadInfo u = storage.createUpload(repo);
        try {
            long size = append(u.id(), 0, body);
            checkLength(contentLength, size);
            return commit(repo, u.id(), digest);
        } finally {
            storage.cancelUpload(u.id()); // no-op after a commit
        }
    }

    public UploadInfo upload(RepositoryName repo, String id) throws IOException {
        Optional<UploadInfo> u = storage.upload(id);
        if (u.isEmpty() || !u.get().repository().equals(repo)) {
            throw ErrorCode.BLOB_UPLOAD_UNKNOWN.error("blob upload unknown to registry", id);
        }
        return u.get();
    }

    /** A PATCH: appends a chunk, which must start where the upload ends ({@code range} may be null). */
    public UploadInfo appendChunk(RepositoryName repo, String id, ByteRanges.Span range, InputStream body, long contentLength)
            throws IOException {
        UploadInfo u = upload(repo, id);
        long offset = range == null ? u.size() : range.start();
        if (range != null && contentLength >= 0 && range.length() != contentLength) {
            throw ErrorCode.RANGE_INVALID.error("Content-Range " + range.start() + "-" + range.end()
                    + " does not match Content-Length " + contentLength);
        }
        long size = append(id, offset, body);
        if (range != null && size != range.end() + 1) {
            // Fewer or more bytes than announced: the chunk stays (it is durable and hashed), the
            // client sees the real size in Range and can continue from there.
            throw ErrorCode.SIZE_INVALID.error("chunk ended at " + size + ", Content-Range said " + (range.end() + 1));
        }
        return new UploadInfo(id, repo, size, u.started());
    }

    /** The closing PUT: an optional last chunk, then digest verification and publication. */
    public BlobInfo finishUpload(RepositoryName repo, String id, Digest digest, ByteRanges.Span range, InputStream body,
                                 long contentLength) throws IOException {
        UploadInfo u = upload(repo, id);
        if (contentLength != 0) {
            long offset = range == null ? u.size() : range.start();
            long size = append(id, offset, body);
            checkLength(contentLength, size - u.size());
        }
        return commit(repo, id, digest);
    }

    public void cancelUpload(RepositoryName repo, String id) throws IOException {
        upload(repo, id);
        storage.cancelUpload(id);
    }

    private long append(String id, long offset, InputStream body) throws IOException {
        try {
            return storage.appendUpload(id, offset, body);
        } catch (UploadOffsetException e) {
            throw ErrorCode.RANGE_INVALID.error(e.getMessage(), java.util.Map.of("size", e.size));
        } catch (UploadUnknownException e) {
            throw ErrorCode.BLOB_UPLOAD_UNKNOWN.error("blob upload unknown to registry", id);
        }
    }

    private static void checkLength(long contentLength, long received) {
        if (contentLength >= 0 && contentLength != received) {
            throw ErrorCode.SIZE_INVALID.error("received " + received + " bytes, Content-Length said " + contentLength);
        }
    }

    private BlobInfo commit(RepositoryName repo, String id, Digest digest) throws IOException {
        BlobInfo blob;
        try {
            blob = storage.commitUpload(id, digest);
        } catch (DigestMismatchException e) {
            throw ErrorCode.DIGEST_INVALID.error(e.getMessage());
        } catch (UploadUnknownException e) {
            throw ErrorCode.BLOB_UPLOAD_UNKNOWN.error("blob upload unknown to registry", id);
        }
        storage.linkBlob(repo, blob.digest());
        return blob;
    }

    /** Cancels sessions started before {@code now - maxAge}; returns how many. */
    public int expireUploads(Duration maxAge, Instant now) throws IOException {
        int n = 0;
        for (UploadInfo u : storage.uploads()) {
            if (u.started().plus(maxAge).isBefore(now) && storage.cancelUpload(u.id())) n++;
        }
        return n;
    }

    // --- manifests ---

    public record StoredManifest(Digest digest, String mediaType, byte[] content) {}

    public Digest resolve(RepositoryName repo, String reference) throws IOException {
        if (Digests.isDigest(reference)) return Digests.parse(reference);
        if (!Tag.valid(reference)) throw ErrorCode.MANIFEST_INVALID.error("invalid tag " + reference);
        return storage.resolveTag(repo, reference)
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.error("manifest unknown", java.util.Map.of("Tag", reference)));
    }

    public StoredManifest manifest(RepositoryName repo, String reference) throws IOException {
        Digest d = resolve(repo, reference);
        String type = storage.manifestMediaType(repo, d)
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.error("manifest unknown", java.util.Map.of("Revision", d.toString())));
        byte[] content = storage.readBlob(d)
                .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.error("manifest unknown", java.util.Map.of("Revision", d.toString())));
        return new StoredManifest(d, type, content);
    }

    public record PutResult(Digest digest, Digest subject) {}

    public PutResult putManifest(RepositoryName repo, String reference, String contentType, byte[] content) throws IOException {
        boolean byDigest = Digests.isDigest(reference);
        Digest expected = byDigest ? Digests.parse(reference) : null;
        if (!byDigest && !Tag.valid(reference)) throw ErrorCode.MANIFEST_INVALID.error("invalid tag " + reference);
        Manifest m = Manifest.parse(contentType, content);
        Digest digest = Digest.of(content);
        if (expected != null && !expected.equals(digest)) {
            throw ErrorCode.DIGEST_INVALID.error("manifest digest " + digest + " does not match " + expected);
        }
        List<Object> unknown = new ArrayList<>();
        for (Manifest.Descriptor b : m.blobs()) {
            if (b.foreign()) continue;
            Optional<BlobInfo> info = storage.blobLinked(repo, b.digest()) ? storage.statBlob(b.digest()) : Optional.empty();
            if (info.isEmpty()) {
                unknown.add(b.digest().toString());
            } else if (info.get().size() != b.size()) {
                throw ErrorCode.MANIFEST_INVALID.error("blob " + b.digest() + " has " + info.get().size()
                        + " bytes, the manifest says " + b.size());
            }
        }
        for (Manifest.Descriptor c : m.children()) {
            if (storage.manifestMediaType(repo, c.digest()).isEmpty()) {
                unknown.add(c.digest().toString());
                continue;
            }
            long size = storage.statBlob(c.digest()).map(BlobInfo::size).orElse(-1L);
            if (size != c.size()) {
                throw ErrorCode.MANIFEST_INVALID.error("manifest " + c.digest() + " has " + size + " bytes, the index says " + c.size());
            }
        }
        if (!unknown.isEmpty()) {
            throw ErrorCode.MANIFEST_BLOB_UNKNOWN.error("manifest references unknown blobs or manifests: " + unknown.getFirst(), unknown);
        }
        storage.putBlob(content);
        storage.linkManifest(repo, digest, m.mediaType());
        if (m.subject() != null) storage.linkReferrer(repo, m.subject().digest(), digest);
        if (!byDigest) storage.tag(repo, reference, digest);
        return new PutResult(digest, m.subject() == null ? null : m.subject().digest());
    }

    /** By digest: the revision, its tags and its referrer entry go; by tag: only the tag (OCI 1.1). */
    public void deleteManifest(RepositoryName repo, String reference) throws IOException {
        if (!Digests.isDigest(reference)) {
            if (!Tag.valid(reference)) throw ErrorCode.MANIFEST_INVALID.error("invalid tag " + reference);
            if (!storage.untag(repo, reference)) {
                throw ErrorCode.MANIFEST_UNKNOWN.error("manifest unknown", java.util.Map.of("Tag", reference));
            }
            return;
        }
        Digest d = Digests.parse(reference);
        Optional<String> type = storage.manifestMediaType(repo, d);
        if (type.isEmpty()) throw ErrorCode.MANIFEST_UNKNOWN.error("manifest unknown", java.util.Map.of("Revision", d.toString()));
        for (String t : storage.tags(repo)) {
            if (storage.resolveTag(repo, t).filter(d::equals).isPresent()) storage.untag(repo, t);
        }
        Optional<byte[]> content = storage.readBlob(d);
        if (content.isPresent()) {
            Manifest m = Manifest.parse(type.get(), content.get());
            if (m.subject() != null) storage.unlinkReferrer(repo, m.subject().digest(), d);
        }
        storage.unlinkManifest(repo, d);
    }

    /** The referrers index of {@code subject}, filtered by {@code artifactType} when not null. */
    public ObjectNode referrers(RepositoryName repo, Digest subject, String artifactType) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", Manifest.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Digest d : storage.referrers(repo, subject)) {
            Optional<String> type = storage.manifestMediaType(repo, d);
            Optional<byte[]> content = storage.readBlob(d);
            if (type.isEmpty() || content.isEmpty()) continue; // deleted meanwhile
            Manifest m = Manifest.parse(type.get(), content.get());
            if (artifactType != null && !artifactType.equals(m.artifactType())) continue;
            manifests.add(m.referrerDescriptor(d, content.get().length));
        }
        return index;
    }

    // --- listings ---

    public Page tags(RepositoryName repo, String last, int n) throws IOException {
        if (!storage.repositoryExists(repo)) throw ErrorCode.NAME_UNKNOWN.error("repository name not known to registry", repo.value());
        return Page.of(storage.tags(repo), last, n < 0 ? -1 : n);
    }

    public Page catalog(String last, int n) throws IOException {
        List<String> names = storage.repositories().stream().map(RepositoryName::value).toList();
        return Page.of(names, last, n < 0 ? Page.DEFAULT_LIMIT : n);
    }
}
