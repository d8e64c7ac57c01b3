package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void humanSizeLikeGoUnits() {
        assertEquals("0B", Units.humanSize(0));
        assertEquals("999B", Units.humanSize(999));
        assertEquals("1kB", Units.humanSize(1000));
        assertEquals("12.3kB", Units.humanSize(12345));
        assertEquals("4.26MB", Units.humanSize(4261234));
        assertEquals("77.9MB", Units.humanSize(77_861_234));
        assertEquals("5.2MB", Units.humanSize(5_200_000));
        assertEquals("123MB", Units.humanSize(123_456_789));
        assertEquals("1e+03kB", Units.humanSize(999_600)); // Go's %.3g switches to exponent form
        assertEquals("1.5GB", Units.humanSize(1_500_000_000L));
    }

    @Test
    void bytesSizeIsBinary() {
        assertEquals("3.84GiB", Units.bytesSize(4_123_456_789L));
        assertEquals("1KiB", Units.bytesSize(1024));
        assertEquals("15.61GiB", Units.bytesSize(16_761_000_000L));
    }

    @Test
    void formatG() {
        assertEquals("0.0001", Units.formatG(0.0001, 3));
        assertEquals("1e-05", Units.formatG(0.00001, 3));
        assertEquals("100", Units.formatG(100, 3));
        assertEquals("1.23e+04", Units.formatG(12345, 3));
    }


    @Test
    void idsAndEllipsis() {
        assertEquals("3f57d9401f8d", Units.shortId("sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"));
        assertEquals("abc", Units.shortId("abc"));
        assertEquals("sh -c 'while true; …", Units.ellipsis("sh -c 'while true; do echo; done'", 20));
        assertEquals("echo hi", Units.ellipsis("echo hi", 20));
    }

    @Test
    void ago() {
        assertEquals("2 minutes ago", Units.ago(1000, 1000_000 + 150_000));
    }
}
