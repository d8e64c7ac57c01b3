package dev.berth.cli.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacAddressTest {
    @Test
    void goParseMacForms() {
        for (String ok : new String[] {"02:42:ac:11:00:02", "02-42-AC-11-00-02", "0242.ac11.0002", "02:42:ac:11:00:02:00:01",
            "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01"}) {
            assertTrue(MacAddress.valid(ok), ok);
        }
        for (String bad : new String[] {"", "bad", "zz", "02:42:ac:11:00", "02:42:ac:11:00:0g", "02:42-ac:11:00:02",
            "02:42:ac:11:00:02:03", "0242.ac11.000", "02:42:ac:11:00:02 "}) {
            assertFalse(MacAddress.valid(bad), bad);
        }
    }
}
