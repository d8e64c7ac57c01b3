package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.cli.json.Json;
import org.junit.jupiter.api.Test;

/** ps PORTS as docker 28 prints it (more cases, captured from docker, in Docker28FixturesTest). */
class PortsColumnTest {
    private static String ports(String json) { return PortsColumn.format(Json.list(Json.parse(json))); }

    @Test
    void publishedAndExposed() {
        assertEquals("", ports("[]"));
        assertEquals("0.0.0.0:8080->80/tcp", ports("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"}]"));
        assertEquals("80/tcp", ports("[{\"PrivatePort\":80,\"Type\":\"tcp\"}]"));
        assertEquals("443/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp", ports("[{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":443,\"Type\":\"tcp\"},{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"}]"));
    }

    @Test
    void rangesCollapseOnlyWhenHostAndContainerPortsAreEqual() {
        // -p 8000-8001:8000-8001
        assertEquals("0.0.0.0:8000-8001->8000-8001/tcp", ports("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":8001,\"PublicPort\":8001,\"Type\":\"tcp\"},"
                + "{\"IP\":\"0.0.0.0\",\"PrivatePort\":8000,\"PublicPort\":8000,\"Type\":\"tcp\"}]"));
        // -p 8000-8001:80-81: docker shows every mapping
        assertEquals("0.0.0.0:8000->80/tcp, 0.0.0.0:8001->81/tcp", ports("[{\"IP\":\"0.0.0.0\",\"PrivatePort\":81,\"PublicPort\":8001,\"Type\":\"tcp\"},"
                + "{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8000,\"Type\":\"tcp\"}]"));
        // --expose 7000-7002 --expose 7004/udp 7005/udp
        assertEquals("7000-7002/tcp, 7004-7005/udp", ports("[{\"PrivatePort\":7002,\"Type\":\"tcp\"},{\"PrivatePort\":7000,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":7001,\"Type\":\"tcp\"},{\"PrivatePort\":7004,\"Type\":\"udp\"},{\"PrivatePort\":7005,\"Type\":\"udp\"}]"));
        // a gap closes a run at once; open runs follow in the order they started
        assertEquals("90-91/tcp, 53/udp, 93/tcp", ports("[{\"PrivatePort\":93,\"Type\":\"tcp\"},{\"PrivatePort\":90,\"Type\":\"tcp\"},"
                + "{\"PrivatePort\":53,\"Type\":\"udp\"},{\"PrivatePort\":91,\"Type\":\"tcp\"}]"));
        assertEquals("[::1]:9000-9001->9000-9001/udp", ports("[{\"IP\":\"::1\",\"PrivatePort\":9000,\"PublicPort\":9000,\"Type\":\"udp\"},"
                + "{\"IP\":\"::1\",\"PrivatePort\":9001,\"PublicPort\":9001,\"Type\":\"udp\"}]"));
    }
}
