package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TarWriterTest {
    private static byte[] tar(TarWriter.Header h, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.write(h, content);
        w.finish();
        return out.toByteArray();
    }

    private static String field(byte[] b, int off, int len) { return new String(b, off, len, StandardCharsets.ISO_8859_1); }

    @Test
    void ustarHeaderFieldsAreGosOctalFormat() throws IOException {
        byte[] b = tar(TarWriter.Header.file("a.txt", 0644, 3, 1700000000L), "hi\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(512 + 512 + 1024, b.length, "header, one padded data block, two zero blocks");
        assertEquals("0000644\0", field(b, 100, 8));
        assertEquals("0000000\0", field(b, 108, 8));
        assertEquals("00000000003\0", field(b, 124, 12));
        assertEquals(Long.toOctalString(1700000000L) + "\0", field(b, 136, 12));
        assertEquals('0', b[156]);
        assertEquals("ustar\u000000", field(b, 257, 8));
        assertEquals("0000000\0", field(b, 329, 8));
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? ' ' : b[i] & 0xff;
        assertEquals(String.format("%06o\0 ", sum), field(b, 148, 8));
        assertEquals("hi\n", field(b, 512, 3));
    }

    @Test
    void longNamesSplitIntoPrefixOrGoToPax() throws IOException {
        String dir = "d".repeat(90) + "/";
        String name = dir + "f".repeat(40);
        byte[] b = tar(TarWriter.Header.file(name, 0644, 0, 0), new byte[0]);
        assertEquals("f".repeat(40), field(b, 0, 40));
        assertEquals("d".repeat(90), field(b, 345, 90));
        assertEquals(name + "|0|644|0:0|0||\n", TarListing.of(b));

        String unsplittable = "x".repeat(120);
        assertEquals(unsplittable + "|0|644|0:0|0||\n", TarListing.of(tar(TarWriter.Header.file(unsplittable, 0644, 0, 0), new byte[0])));
        byte[] u = tar(TarWriter.Header.file("ünï.txt", 0600, 1, 0), new byte[] {'u'});
        assertEquals('x', u[156], "a PAX header first");
        assertEquals("ünï.txt|0|600|0:0|1||u\n", TarListing.of(u));
    }

    @Test
    void splitPointIsGosSplitUstarPath() {
        assertEquals(-1, TarWriter.splitPoint("short"));
        assertEquals(90, TarWriter.splitPoint("d".repeat(90) + "/" + "f".repeat(40)));
        assertEquals(-1, TarWriter.splitPoint("d".repeat(10) + "/" + "f".repeat(101)), "name part too long");
        assertEquals(-1, TarWriter.splitPoint("d".repeat(160) + "/f"), "prefix too long");
        assertEquals(-1, TarWriter.splitPoint("/" + "f".repeat(120)), "no prefix left");
    }

    @Test
    void paxRecordLengthCountsItself() {
        assertEquals("30 mtime=1432668921.098285006\n", TarWriter.paxRecord("mtime", "1432668921.098285006"));
        assertEquals("9 a=bcd\n".length(), 8);
        assertEquals(("" + TarWriter.paxRecord("path", "x".repeat(94))).length(), 104);
        assertEquals("104 path=" + "x".repeat(94) + "\n", TarWriter.paxRecord("path", "x".repeat(94)));
    }
}
