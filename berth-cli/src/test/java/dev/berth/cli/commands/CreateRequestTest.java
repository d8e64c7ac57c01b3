package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.json.Json;
import org.junit.jupiter.api.Test;

/** Create-body details beyond the captured cases of Docker28FixturesTest. */
class CreateRequestTest {
    @Test
    void initFalseIsSentAndRunDetachedWarnsAboutLoopbackDns() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            d.answer(r -> r.path().endsWith("/create") ? FakeDaemon.Response.json(201, "{\"Id\":\"c1\"}") : new FakeDaemon.Response(204, "text/plain", ""));
            FakeDaemon.Result r = d.berth("", "run", "-d", "--init=false", "--dns", "127.0.0.53", "--dns", "::1", "busybox");
            assertEquals(0, r.code(), r.err());
            assertEquals("c1\n", r.out());
            assertEquals("WARNING: Localhost DNS (127.0.0.53) may fail in containers.\nWARNING: Localhost DNS (::1) may fail in containers.\n", r.err());
            Object body = Json.parse(d.requests.getFirst().body());
            assertEquals(Boolean.FALSE, Json.get(body, "HostConfig", "Init"));
            assertEquals("[\"127.0.0.53\",\"::1\"]", Json.toJson(Json.get(body, "HostConfig", "Dns")));
        }
    }

    @Test
    void theZeroBodyIsDockers() throws Exception {
        // the template must stay valid JSON with docker's first and last fields
        Object zero = Json.parse(CreateRequest.DOCKER_28_ZERO);
        assertEquals("Hostname", Json.obj(zero).keySet().iterator().next());
        assertEquals(-1L, Json.get(zero, "HostConfig", "MemorySwappiness"));
    }
}
