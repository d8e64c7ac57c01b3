package dev.berth.cli.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagSpecTest {
    private static FlagSpec run() {
        return new FlagSpec().bool('d', "detach", "").bool('i', "interactive", "").bool('t', "tty", "")
                .string((char) 0, "name", "string", "", "").list('e', "env", "list", "")
                .bool((char) 0, "rm", "").string((char) 0, "network", "network", "", "").alias("net", "network")
                .string('h', "hostname", "string", "", "").stopAtFirstPositional();
    }

    @Test
    void combinedShortBooleansAndValues() throws FlagException {
        ParsedArgs a = run().parse(List.of("-it", "--name=web", "-e", "A=1", "-eB=2", "-e=C=3", "--net", "host", "busybox", "sh"));
        assertTrue(a.bool("interactive"));
        assertTrue(a.bool("tty"));
        assertFalse(a.bool("detach"));
        assertEquals("web", a.str("name"));
        assertEquals(List.of("A=1", "B=2", "C=3"), a.list("env"));
        assertEquals("host", a.str("network"));
        assertEquals(List.of("busybox", "sh"), a.positionals());
    }

    @Test
    void flagsAfterTheImageBelongToTheCommand() throws FlagException {
        ParsedArgs a = run().parse(List.of("--rm", "busybox", "ls", "-la", "--name", "x"));
        assertTrue(a.bool("rm"));
        assertEquals(List.of("busybox", "ls", "-la", "--name", "x"), a.positionals());
        assertFalse(a.has("name"));
    }

    @Test
    void interspersedPositionalsAndDoubleDash() throws FlagException {
        FlagSpec rm = new FlagSpec().bool('f', "force", "");
        ParsedArgs a = rm.parse(List.of("a", "-f", "b", "--", "-c"));
        assertTrue(a.bool("force"));
        assertEquals(List.of("a", "b", "-c"), a.positionals());
    }

    @Test
    void boolWithExplicitValue() throws FlagException {
        ParsedArgs a = run().parse(List.of("--rm=false", "-d=true", "img"));
        assertFalse(a.bool("rm"));
        assertTrue(a.has("rm"));
        assertTrue(a.bool("detach"));
    }

    @Test
    void emptyValueIsKept() throws FlagException {
        ParsedArgs a = new FlagSpec().string((char) 0, "entrypoint", "string", "", "").parse(List.of("--entrypoint", "", "img"));
        assertTrue(a.has("entrypoint"));
        assertEquals("", a.str("entrypoint"));
    }

    @Test
    void errorsReadLikeCobra() {
        assertEquals("unknown flag: --bogus", assertThrows(FlagException.class, () -> run().parse(List.of("--bogus"))).getMessage());
        assertEquals("unknown shorthand flag: 'z' in -iz",
                assertThrows(FlagException.class, () -> run().parse(List.of("-iz"))).getMessage());
        assertEquals("flag needs an argument: --name", assertThrows(FlagException.class, () -> run().parse(List.of("--name"))).getMessage());
        assertEquals("flag needs an argument: 'e' in -e", assertThrows(FlagException.class, () -> run().parse(List.of("-e"))).getMessage());
        FlagSpec ps = new FlagSpec().integer('n', "last", "-1", "");
        assertTrue(assertThrows(FlagException.class, () -> ps.parse(List.of("-n", "x"))).getMessage()
                .startsWith("invalid argument \"x\" for \"-n, --last\" flag"));
    }

    @Test
    void helpFlag() throws FlagException {
        assertTrue(new FlagSpec().parse(List.of("--help")).help());
        assertTrue(new FlagSpec().parse(List.of("-h")).help());
        assertFalse(run().parse(List.of("-h", "box", "img")).help()); // -h is --hostname for run
    }
}
