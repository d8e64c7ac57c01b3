package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.cli.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
    private static final Object C = Json.parse("""
            {"Id":"abc","State":{"Status":"running","Running":true,"ExitCode":0},
             "Config":{"Env":["A=1","B=2"],"Labels":{"z":"1","a":"2"},"Tty":false,"Entrypoint":null},
             "NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}}}""");

    private static String run(String t) { return GoTemplate.parse(t).execute(C); }

    @Test
    void fieldsAndLiterals() {
        assertEquals("running", run("{{.State.Status}}"));
        assertEquals("abc running 0 true", run("{{.Id}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"));
        assertEquals("<no value>", run("{{.Nope}}"));
        assertEquals("<nil>", run("{{.Config.Entrypoint}}"));
        assertEquals("[A=1 B=2]", run("{{.Config.Env}}"));
        assertEquals("map[a:2 z:1]", run("{{.Config.Labels}}"));
    }

    @Test
    void functions() {
        assertEquals("{\"Env\":[\"A=1\",\"B=2\"],\"Labels\":{\"z\":\"1\",\"a\":\"2\"},\"Tty\":false,\"Entrypoint\":null}", run("{{json .Config}}"));
        assertEquals("A=1,B=2", run("{{join .Config.Env \",\"}}"));
        assertEquals("RUNNING", run("{{upper .State.Status}}"));
        assertEquals("RUNNING", run("{{.State.Status | upper}}"));
        assertEquals("2", run("{{index .Config.Labels \"a\"}}"));
        assertEquals("172.17.0.2", run("{{with index .NetworkSettings.Networks \"bridge\"}}{{.IPAddress}}{{end}}"));
        assertEquals("2", run("{{len .Config.Env}}"));
    }

    @Test
    void controlFlow() {
        assertEquals("up", run("{{if .State.Running}}up{{else}}down{{end}}"));
        assertEquals("yes", run("{{if eq .State.Status \"running\"}}yes{{end}}"));
        assertEquals("A=1;B=2;", run("{{range .Config.Env}}{{.}};{{end}}"));
        assertEquals("a=2 z=1 ", run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}"));
        assertEquals("172.17.0.2", run("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"));
        assertEquals("x-y", run("x {{- \"-\" -}} y"));
        assertEquals("abc", run("{{$.Id}}"));
    }

    @Test
    void methodLikeFunctionValues() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Label", (java.util.function.Function<Object, Object>) k -> "v-" + k);
        assertEquals("v-com.x", GoTemplate.parse("{{.Label \"com.x\"}}").execute(row));
    }

    @Test
    void dockerEscapes() {
        assertEquals("a\tb\nc", GoTemplate.unescape("a\\tb\\nc"));
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{.Id"));
        assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{if .Id}}x"));
        assertThrows(IllegalArgumentException.class, () -> run("{{nosuchfunc .Id}}"));
    }
}
