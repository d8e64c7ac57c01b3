package dev.berth.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parseAndNavigate() {
        Object v = Json.parse("{\"a\":{\"b\":[1,2.5,\"x\\u00e9\\n\",true,null]},\"big\":12345678901234567890}");
        assertEquals(List.of(1L, new java.math.BigDecimal("2.5"), "x\u00e9\n", true), Json.list(v, "a", "b").subList(0, 4));
        assertNull(Json.list(v, "a", "b").get(4));
        assertEquals("", Json.str(v, "missing", "deeper"));
        assertEquals(0, Json.num(v, "missing"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
    }

    @Test
    void writeEscapesLikeGo() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("p", "0.0.0.0:80->80/tcp & \"q\"");
        m.put("n", null);
        m.put("l", List.of(1L, true));
        assertEquals("{\"p\":\"0.0.0.0:80-\\u003e80/tcp \\u0026 \\\"q\\\"\",\"n\":null,\"l\":[1,true]}", Json.toJson(m));
    }

    @Test
    void indentLikeGoJsonIndent() {
        String raw = "[{\"Id\":\"a\",\"Args\":[],\"Labels\":{},\"S\":{\"x\":\"a,b:c\"},\"N\":[1,2]}]";
        String expected = """
                [
                    {
                        "Id": "a",
                        "Args": [],
                        "Labels": {},
                        "S": {
                            "x": "a,b:c"
                        },
                        "N": [
                            1,
                            2
                        ]
                    }
                ]""";
        assertEquals(expected, Json.indent(raw, "    "));
    }

    @Test
    void streamOfValues() throws Exception {
        StringReader r = new StringReader("{\"a\":\"}\"}\n{\"b\":2}{\"c\":[3]}\n\n");
        assertEquals("{\"a\":\"}\"}", Json.nextValue(r));
        assertEquals("{\"b\":2}", Json.nextValue(r));
        assertEquals("{\"c\":[3]}", Json.nextValue(r));
        assertNull(Json.nextValue(r));
    }

    @Test
    void compactKeepsTokens() {
        assertEquals("[{\"a\":\"x y\\\" z\",\"b\":[1,2.50,null]}]", Json.compact("[ {\n \"a\" : \"x y\\\" z\",\n \"b\": [1, 2.50, null]\n} ]"));
    }
}
