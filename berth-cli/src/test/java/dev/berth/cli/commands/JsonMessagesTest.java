package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.cli.CliException;
import dev.berth.cli.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonMessagesTest {
    private static final String E = "\u001b[";
    private static final long NOW = 1_700_000_100L * 1_000_000_000L;

    static final String PULL = """
            {"status":"Pulling from library/busybox","id":"latest"}
            {"status":"Pulling fs layer","progressDetail":{},"id":"a"}
            {"status":"Pulling fs layer","progressDetail":{},"id":"b"}
            {"status":"Downloading","progressDetail":{"current":500000,"total":1000000},"progress":"[==>  ]","id":"a"}
            {"status":"Pull complete","progressDetail":{},"id":"b"}
            {"status":"Digest: sha256:x"}
            """;

    private static String render(String stream, boolean terminal, int width, List<Object> aux) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, true, StandardCharsets.UTF_8);
        new JsonMessages(out, terminal, () -> width, () -> NOW, aux == null ? null : aux::add)
                .run(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainLinesWithoutProgressWhenNotATerminal() throws Exception {
        assertEquals("""
                latest: Pulling from library/busybox
                a: Pulling fs layer
                b: Pulling fs layer
                b: Pull complete
                Digest: sha256:x
                """, render(PULL, false, 200, null));
    }

    @Test
    void onATerminalEachIdOwnsALineRedrawnInPlace() throws Exception {
        String bar = "[" + "=".repeat(25) + ">" + " ".repeat(25) + "]    500kB/1MB";
        String expected = "latest: Pulling from library/busybox\n"
                + "\n" + E + "1A" + E + "2K\ra: Pulling fs layer \r" + E + "1B"   // new line for a
                + "\n" + E + "1A" + E + "2K\rb: Pulling fs layer \r" + E + "1B"   // new line for b, below a
                + E + "2A" + E + "2K\ra: Downloading " + bar + "\r" + E + "2B"     // up two to a's line, back down
                + E + "1A" + E + "2K\rb: Pull complete \r" + E + "1B"               // up one to b's line
                + "Digest: sha256:x\n";                                              // ends the block
        assertEquals(expected, render(PULL, true, 120, null));
    }

    @Test
    void aNewBlockStartsAfterANonProgressMessage() throws Exception {
        String s = """
                {"status":"x","progressDetail":{},"id":"a"}
                {"status":"Tagging"}
                {"status":"y","progressDetail":{},"id":"a"}
                """;
        assertEquals("\n" + E + "1A" + E + "2K\ra: x \r" + E + "1B" + "Tagging\n" + "\n" + E + "1A" + E + "2K\ra: y \r" + E + "1B",
                render(s, true, 80, null));
    }

    @Test
    void progressBarLikeDockers() {
        Object half = Json.parse("{\"current\":500000,\"total\":1000000}");
        assertEquals("[" + "=".repeat(25) + ">" + " ".repeat(25) + "]    500kB/1MB", JsonMessages.progress(half, 111, NOW));
        assertEquals("   500kB/1MB", JsonMessages.progress(half, 110, NOW)); // no bar on narrow terminals
        long start = NOW / 1_000_000_000L - 10;
        Object quarter = Json.parse("{\"current\":250000,\"total\":1000000,\"start\":" + start + "}");
        assertEquals("[" + "=".repeat(12) + ">" + " ".repeat(38) + "]    250kB/1MB 30s", JsonMessages.progress(quarter, 200, NOW));
        assertEquals("   250kB/1MB", JsonMessages.progress(quarter, 50, NOW)); // no time left at 50 columns
        assertEquals(" 1.234kB", JsonMessages.progress(Json.parse("{\"current\":1234}"), 200, NOW));
        assertEquals("7 items", JsonMessages.progress(Json.parse("{\"current\":7,\"units\":\"items\"}"), 200, NOW));
        assertEquals("3/10 items", JsonMessages.progress(Json.parse("{\"current\":3,\"total\":10,\"units\":\"items\"}"), 80, NOW));
        assertEquals("     2kB", JsonMessages.progress(Json.parse("{\"current\":2000,\"total\":1000}"), 80, NOW));
        assertEquals("[" + "=".repeat(25) + ">" + " ".repeat(25) + "] ",
                JsonMessages.progress(Json.parse("{\"current\":5,\"total\":10,\"hidecounts\":true}"), 200, NOW));
        assertEquals("", JsonMessages.progress(Json.parse("{}"), 200, NOW));
        assertEquals("1h2m4s", JsonMessages.goSeconds(3_723_500_000_000L));
        assertEquals("0s", JsonMessages.goSeconds(400_000_000L));
    }

    @Test
    void auxGoesToTheCallbackAndAnErrorEndsTheDisplay() throws Exception {
        List<Object> aux = new ArrayList<>();
        String push = """
                {"status":"The push refers to repository [127.0.0.1:5000/bb]"}
                {"status":"Preparing","progressDetail":{},"id":"b9c2ba6c8ca7"}
                {"status":"Pushing","progressDetail":{"current":1,"total":2},"progress":"[=> ]","id":"b9c2ba6c8ca7"}
                {"status":"Pushed","progressDetail":{},"id":"b9c2ba6c8ca7"}
                {"status":"1: digest: sha256:d size: 528"}
                {"progressDetail":{},"aux":{"Tag":"1","Digest":"sha256:d","Size":528}}
                """;
        assertEquals("""
                The push refers to repository [127.0.0.1:5000/bb]
                b9c2ba6c8ca7: Preparing
                b9c2ba6c8ca7: Pushed
                1: digest: sha256:d size: 528
                """, render(push, false, 200, aux));
        assertEquals(1, aux.size());
        assertEquals(528L, Json.num(aux.getFirst(), "Size"));

        CliException e = assertThrows(CliException.class, () -> render("""
                {"status":"Preparing","progressDetail":{},"id":"x"}
                {"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}
                {"status":"never shown"}
                """, false, 200, null));
        assertEquals("unauthorized: authentication required", e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void timestampsAndStreamsAsDockerShowsThem() throws Exception {
        String out = render("{\"stream\":\"Step 1/2\\n\"}\n{\"status\":\"s\",\"id\":\"i\",\"from\":\"busybox\",\"timeNano\":1700000000000000000}\n",
                false, 200, null);
        assertTrue(out.startsWith("Step 1/2\n"), out);
        assertTrue(out.endsWith(" i: (from busybox) s\n"), out);
        assertTrue(out.contains("2023-11-1"), out);
    }
}
