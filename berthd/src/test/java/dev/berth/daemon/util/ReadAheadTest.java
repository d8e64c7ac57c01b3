package dev.berth.daemon.util;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    @Test void deliversTheSameBytes() throws IOException {
        byte[] data = new byte[3_000_001];
        new Random(1).nextBytes(data);
        try (ReadAhead r = new ReadAhead(new ByteArrayInputStream(data), 64 * 1024, 4)) {
            assertArrayEquals(data, r.readAllBytes());
        }
    }

    @Test void aSourceFailureArrivesAfterTheBytesBeforeIt() throws IOException {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[1000]), new InputStream() {
            @Override public int read() throws IOException { throw new IOException("connection reset"); }
        });
        try (ReadAhead r = new ReadAhead(failing, 100, 2)) {
            assertEquals(1000, r.readNBytes(1000).length);
            IOException e = assertThrows(IOException.class, r::read);
            assertEquals("connection reset", e.getMessage());
        }
    }

    @Test void closeStopsAReaderBlockedOnAFullQueue() throws IOException {
        InputStream endless = new InputStream() {
            @Override public int read() { return 7; }
            @Override public int read(byte[] b, int off, int len) { java.util.Arrays.fill(b, off, off + len, (byte) 7); return len; }
        };
        ReadAhead r = new ReadAhead(endless, 1024, 2);
        assertEquals(7, r.read());
        r.close(); // returns: the reader thread ended
    }
}
