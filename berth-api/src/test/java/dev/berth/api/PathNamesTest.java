package dev.berth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathNamesTest {
    @Test
    void lexicalComponents() {
        assertEquals(List.of("a", "c"), PathNames.components("/./a//b/../c/"));
        assertEquals(List.of(), PathNames.components("/"));
        assertEquals(List.of(), PathNames.components("a/.."));
        assertNull(PathNames.components("../x"));
        assertNull(PathNames.components("a/../../x"));
    }
}
