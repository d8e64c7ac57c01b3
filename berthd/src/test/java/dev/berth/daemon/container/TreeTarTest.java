package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeTarTest {
    @TempDir Path tmp;

    @Test
    void goOrderDirectorySlashesHardLinksAndWholeSeconds() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("b/sub"));
        Files.writeString(root.resolve("b/sub/f"), "data");
        Files.createLink(root.resolve("b/sub/g"), root.resolve("b/sub/f"));
        Files.createSymbolicLink(root.resolve("a"), Path.of("/b/sub/f"));
        Files.writeString(root.resolve("B"), "");
        Files.setLastModifiedTime(root.resolve("B"), FileTime.fromMillis(1_600_000_000_999L));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeTar t = new TreeTar(out);
        t.addChildren(root, "");
        t.finish();
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String what = e.getName();
                if (e.isSymbolicLink()) what += " -> " + e.getLinkName();
                if (e.isLink()) what += " link " + e.getLinkName();
                if (e.getName().equals("B")) assertEquals(1_600_000_000_000L, e.getLastModifiedTime().toMillis());
                if (e.getName().equals("b/sub/f")) assertEquals("data", new String(in.readAllBytes()));
                names.add(what);
            }
        }
        assertEquals(List.of("B", "a -> /b/sub/f", "b/", "b/sub/", "b/sub/f", "b/sub/g link b/sub/f"), names);
    }
}
