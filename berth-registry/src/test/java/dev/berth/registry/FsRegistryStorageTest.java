package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.content.Digest;
import dev.berth.registry.storage.FsRegistryStorage;
import dev.berth.registry.storage.RegistryStorage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the filesystem implementation. */
class FsRegistryStorageTest {
    @TempDir Path dir;
    private static final RepositoryName REPO = new RepositoryName("a/b");

    private static InputStream in(String s) { return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)); }

    private static Digest digest(String s) { return Digest.of(s.getBytes(StandardCharsets.UTF_8)); }

    @Test void uploadAppendCommit() throws Exception {
        RegistryStorage s = new FsRegistryStorage(dir);
        var u = s.createUpload(REPO);
        assertEquals(5, s.appendUpload(u.id(), 0, in("hello")));
        assertThrows(RegistryStorage.UploadOffsetException.class, () -> s.appendUpload(u.id(), 3, in("x")));
        assertEquals(11, s.appendUpload(u.id(), 5, in(" world")));
        assertEquals(11, s.upload(u.id()).orElseThrow().size());
        assertEquals(REPO, s.upload(u.id()).orElseThrow().repository());
        var blob = s.commitUpload(u.id(), digest("hello world"));
        assertEquals(11, blob.size());
        assertTrue(s.upload(u.id()).isEmpty());
        try (InputStream r = s.openBlob(blob.digest(), 6, 5).orElseThrow()) {
            assertEquals("world", new String(r.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of(blob.digest()), s.blobs());
        assertThrows(RegistryStorage.UploadUnknownException.class, () -> s.appendUpload(u.id(), 11, in("x")));
    }

    @Test void aMismatchPublishesNothing() throws Exception {
        RegistryStorage s = new FsRegistryStorage(dir);
        var u = s.createUpload(REPO);
        s.appendUpload(u.id(), 0, in("content"));
        assertThrows(RegistryStorage.DigestMismatchException.class, () -> s.commitUpload(u.id(), digest("other")));
        assertTrue(s.blobs().isEmpty());
        assertTrue(s.statBlob(digest("content")).isEmpty());
        assertTrue(s.uploads().isEmpty());
    }

    @Test void aFailedAppendLeavesTheSessionAsItWas() throws Exception {
        RegistryStorage s = new FsRegistryStorage(dir);
        var u = s.createUpload(REPO);
        s.appendUpload(u.id(), 0, in("kept"));
        InputStream broken = new InputStream() {
            int n;
            @Override public int read() throws IOException {
                if (n++ < 3) return 'x';
                throw new IOException("client went away");
            }
        };
        assertThrows(IOException.class, () -> s.appendUpload(u.id(), 4, broken));
        assertEquals(4, s.upload(u.id()).orElseThrow().size());
        assertEquals(8, s.appendUpload(u.id(), 4, in(" too")));
        assertEquals(8, s.commitUpload(u.id(), digest("kept too")).size());
    }

    @Test void sessionsSurviveANewInstance() throws Exception {
        var u = new FsRegistryStorage(dir).createUpload(REPO);
        new FsRegistryStorage(dir).appendUpload(u.id(), 0, in("abc"));
        RegistryStorage again = new FsRegistryStorage(dir);
        assertEquals(3, again.upload(u.id()).orElseThrow().size());
        again.appendUpload(u.id(), 3, in("def"));
        assertEquals(digest("abcdef"), again.commitUpload(u.id(), digest("abcdef")).digest());
    }

    @Test void aChunkCutOffByACrashIsDroppedOnRestart() throws Exception {
        var u = new FsRegistryStorage(dir).createUpload(REPO);
        new FsRegistryStorage(dir).appendUpload(u.id(), 0, in("acked"));
        // What a kill -9 in the middle of the next append leaves: bytes past the recorded size.
        Files.writeString(dir.resolve("uploads").resolve(u.id()).resolve("data"), "acked half-writ");
        RegistryStorage again = new FsRegistryStorage(dir);
        assertEquals(5, again.upload(u.id()).orElseThrow().size());
        assertEquals(10, again.appendUpload(u.id(), 5, in(" more")));
        assertEquals(digest("acked more"), again.commitUpload(u.id(), digest("acked more")).digest());
    }

    @Test void linksTagsReferrersRepositories() throws Exception {
        RegistryStorage s = new FsRegistryStorage(dir);
        Digest m = s.putBlob("{}".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), s.readBlob(m).orElseThrow());
        s.linkManifest(REPO, m, Manifest.OCI_MANIFEST);
        assertEquals(Manifest.OCI_MANIFEST, s.manifestMediaType(REPO, m).orElseThrow());
        s.tag(REPO, "v2", m);
        s.tag(REPO, "v1", m);
        assertEquals(List.of("v1", "v2"), s.tags(REPO));
        assertEquals(m, s.resolveTag(REPO, "v1").orElseThrow());
        assertTrue(s.untag(REPO, "v1"));
        assertFalse(s.untag(REPO, "v1"));
        Digest subject = digest("subject");
        s.linkReferrer(REPO, subject, m);
        assertEquals(List.of(m), s.referrers(REPO, subject));
        assertTrue(s.unlinkReferrer(REPO, subject, m));
        assertTrue(s.referrers(REPO, subject).isEmpty());
        s.linkBlob(new RepositoryName("a"), m);
        s.linkBlob(new RepositoryName("z/y/x"), m);
        assertEquals(List.of(new RepositoryName("a"), REPO, new RepositoryName("z/y/x")), s.repositories());
        assertTrue(s.repositoryExists(REPO));
        assertFalse(s.repositoryExists(new RepositoryName("nope")));
        assertTrue(s.blobLinked(new RepositoryName("a"), m));
        assertFalse(s.blobLinked(REPO, m));
    }

    @Test void crashLeftoversAreNotBlobs() throws Exception {
        new FsRegistryStorage(dir);
        Files.writeString(dir.resolve("blobs/sha256/.half-published"), "x");
        RegistryStorage s = new FsRegistryStorage(dir);
        assertTrue(s.blobs().isEmpty());
        assertFalse(Files.exists(dir.resolve("blobs/sha256/.half-published")));
    }
}
