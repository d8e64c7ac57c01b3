package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registry settings from flags and daemon.json, as dockerd takes them. */
class DaemonFlagsTest {
    @TempDir Path dir;

    private DaemonConfig parse(String json, String... flags) throws Exception {
        Path f = dir.resolve("daemon.json");
        Files.writeString(f, json);
        String[] args = new String[flags.length + 2];
        args[0] = "--config-file";
        args[1] = f.toString();
        System.arraycopy(flags, 0, args, 2, flags.length);
        return DaemonFlags.parse(args);
    }

    @Test void registryListsComeFromTheFileOrRepeatedFlags() throws Exception {
        DaemonConfig c = parse("{\"insecure-registries\": [\"10.0.0.0/8\", \"reg.test:5000\"], \"registry-mirrors\": [\"https://m.test\"]}");
        assertEquals(List.of("10.0.0.0/8", "reg.test:5000"), c.insecureRegistries());
        assertEquals(List.of("https://m.test"), c.registryMirrors());
        DaemonConfig f = parse("{}", "--insecure-registry", "a:1", "--insecure-registry=b:2");
        assertEquals(List.of("a:1", "b:2"), f.insecureRegistries());
        assertEquals(List.of(Path.of("/etc/berth/certs.d"), Path.of("/etc/docker/certs.d")), f.registryCertsDirs());
    }

    @Test void badValuesAreRefused() {
        assertThrows(DaemonFlags.Exit.class, () -> parse("{\"registry-mirrors\": [\"ftp://m.test\"]}"));
        assertThrows(DaemonFlags.Exit.class, () -> parse("{}", "--push-compression-level", "0"));
        assertThrows(DaemonFlags.Exit.class, () -> parse("{}", "--push-compression-level", "10"));
        assertThrows(DaemonFlags.Exit.class, () -> parse("{}", "--max-download-attempts", "-1"));
    }

    @Test void pushCompressionDefaultsToTheFastestLevel() throws Exception {
        assertEquals(1, parse("{}").pushCompressionLevel());
        assertEquals(6, parse("{\"push-compression-level\": 6}").pushCompressionLevel());
    }
}
