package dev.berth.api;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import org.junit.jupiter.api.Test;

class StreamFramesTest {
    @Test
    void roundTripsFramesOfBothStreams() throws Exception {
        var out = new ByteArrayOutputStream();
        StreamFrames.write(out, StreamFrames.STDOUT, "hello\n".getBytes(), 0, 6);
        StreamFrames.write(out, StreamFrames.STDERR, "oops".getBytes(), 0, 4);
        byte[] bytes = out.toByteArray();
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 6}, java.util.Arrays.copyOf(bytes, 8));
        var in = new ByteArrayInputStream(bytes);
        var a = StreamFrames.read(in);
        var b = StreamFrames.read(in);
        assertEquals(1, a.stream());
        assertEquals("hello\n", new String(a.payload()));
        assertEquals(2, b.stream());
        assertEquals("oops", new String(b.payload()));
        assertNull(StreamFrames.read(in));
    }

    @Test
    void truncatedFrameIsAnError() {
        var in = new ByteArrayInputStream(new byte[] {1, 0, 0, 0, 0, 0, 0, 9, 'x'});
        assertThrows(EOFException.class, () -> StreamFrames.read(in));
    }

    @Test
    void comparesVersionsNumerically() {
        assertTrue(ApiVersion.compare("1.9", "1.24") < 0);
        assertEquals(0, ApiVersion.compare("1.47", "1.47"));
        assertTrue(ApiVersion.compare("1.50", "1.47") > 0);
    }
}
