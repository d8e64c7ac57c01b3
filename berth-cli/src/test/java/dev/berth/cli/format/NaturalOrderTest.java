package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
    @Test
    void numbersByValue() {
        List<String> l = new ArrayList<>(List.of("net10", "zeta", "net9", "bridge", "net09", "net", "Net1", "9/tcp -> x",
                "100/tcp -> y", "53/udp -> z", "0.0.0.0:8080", "[::]:8080"));
        l.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("0.0.0.0:8080", "9/tcp -> x", "53/udp -> z", "100/tcp -> y", "Net1", "[::]:8080", "bridge", "net",
                "net9", "net09", "net10", "zeta"), l);
    }
}
