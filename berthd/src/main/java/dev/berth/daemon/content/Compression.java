package dev.berth.daemon.content;

import dev.berth.daemon.errors.BerthException;
import io.airlift.compress.v3.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** Decompression of layer and archive streams: by magic bytes (import, load) or by media type (pull). */
public final class Compression {
    private Compression() {}

    /** Plain, gzip, bzip2, xz or zstd, told apart by their first bytes, as dockerd does. */
    public static InputStream detect(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 65536);
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return new GZIPInputStream(in, 65536);
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return new BZip2CompressorInputStream(in, true);
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return new XZCompressorInputStream(in, true);
        }
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(in);
        }
        return in;
    }

    /** A layer blob by its media type (OCI and Docker names); foreign or unknown types are refused. */
    public static InputStream forLayer(String mediaType, InputStream in) throws IOException {
        return switch (layerCompression(mediaType)) {
            case "gzip" -> new GZIPInputStream(in, 65536);
            case "zstd" -> new ZstdInputStream(in);
            default -> in;
        };
    }

    /** "gzip", "zstd" or "none" for a layer media type; a 400 for anything else. */
    public static String layerCompression(String mediaType) {
        if (mediaType.endsWith("+gzip") || mediaType.endsWith(".tar.gzip")) return "gzip";
        if (mediaType.endsWith("+zstd")) return "zstd";
        if (mediaType.endsWith(".tar") || mediaType.endsWith(".tar.v1") || mediaType.isEmpty()) return "none";
        throw BerthException.invalid("unsupported layer media type " + mediaType);
    }
}
