package dev.berth.daemon.util;

import dev.berth.daemon.errors.BerthException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Opens a stream that may be gzip, bzip2 or xz compressed, recognised by its magic bytes as
 * Docker's {@code DecompressStream} does (import tarballs, load archives, layers in an archive).
 * zstd is recognised but refused: the JDK and commons-compress have no decoder for it.
 */
public final class Decompression {
    private Decompression() {}

    /**
     * The decompressed stream, or {@code in} itself when it starts with no known magic.
     *
     * @param what names the input in the zstd refusal, e.g. "archives" or "layers"
     */
    public static InputStream open(BufferedInputStream in, String what) throws IOException {
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) return new GZIPInputStream(in, 65536);
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') return new BZip2CompressorInputStream(in, true);
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0) {
            return new XZCompressorInputStream(in, true);
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            throw BerthException.invalid("zstd-compressed " + what + " are not supported yet");
        }
        return in;
    }
}
