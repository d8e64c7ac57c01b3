package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.content.ContentStore;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.LayerStore;
import dev.berth.daemon.snapshot.InvalidLayerException;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.util.CountingInputStream;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.ReadAhead;
import dev.berth.daemon.util.TeeInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * One layer of a pull, in one pass over the bytes: the compressed blob comes through a
 * {@link ResumableBlobStream} (transient failures retried, resumed with Range), is hashed as it
 * streams, decompressed, hashed again into a content-store ingest (the diffID) and unpacked into
 * a {@code layers/tmp} directory. The result is verified but not published: {@link ImagePull}
 * publishes it (or discards it).
 *
 * <p>Like dockerd, a blob that does not match its digest is a final error, unless its bytes came
 * through a resumed download (ranges of two responses need not belong together): then the layer
 * starts over, as one more attempt.
 */
final class LayerDownload {
    /** A downloaded, verified, unpublished layer: its unpacked temp dir and its tar in an open ingest. */
    record Staged(Path temp, ContentStore.Writer tar, long size) {
        void discard(LayerStore layers) {
            try {
                tar.close();
            } catch (IOException ignored) {
                // the ingest file is gone or will be at the next start
            }
            try {
                layers.discard(temp);
            } catch (IOException ignored) {
                // layers/tmp is emptied at the next start
            }
        }
    }

    private final ContentStore content;
    private final LayerStore layers;
    private final RegistryClient registry;
    private final String repo;
    private final RetryPolicy retry;
    private final Progress progress;

    LayerDownload(ContentStore content, LayerStore layers, RegistryClient registry, String repo, RetryPolicy retry, Progress progress) {
        this.content = content;
        this.layers = layers;
        this.registry = registry;
        this.repo = repo;
        this.retry = retry;
        this.progress = progress;
    }

    /** Downloads, verifies (blob digest and diffID) and unpacks the layer {@code desc}. */
    Staged fetch(JsonNode desc, Digest diffId) throws IOException {
        Digest blob = Digest.parse(desc.path("digest").asText());
        String id = Ids.shortId(blob.hex());
        String type = desc.path("mediaType").asText();
        Compression.layerCompression(type); // an unknown type fails before any download
        long size = desc.path("size").asLong(-1);
        DownloadAttempts attempts = new DownloadAttempts(retry, progress, id);
        while (true) {
            Path temp = layers.newTemp();
            ContentStore.Writer tarWriter = content.writer();
            ResumableBlobStream raw = new ResumableBlobStream(registry, repo, blob, size, attempts);
            boolean staged = false;
            ReadAhead[] readAhead = {null};
            try {
                MessageDigest compressed = Digest.sha256();
                InputStream counted = new CountingInputStream(raw, compressed, n -> progress.bytes(id, "Downloading", n, size));
                long unpacked = -1;
                Digest got = null;
                // Two stages on two cores: download, hash, decompress, hash and store the tar
                // run ahead on a thread of their own while this one unpacks it.
                ReadAhead tar = null;
                try {
                    InputStream tee = new TeeInputStream(Compression.forLayer(type, counted), tarWriter);
                    tar = readAhead[0] = new ReadAhead(tee, 256 * 1024, 16);
                    unpacked = LayerUnpacker.unpack(tar, temp.resolve("diff")).bytes();
                    tar.transferTo(OutputStream.nullOutputStream());
                    tar.close();
                    counted.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    if (tar != null) tar.close(); // the read-ahead thread is done with the source before we touch it
                    if (e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) throw e;
                    // Not a transport failure (those were retried inside raw): the bytes do not
                    // gunzip or untar. If they are not the blob, that is the error to report, as
                    // dockerd does (it verifies before it unpacks).
                    counted.transferTo(OutputStream.nullOutputStream());
                    got = Digest.of(compressed);
                    if (got.equals(blob)) throw BerthException.invalid("failed to register layer " + id + ": " + e.getMessage());
                }
                if (got == null) got = Digest.of(compressed);
                if (!got.equals(blob)) {
                    String why = "filesystem layer verification failed for digest " + blob + ": unexpected digest " + got;
                    if (!raw.resumed()) throw BerthException.invalid(why);
                    attempts.failed(new IOException(why + " after a resumed download"));
                    continue; // start the layer over (finally discards this try)
                }
                progress.status(id, "Verifying Checksum");
                progress.status(id, "Download complete");
                try {
                    tarWriter.verify(diffId);
                } catch (BerthException.InvalidArgument e) {
                    throw BerthException.invalid("layer " + id + " does not match the image config: " + e.getMessage());
                }
                staged = true;
                return new Staged(temp, tarWriter, unpacked);
            } finally {
                // the read-ahead thread ends before anything else goes: it may still report progress
                if (readAhead[0] != null) {
                    try {
                        readAhead[0].close();
                    } catch (IOException ignored) {
                        // interrupted while stopping it: the stream below is closed anyway
                    }
                }
                raw.close();
                if (!staged) new Staged(temp, tarWriter, 0).discard(layers);
            }
        }
    }
}
