package dev.berth.daemon.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class TarTailTest {
    private static byte[] tar(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] c = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
                e.setSize(c.length);
                t.putArchiveEntry(e);
                t.write(c);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static List<String> read(InputStream in) throws IOException {
        List<String> out = new ArrayList<>();
        TarArchiveInputStream t = new TarArchiveInputStream(in);
        for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
            out.add(e.getName() + "=" + new String(t.readAllBytes(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void completeArchivesPassUnchanged() throws IOException {
        byte[] full = tar("a", "hello", "b/" + "x".repeat(150), "long name");
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        new TarTail(new ByteArrayInputStream(full)).transferTo(copy);
        assertEquals(full.length, copy.size() - 1024 * (copy.size() > full.length ? 1 : 0) , "only end blocks may be added");
        assertEquals(List.of("a=hello", "b/" + "x".repeat(150) + "=long name"), read(new TarTail(new ByteArrayInputStream(full))));
    }

    @Test
    void missingPaddingAndEndBlocksAreSupplied() throws IOException {
        byte[] full = tar("Dockerfile", "FROM busybox\n", ".dockerfile.abc", "FROM scratch\n");
        // header(512) + data(13) ... second entry's data ends at 512*3 + 13
        int dataEnd = 512 * 3 + 13;
        for (int cut : new int[] {dataEnd, dataEnd + 100, 512 * 4, 512 * 5}) {
            byte[] cutOff = Arrays.copyOf(full, cut);
            assertEquals(List.of("Dockerfile=FROM busybox\n", ".dockerfile.abc=FROM scratch\n"),
                    read(new TarTail(new ByteArrayInputStream(cutOff))), "cut at " + cut);
        }
    }

    @Test
    void truncatedDataStaysTruncated() throws IOException {
        byte[] full = tar("a", "0123456789");
        byte[] cutOff = Arrays.copyOf(full, 512 + 5);
        assertThrows(IOException.class, () -> read(new TarTail(new ByteArrayInputStream(cutOff))));
        byte[] inHeader = Arrays.copyOf(full, 100);
        // a cut inside a header makes no entry up (the tar reader sees a short, ignored record)
        assertEquals(List.of(), read(new TarTail(new ByteArrayInputStream(inHeader))));
    }
}
