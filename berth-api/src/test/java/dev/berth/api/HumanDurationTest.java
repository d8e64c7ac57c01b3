package dev.berth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {
    @Test
    void matchesDockersUnits() {
        assertEquals("Less than a second", HumanDuration.of(Duration.ofMillis(500)));
        assertEquals("1 second", HumanDuration.of(Duration.ofSeconds(1)));
        assertEquals("59 seconds", HumanDuration.of(Duration.ofSeconds(59)));
        assertEquals("About a minute", HumanDuration.of(Duration.ofSeconds(60)));
        assertEquals("About a minute", HumanDuration.of(Duration.ofSeconds(119)));
        assertEquals("2 minutes", HumanDuration.of(Duration.ofSeconds(120)));
        assertEquals("59 minutes", HumanDuration.of(Duration.ofMinutes(59)));
        assertEquals("About an hour", HumanDuration.of(Duration.ofMinutes(60)));
        assertEquals("About an hour", HumanDuration.of(Duration.ofMinutes(89)));
        assertEquals("2 hours", HumanDuration.of(Duration.ofMinutes(90)));
        assertEquals("47 hours", HumanDuration.of(Duration.ofHours(47)));
        assertEquals("2 days", HumanDuration.of(Duration.ofHours(48)));
        assertEquals("13 days", HumanDuration.of(Duration.ofDays(13)));
        assertEquals("2 weeks", HumanDuration.of(Duration.ofDays(14)));
        assertEquals("8 weeks", HumanDuration.of(Duration.ofDays(59)));
        assertEquals("2 months", HumanDuration.of(Duration.ofDays(60)));
        assertEquals("24 months", HumanDuration.of(Duration.ofDays(729)));
        assertEquals("2 years", HumanDuration.of(Duration.ofDays(730)));
    }
}
