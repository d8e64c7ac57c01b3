package dev.berth.cli.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void fieldsLikeGoCsv() {
        assertEquals(List.of(), Csv.fields(""));
        assertEquals(List.of("a"), Csv.fields("a"));
        assertEquals(List.of("a", "b", "c"), Csv.fields("a,b,c"));
        assertEquals(List.of("a", ""), Csv.fields("a,"));
        assertEquals(List.of("", "b"), Csv.fields(",b"));
        assertEquals(List.of("a,b", "c"), Csv.fields("\"a,b\",c"));
        assertEquals(List.of("say \"hi\""), Csv.fields("\"say \"\"hi\"\"\""));
        assertEquals(List.of("name=n1", "driver-opt=a=b"), Csv.fields("name=n1,driver-opt=a=b"));
        assertThrows(IllegalArgumentException.class, () -> Csv.fields("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> Csv.fields("\"ab"));
        assertThrows(IllegalArgumentException.class, () -> Csv.fields("\"a\"b"));
        assertEquals(List.of("10.5.0.0/16", "10.6.0.0/16", "10.7.0.0/16"), Csv.all(List.of("10.5.0.0/16,10.6.0.0/16", "10.7.0.0/16")));
    }
}
