package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GoTimeTest {
    @Test
    void timeStringOfApiTimestamps() {
        assertEquals("2025-01-02 03:04:05.123456789 +0000 UTC", GoTime.string("2025-01-02T03:04:05.123456789Z"));
        assertEquals("2025-01-02 03:04:05.5 +0000 UTC", GoTime.string("2025-01-02T03:04:05.500Z"));
        assertEquals("2025-01-02 03:04:05 +0000 UTC", GoTime.string("2025-01-02T03:04:05Z"));
        assertEquals("0001-01-01 00:00:00 +0000 UTC", GoTime.string(""));
        // an offset that is not the local zone's is its own name, as in Go's fabricated location
        boolean localIsNepal = java.time.ZoneId.systemDefault().getRules()
                .getOffset(java.time.Instant.parse("2025-01-01T21:19:05Z")).getTotalSeconds() == 20700;
        if (!localIsNepal) assertEquals("2025-01-02 03:04:05 +0545 +0545", GoTime.string("2025-01-02T03:04:05+05:45"));
    }
}
