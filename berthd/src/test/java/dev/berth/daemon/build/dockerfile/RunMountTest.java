package dev.berth.daemon.build.dockerfile;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.errors.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMountTest {
    private static final Expander E = new Expander('\\', Map.of("DIR", "/root/.cache", "ID", "pip"));

    private static String error(String raw) {
        return assertThrows(BerthException.InvalidArgument.class, () -> RunMount.parse(raw, E)).getMessage();
    }

    @Test
    void defaultsAndExpansion() {
        RunMount bind = RunMount.parse("target=/src", E);
        assertEquals("bind", bind.type());
        assertTrue(bind.readOnly());
        assertEquals("/src", bind.target());

        RunMount cache = RunMount.parse("type=cache,target=$DIR,id=${ID},sharing=locked,mode=0755,uid=1000", E);
        assertEquals("cache", cache.type());
        assertFalse(cache.readOnly());
        assertEquals("/root/.cache", cache.target());
        assertEquals("pip", cache.id());
        assertEquals("locked", cache.sharing());
        assertEquals(0755L, cache.mode());
        assertEquals(1000L, cache.uid());
        assertNull(cache.gid());

        RunMount tmpfs = RunMount.parse("type=tmpfs,dst=/tmp,size=64m", E);
        assertEquals(64L << 20, tmpfs.sizeLimit());
        assertFalse(tmpfs.readOnly());

        RunMount rw = RunMount.parse("type=bind,from=build,source=/out,target=/in,rw", E);
        assertFalse(rw.readOnly());
        assertEquals("build", rw.from());
        assertEquals("/out", rw.source());

        RunMount secret = RunMount.parse("type=secret,id=tok,env=TOKEN,required", E);
        assertTrue(secret.required());
        assertEquals("TOKEN", secret.env());
        assertTrue(secret.readOnly());

        assertEquals(List.of("a", "b,c", "d\"e"), RunMount.csvFields("a,\"b,c\",\"d\"\"e\""));

        Instruction.Run run = (Instruction.Run) DockerfileParser.parseInstruction(
                "RUN --mount=type=cache,target=$DIR --mount=type=secret,id=x true");
        assertEquals(List.of("/root/.cache", "x"),
                run.parsedMounts(E).stream().map(m -> m.target() != null ? m.target() : m.id()).toList());
    }

    @Test
    void errorsUseDockersWording() {
        assertEquals("unsupported mount type \"nfs\"", error("type=nfs,target=/x"));
        assertEquals("invalid field 'foo' must be a key=value pair", error("foo"));
        assertEquals("unexpected key 'required' for mount type 'bind'", error("required"));
        assertEquals("unexpected key 'size' for mount type 'bind'", error("size=1m"));
        assertEquals("invalid value for ro: maybe", error("ro=maybe"));
        assertEquals("unsupported sharing value \"all\"", error("type=cache,target=/x,sharing=all"));
        assertEquals("invalid cache sharing set for bind mount", error("target=/x,sharing=shared"));
        assertEquals("mode not allowed for \"bind\" type mounts", error("target=/x,mode=0644"));
        assertEquals("invalid value 9 for mode", error("type=cache,target=/x,mode=9"));
        assertEquals("invalid value x for uid", error("type=cache,target=/x,uid=x"));
        assertEquals("unexpected key 'bogus' in 'bogus=1'", error("bogus=1"));
        assertEquals("secret mount should not have a from", error("type=secret,id=a,from=b"));
        assertEquals("invalid secret mount. one of source, target required", error("type=secret"));
        assertEquals("both source and id can't be set", error("type=secret,id=a,source=b"));
        assertEquals("'from' doesn't support variable expansion, define alias stage instead", error("from=$X"));
    }
}
