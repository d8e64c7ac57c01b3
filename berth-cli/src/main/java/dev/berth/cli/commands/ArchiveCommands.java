package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.term.Terminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** save and load: image archives to and from a file or the standard streams, as the docker CLI does. */
public final class ArchiveCommands {
    private ArchiveCommands() {}

    /**
     * {@code save [-o FILE] IMAGE...}: {@code GET /images/get?names=…}. Without -o the tar goes
     * to stdout, never to a terminal; with -o it is written to a temp file beside FILE and
     * renamed when complete (docker's atomic writer), so FILE is never a cut-off archive.
     */
    public static int save(Cli cli, ParsedArgs a) throws IOException, CliException {
        String output = a.str("output", "");
        if (output.isEmpty() && Terminal.isTerminal(1)) {
            throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect", 1);
        }
        if (!output.isEmpty()) {
            String problem = outputPathProblem(Path.of(output));
            if (problem != null) throw new CliException("failed to save image: " + problem, 1);
        }
        Query q = new Query();
        for (String name : a.positionals()) q.add("names", name);
        try (HttpResponse r = cli.client().stream("GET", "/images/get" + q, null)) {
            if (output.isEmpty()) {
                r.body().transferTo(cli.out);
                cli.out.flush();
                if (cli.out.checkError()) throw new CliException("failed to write the archive to stdout", 1);
            } else {
                copyToFile(r.body(), Path.of(output));
            }
        }
        return 0;
    }

    /**
     * Why {@code path} cannot take the archive, in the docker CLI's words, or null: its
     * directory must exist, and the path must be absent or a plain regular file (the archive is
     * renamed over it, so writing "into" a device or through a symlink is refused).
     */
    static String outputPathProblem(Path path) {
        Path dir = path.getParent();
        if (dir != null && !dir.toString().equals("..")) {
            if (!Files.exists(dir)) return "invalid output path: stat " + dir + ": no such file or directory";
            if (!Files.isDirectory(dir)) return "invalid output path: stat " + dir + ": not a directory";
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "failed to stat output path: " + e.getMessage();
        }
        return switch (mode & 0170000) {
            case 0100000 -> (mode & 04000) != 0 ? "cannot write to a setuid file"
                    : (mode & 02000) != 0 ? "cannot write to a setgid file"
                    : (mode & 01000) != 0 ? "cannot write to a sticky bit file" : null;
            case 0040000 -> "cannot write to a directory";
            case 0120000 -> "cannot write to a symbolic link directly";
            case 0010000 -> "cannot write to a named pipe (FIFO)";
            case 0140000 -> "cannot write to a socket";
            case 0020000 -> "cannot write to a character device file";
            case 0060000 -> "cannot write to a block device file";
            default -> "unknown file mode: " + Integer.toOctalString(mode);
        };
    }

    /** Writes a temp file beside {@code target}, synced and mode 0600, renamed over it once complete. */
    static void copyToFile(InputStream in, Path target) throws IOException {
        Path dir = target.toAbsolutePath().normalize().getParent();
        Path temp = Files.createTempFile(dir, ".tmp-" + target.getFileName(), "");
        try {
            long written;
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                written = in.transferTo(Channels.newOutputStream(ch));
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            if (written > 0) Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * {@code load [-i FILE] [-q]}: streams the archive as the body of {@code POST /images/load};
     * progress is asked for only when stdout is a terminal (docker's rule), and the daemon's
     * "Loaded image" messages are printed either way.
     */
    public static int load(Cli cli, ParsedArgs a) throws IOException, CliException {
        String input = a.str("input", "");
        if (input.isEmpty() && Terminal.isTerminal(0)) throw new CliException("requested load from stdin, but stdin is empty", 1);
        boolean terminal = Terminal.isTerminal(1);
        boolean quiet = a.bool("quiet") || !terminal;
        InputStream body;
        if (input.isEmpty()) {
            body = cli.in;
        } else {
            try {
                body = Files.newInputStream(Path.of(input));
            } catch (NoSuchFileException e) {
                throw new CliException("open " + input + ": no such file or directory", 1);
            }
        }
        Query q = new Query().add("quiet", quiet ? "1" : "0");
        try (InputStream in = body;
             HttpResponse r = cli.client().upload("POST", "/images/load" + q, in, "application/x-tar")) {
            JsonMessages.display(cli, r.body(), terminal);
        }
        return 0;
    }
}
