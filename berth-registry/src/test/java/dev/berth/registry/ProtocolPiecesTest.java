package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Digest parsing, byte ranges, names, tags, pagination, config values. */
class ProtocolPiecesTest {
    private static final String HEX = "a".repeat(64);

    @Test void digests() {
        assertEquals("sha256:" + HEX, Digests.parse("sha256:" + HEX).toString());
        for (String bad : new String[] {"", "sha256:", "sha256:" + "A".repeat(64), "sha256:abc", "nope", ":" + HEX}) {
            assertEquals(ErrorCode.DIGEST_INVALID, assertThrows(RegistryException.class, () -> Digests.parse(bad)).code, bad);
        }
        RegistryException e = assertThrows(RegistryException.class, () -> Digests.parse("sha512:" + "a".repeat(128)));
        assertTrue(e.getMessage().contains("only sha256"), e.getMessage());
        assertTrue(Digests.isDigest("sha256:" + HEX));
        assertFalse(Digests.isDigest("latest"));
    }

    @Test void repositoryNames() {
        for (String ok : new String[] {"a", "library/busybox", "a.b/c_d/e__f/g-h", "a--b", "x/y/z/w", "0"}) {
            assertTrue(RepositoryName.valid(ok), ok);
            assertEquals(ok, new RepositoryName(ok).value());
        }
        for (String bad : new String[] {"", "A", "a/", "/a", "a//b", "-a", "a-", "a___b", "a..b", "_a", "a/_manifests", "a b",
                "a".repeat(256)}) {
            assertFalse(RepositoryName.valid(bad), bad);
            assertEquals(ErrorCode.NAME_INVALID, assertThrows(RegistryException.class, () -> new RepositoryName(bad)).code);
        }
    }

    @Test void tags() {
        assertTrue(Tag.valid("latest"));
        assertTrue(Tag.valid("_v1.0-rc.1"));
        assertTrue(Tag.valid("a".repeat(128)));
        assertFalse(Tag.valid("a".repeat(129)));
        assertFalse(Tag.valid(".hidden"));
        assertFalse(Tag.valid("-x"));
        assertFalse(Tag.valid("a/b"));
    }

    @Test void getRanges() throws Exception {
        assertNull(ByteRanges.range(null, 10));
        assertEquals(new ByteRanges.Span(0, 9), ByteRanges.range("bytes=0-", 10));
        assertEquals(new ByteRanges.Span(2, 4), ByteRanges.range("bytes=2-4", 10));
        assertEquals(new ByteRanges.Span(5, 9), ByteRanges.range("bytes=5-100", 10));
        assertEquals(new ByteRanges.Span(7, 9), ByteRanges.range("bytes=-3", 10));
        assertEquals(new ByteRanges.Span(0, 9), ByteRanges.range("bytes=-30", 10));
        assertNull(ByteRanges.range("bytes=0-1,3-4", 10)); // multipart: answered whole
        assertNull(ByteRanges.range("items=0-1", 10));
        assertThrows(ByteRanges.Unsatisfiable.class, () -> ByteRanges.range("bytes=10-", 10));
        assertThrows(ByteRanges.Unsatisfiable.class, () -> ByteRanges.range("bytes=4-2", 10));
        assertThrows(ByteRanges.Unsatisfiable.class, () -> ByteRanges.range("bytes=-0", 10));
    }

    @Test void contentRanges() {
        assertNull(ByteRanges.contentRange(null));
        assertEquals(new ByteRanges.Span(0, 1023), ByteRanges.contentRange("0-1023"));
        assertEquals(new ByteRanges.Span(10, 19), ByteRanges.contentRange("bytes 10-19/*"));
        assertEquals(10, ByteRanges.contentRange("10-19").length());
        for (String bad : new String[] {"x", "5-2", "-3", "a-b", "-1-2"}) {
            assertEquals(ErrorCode.RANGE_INVALID, assertThrows(RegistryException.class, () -> ByteRanges.contentRange(bad)).code, bad);
        }
        assertEquals("0-0", ByteRanges.uploaded(0));
        assertEquals("0-9", ByteRanges.uploaded(10));
    }

    @Test void pages() {
        List<String> all = List.of("a", "b", "c", "d");
        assertEquals(new Page(all, false), Page.of(all, null, -1));
        assertEquals(new Page(List.of("a", "b"), true), Page.of(all, null, 2));
        assertEquals(new Page(List.of("c", "d"), false), Page.of(all, "b", 2));
        assertEquals(new Page(List.of("c"), true), Page.of(all, "bb", 1));
        assertEquals(new Page(List.of(), false), Page.of(all, "d", 2));
        assertEquals(new Page(List.of(), false), Page.of(all, null, 0));
        assertEquals(new Page(all, false), Page.of(all, null, 4));
        assertEquals(-1, Page.limit(null));
        assertEquals(5, Page.limit("5"));
        assertEquals(ErrorCode.PAGINATION_NUMBER_INVALID, assertThrows(RegistryException.class, () -> Page.limit("-1")).code);
        assertEquals(ErrorCode.PAGINATION_NUMBER_INVALID, assertThrows(RegistryException.class, () -> Page.limit("x")).code);
    }

    @Test void configValues() {
        assertEquals(Duration.ofHours(1), RegistryConfig.duration("1h"));
        assertEquals(Duration.ofMinutes(150), RegistryConfig.duration("2h30m"));
        assertEquals(Duration.ofMillis(1500), RegistryConfig.duration("1s500ms"));
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.duration("1d"));
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.duration("h"));
        assertEquals(5000, RegistryConfig.address("127.0.0.1:5000").getPort());
        assertEquals("127.0.0.1", RegistryConfig.address("127.0.0.1:5000").getHostString());
        assertEquals(0, RegistryConfig.address(":0").getPort());
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.address("nohost"));
        assertThrows(IllegalArgumentException.class, () -> RegistryConfig.address("h:99999"));
    }
}
