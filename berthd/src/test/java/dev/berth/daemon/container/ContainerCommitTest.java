package dev.berth.daemon.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerCommitTest {
    private static ObjectNode json(String s) {
        return (ObjectNode) Json.parse(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void mergeFillsOnlyWhatTheUserLeftEmpty() {
        ObjectNode user = json("""
                {"Env":["A=user"],"Labels":{"x":"user"},"ExposedPorts":{"80/tcp":{}},"Cmd":["run"]}""");
        ObjectNode ctr = json("""
                {"User":"app","Env":["A=ctr","PATH=/bin"],"Labels":{"x":"ctr","y":"ctr"},"ExposedPorts":{"443/tcp":{}},
                 "Cmd":["old"],"Entrypoint":["/init"],"WorkingDir":"/srv","StopSignal":"SIGINT"}""");
        ContainerCommit.merge(user, ctr);
        assertEquals(json("""
                {"Env":["A=user","PATH=/bin"],"Labels":{"x":"user","y":"ctr"},"ExposedPorts":{"80/tcp":{},"443/tcp":{}},
                 "Cmd":["run"],"User":"app","Entrypoint":["/init"],"WorkingDir":"/srv","StopSignal":"SIGINT"}"""), user);
    }

    @Test
    void changesApplyToTheContainersConfig() {
        ContainerRecord r = new ContainerRecord();
        r.config = json("""
                {"Hostname":"abc","Env":["KEEP=1"],"Cmd":["sh"],"Labels":{}}""");
        ObjectNode c = ContainerCommit.newConfig(r, new ContainerCommit.Options("abc", null, null, null, null,
                List.of("CMD [\"cat\", \"/hello\"]", "ENV FOO=bar"), null));
        assertEquals("[\"cat\",\"/hello\"]", c.get("Cmd").toString());
        assertEquals("[\"KEEP=1\",\"FOO=bar\"]", c.get("Env").toString());
        assertEquals("abc", c.get("Hostname").asText());
    }
}
