package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerIoTest {
    @TempDir Path dir;

    private List<JsonNode> entries(Path log) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(log)) out.add(Json.MAPPER.readTree(l));
        return out;
    }

    @Test
    void writesDockersJsonFileFormatLineByLine() throws Exception {
        Path log = dir.resolve("c-json.log");
        ContainerIo io = new ContainerIo(log);
        io.beginRun();
        io.confirmRun();
        byte[] a = "quote\" back\\slash\ttab\u0001ctl\nsecond ".getBytes(StandardCharsets.UTF_8);
        io.write(1, a, 0, a.length);
        byte[] b = "half\nünï\n".getBytes(StandardCharsets.UTF_8);
        io.write(1, b, 0, b.length);
        io.write(2, new byte[] {'x', (byte) 0xff, '\n'}, 0, 3);
        io.write(1, "no newline at exit".getBytes(), 0, 18);
        io.endRun();
        List<JsonNode> e = entries(log);
        assertEquals(List.of("quote\" back\\slash\ttab\u0001ctl\n", "second half\n", "ünï\n", "x\ufffd\n", "no newline at exit"),
                e.stream().map(n -> n.get("log").asText()).toList());
        assertEquals(List.of("stdout", "stdout", "stdout", "stderr", "stdout"), e.stream().map(n -> n.get("stream").asText()).toList());
        for (JsonNode n : e) {
            String t = n.get("time").asText();
            assertTrue(t.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"), t);
            assertNotNull(Instant.parse(t));
        }
    }

    @Test
    void longLinesAreSplitAt16KiB() throws Exception {
        Path log = dir.resolve("long.log");
        ContainerIo io = new ContainerIo(log);
        io.beginRun();
        io.confirmRun();
        byte[] big = "y".repeat(40_000).getBytes();
        io.write(1, big, 0, big.length);
        io.endRun();
        List<JsonNode> e = entries(log);
        assertEquals(40_000, e.stream().mapToInt(n -> n.get("log").asText().length()).sum());
        assertTrue(e.size() >= 3, "split into 16 KiB entries");
    }

    @Test
    void outputOfAnAbortedStartIsNotLogged() throws Exception {
        Path log = dir.resolve("abort.log");
        ContainerIo io = new ContainerIo(log);
        io.beginRun();
        byte[] err = "runc run failed: oops\n".getBytes();
        io.write(2, err, 0, err.length);
        assertEquals("runc run failed: oops\n", io.abortRun());
        assertFalse(Files.exists(log) && Files.size(log) > 0);
    }
}
