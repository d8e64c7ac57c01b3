package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PathStatTest {
    @Test
    void goFileModeBits() {
        assertEquals(0644, PathStat.goMode(0100644));
        assertEquals((1L << 31) | 0755, PathStat.goMode(040755));                 // os.ModeDir
        assertEquals((1L << 31) | (1L << 20) | 0777, PathStat.goMode(041777));   // /tmp: dir + sticky
        assertEquals((1L << 27) | 0777, PathStat.goMode(0120777));               // symlink
        assertEquals((1L << 26) | (1L << 21) | 0666, PathStat.goMode(020666));   // char device
        assertEquals((1L << 26) | 0660, PathStat.goMode(060660));                // block device
        assertEquals((1L << 25) | 0600, PathStat.goMode(010600));                // named pipe
        assertEquals((1L << 24) | 0755, PathStat.goMode(0140755));               // socket
        assertEquals((1L << 23) | (1L << 22) | 0755, PathStat.goMode(0106755));  // setuid + setgid
    }

    @Test
    void headerIsBase64Json() {
        PathStat s = new PathStat("passwd", 12, 0644, Instant.parse("2024-01-02T03:04:05.5Z"), "");
        String json = new String(Base64.getDecoder().decode(s.header()), StandardCharsets.UTF_8);
        assertEquals("{\"name\":\"passwd\",\"size\":12,\"mode\":420,\"mtime\":\"2024-01-02T03:04:05.5Z\",\"linkTarget\":\"\"}", json);
    }
}
