package dev.berth.daemon.distribution;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.errors.BerthException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistriesTest {
    private final Registries r = new Registries(false, List.of("10.1.0.0/16", "registry.test:5000", "plain.test"), List.of(), List.of());

    @Test void loopbackAndListedRegistriesAreInsecure() {
        assertTrue(r.isInsecure("127.0.0.1:5000"));
        assertTrue(r.isInsecure("localhost:5000"));
        assertTrue(r.isInsecure("[::1]:5000"));
        assertTrue(r.isInsecure("10.1.200.3:443"));
        assertFalse(r.isInsecure("10.2.0.1"));
        assertTrue(r.isInsecure("registry.test:5000"));
        assertFalse(r.isInsecure("registry.test:5001"));
        assertTrue(r.isInsecure("plain.test:8443"));
        assertFalse(r.isInsecure("ghcr.io"));
    }

    @Test void mirrorsApplyToDockerHubOnly() {
        Registries m = new Registries(false, List.of(), List.of("https://mirror.test:5000"), List.of());
        List<Registries.Endpoint> hub = m.pullEndpoints("docker.io");
        assertEquals(2, hub.size());
        assertTrue(hub.get(0).mirror());
        assertEquals("https://mirror.test:5000", hub.get(0).base());
        assertEquals("registry-1.docker.io", hub.get(1).host());
        assertEquals(1, m.pullEndpoints("ghcr.io").size());
        assertThrows(BerthException.class, () -> Registries.mirrorUri("ftp://x"));
    }

    @Test void loopbackOnlyRefusesBeforeAnyLookup() {
        Registries only = Registries.loopbackOnly();
        var e = assertThrows(BerthException.Forbidden.class, () -> only.client("docker.io", null));
        assertTrue(e.getMessage().contains("registry-1.docker.io refused"));
    }
}
