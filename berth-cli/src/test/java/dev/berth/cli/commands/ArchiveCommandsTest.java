package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCommandsTest {
    @TempDir Path tmp;

    @Test
    void outputPathsAsDockerValidatesThem() throws IOException {
        assertNull(ArchiveCommands.outputPathProblem(tmp.resolve("new.tar")));
        assertNull(ArchiveCommands.outputPathProblem(Path.of("relative.tar")));
        Files.writeString(tmp.resolve("old.tar"), "x");
        assertNull(ArchiveCommands.outputPathProblem(tmp.resolve("old.tar")));
        assertEquals("invalid output path: stat " + tmp.resolve("missing") + ": no such file or directory",
                ArchiveCommands.outputPathProblem(tmp.resolve("missing/x.tar")));
        assertEquals("invalid output path: stat " + tmp.resolve("old.tar") + ": not a directory",
                ArchiveCommands.outputPathProblem(tmp.resolve("old.tar/x.tar")));
        assertEquals("cannot write to a directory", ArchiveCommands.outputPathProblem(tmp));
        assertEquals("cannot write to a character device file", ArchiveCommands.outputPathProblem(Path.of("/dev/null")));
        Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("old.tar"));
        assertEquals("cannot write to a symbolic link directly", ArchiveCommands.outputPathProblem(tmp.resolve("link")));
    }
}
