package dev.berth.daemon.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** {@link PaxXattrs}: binary xattr records both ways, every other byte left as it is. */
class PaxXattrsTest {
    private static final byte[] CAP = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0};

    @Test
    void recordLengthsCountTheirOwnDigits() {
        for (int n = 0; n < 1200; n++) {
            byte[] r = PaxXattrs.record("k", new byte[n]);
            String head = new String(r, 0, r.length, StandardCharsets.ISO_8859_1);
            assertEquals(r.length, Integer.parseInt(head.substring(0, head.indexOf(' '))), "value of " + n);
        }
    }

    /** A tar as LayerTarWriter's library writes it: a long name, a big file, a binary xattr in libarchive form, a link. */
    private static byte[] sample() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bo)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry a = new TarArchiveEntry("dir/" + "long".repeat(40));
            byte[] data = new byte[70_000];
            new Random(1).nextBytes(data);
            a.setSize(data.length);
            a.addPaxHeader("LIBARCHIVE.xattr.security.capability", Base64.getEncoder().encodeToString(CAP));
            a.addPaxHeader("SCHILY.xattr.user.text", "héllo");
            t.putArchiveEntry(a);
            t.write(data);
            t.closeArchiveEntry();
            TarArchiveEntry l = new TarArchiveEntry("link", TarArchiveEntry.LF_SYMLINK);
            l.setLinkName("dir");
            t.putArchiveEntry(l);
            t.closeArchiveEntry();
        }
        return bo.toByteArray();
    }

    private static byte[] writing(byte[] tar, int piece) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream w = PaxXattrs.forWriting(bo)) {
            for (int i = 0; i < tar.length; i += piece) w.write(tar, i, Math.min(piece, tar.length - i));
        }
        return bo.toByteArray();
    }

    private static List<TarArchiveEntry> entries(InputStream in, List<byte[]> data) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        TarArchiveInputStream t = new TarArchiveInputStream(in);
        for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
            out.add(e);
            data.add(t.readAllBytes());
        }
        return out;
    }

    @Test
    void writingMakesDockersRawFormAndReadingTheLosslessOne() throws IOException {
        byte[] tar = sample();
        byte[] go = writing(tar, 7); // fed in odd pieces
        assertArrayEquals(go, writing(tar, 1 << 16));
        // reading Docker's form back: the binary value in libarchive's form, the rest untouched
        for (int piece : new int[] {1, 511, 4096}) {
            InputStream in = PaxXattrs.forReading(new SlowStream(new ByteArrayInputStream(go), piece));
            List<byte[]> data = new ArrayList<>();
            List<TarArchiveEntry> es = entries(in, data);
            assertEquals(2, es.size());
            assertEquals("dir/" + "long".repeat(40), es.get(0).getName());
            assertEquals(70_000, data.get(0).length);
            assertEquals(Base64.getEncoder().encodeToString(CAP),
                    es.get(0).getExtraPaxHeaders().get("LIBARCHIVE.xattr.security.capability"));
            assertNull(es.get(0).getExtraPaxHeaders().get("SCHILY.xattr.security.capability"));
            assertEquals("héllo", es.get(0).getExtraPaxHeaders().get("SCHILY.xattr.user.text"));
            assertEquals("dir", es.get(1).getLinkName());
        }
        List<byte[]> original = new ArrayList<>();
        entries(new ByteArrayInputStream(tar), original);
        List<byte[]> viaGo = new ArrayList<>();
        entries(PaxXattrs.forReading(new ByteArrayInputStream(go)), viaGo);
        assertArrayEquals(original.get(0), viaGo.get(0));
    }

    @Test
    void tarsWithoutBinaryXattrsPassByteForByte() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bo)) {
            TarArchiveEntry a = new TarArchiveEntry("a");
            a.setSize(3);
            a.addPaxHeader("SCHILY.xattr.user.x", "text");
            t.putArchiveEntry(a);
            t.write("abc".getBytes());
            t.closeArchiveEntry();
        }
        byte[] tar = bo.toByteArray();
        assertArrayEquals(tar, writing(tar, 100));
        assertArrayEquals(tar, PaxXattrs.forReading(new ByteArrayInputStream(tar)).readAllBytes());
        // a stream cut short passes as it came
        byte[] cut = java.util.Arrays.copyOf(tar, 700);
        assertArrayEquals(cut, PaxXattrs.forReading(new ByteArrayInputStream(cut)).readAllBytes());
        assertArrayEquals(cut, writing(cut, 3));
    }

    /** Serves at most {@code piece} bytes a read. */
    private static final class SlowStream extends InputStream {
        private final InputStream in;
        private final int piece;

        SlowStream(InputStream in, int piece) {
            this.in = in;
            this.piece = piece;
        }

        @Override public int read() throws IOException { return in.read(); }

        @Override public int read(byte[] b, int off, int len) throws IOException { return in.read(b, off, Math.min(len, piece)); }
    }
}
