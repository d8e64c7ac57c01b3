package dev.berth.cli.commands;

import dev.berth.api.DockerIgnore;
import dev.berth.cli.CliException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The build context of {@code berth build}, decided as docker-cli 28's legacy path does
 * ({@code cli/command/image/build/context.go}) and written as a tar while it is sent.
 *
 * <ul>
 * <li>a directory: {@code .dockerignore} applies, but the Dockerfile and {@code .dockerignore}
 *     are always sent; {@code -f} is relative to the working directory, not the context; a
 *     Dockerfile outside the context (or {@code -f -}) travels in the tar as
 *     {@code .dockerfile.<20 hex>}, which is also added to the sent {@code .dockerignore} so
 *     that the daemon leaves it out of the context. Entries: the walk in name order, paths
 *     relative, directories with a trailing '/', symlinks not followed, hard links as links to
 *     the first name seen, owner 0:0, mode and mtime (seconds) kept.</li>
 * <li>{@code -}: standard input, either an archive (tar, or compressed: sent as it is) or a
 *     Dockerfile (sent as a tar holding just {@code Dockerfile}).</li>
 * <li>a git or http(s) URL: refused (berth does not fetch remote contexts).</li>
 * </ul>
 * Nothing is buffered but a Dockerfile that comes from stdin or from outside the context.
 */
final class BuildContext {
    static final String DEFAULT_DOCKERFILE = "Dockerfile";
    private static final int ARCHIVE_HEADER_SIZE = 512;

    /** Writes the request body. */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The body and the {@code dockerfile} query value (empty: the daemon's default). */
    record Prepared(Body body, String dockerfile) {}

    private BuildContext() {}

    /**
     * Decides the context for {@code berth build ARG} with {@code -f dockerfileFlag} (empty when
     * not given). Failures are docker's messages ("unable to prepare context: …", "error
     * checking context: …").
     */
    static Prepared prepare(String context, String dockerfileFlag, InputStream stdin) throws CliException, IOException {
        boolean dockerfileFromStdin = dockerfileFlag.equals("-");
        if (dockerfileFromStdin && context.equals("-")) {
            throw new CliException("invalid argument: can't use stdin for both build context and dockerfile", 1);
        }
        if (context.equals("-")) return fromStdin(stdin, dockerfileFlag);
        if (Files.exists(Path.of(context))) return fromDirectory(context, dockerfileFlag, stdin);
        if (isGitUrl(context) || isUrl(context)) {
            throw new CliException("unable to prepare context: berth does not support remote build contexts (git or URL): " + context, 1);
        }
        throw new CliException("unable to prepare context: path \"" + context + "\" not found", 1);
    }

    static boolean isUrl(String s) { return s.startsWith("http://") || s.startsWith("https://"); }

    /** docker's urlutil.IsGitURL: git://, git@, github.com/ and http(s) URLs ending in .git (or with a #fragment). */
    static boolean isGitUrl(String s) {
        if (isUrl(s) && (s.matches("^https?://.*\\.git(?:#.+)?$"))) return true;
        return s.startsWith("git://") || s.startsWith("git@") || s.startsWith("github.com/");
    }

    // ---- standard input ----

    private static Prepared fromStdin(InputStream stdin, String dockerfileFlag) throws CliException, IOException {
        BufferedInputStream in = new BufferedInputStream(stdin, 65536);
        in.mark(ARCHIVE_HEADER_SIZE * 2);
        byte[] head = in.readNBytes(ARCHIVE_HEADER_SIZE * 2);
        in.reset();
        if (isArchive(head)) return new Prepared(out -> in.transferTo(out), dockerfileFlag);
        if (!dockerfileFlag.isEmpty()) {
            throw new CliException("unable to prepare context: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles", 1);
        }
        byte[] dockerfile = in.readAllBytes();
        long now = System.currentTimeMillis() / 1000;
        return new Prepared(out -> {
            TarWriter tar = new TarWriter(out);
            tar.write(TarWriter.Header.file(DEFAULT_DOCKERFILE, 0644, dockerfile.length, now), dockerfile);
            tar.finish();
        }, DEFAULT_DOCKERFILE);
    }

    /** docker's IsArchive: a compression magic (gzip, bzip2, xz, zstd) or a tar header whose checksum is right. */
    static boolean isArchive(byte[] h) {
        if (startsWith(h, 0x1f, 0x8b, 0x08) || startsWith(h, 'B', 'Z', 'h') || startsWith(h, 0xfd, '7', 'z', 'X', 'Z', 0x00)
                || startsWith(h, 0x28, 0xb5, 0x2f, 0xfd)) {
            return true;
        }
        for (int off = 0; off + ARCHIVE_HEADER_SIZE <= h.length; off += ARCHIVE_HEADER_SIZE) {
            boolean zero = true;
            for (int i = off; i < off + ARCHIVE_HEADER_SIZE && zero; i++) zero = h[i] == 0;
            if (!zero) return checksumOk(h, off);
        }
        return false;
    }

    private static boolean checksumOk(byte[] h, int off) {
        String field = new String(h, off + 148, 8, StandardCharsets.US_ASCII).replace("\0", " ").strip();
        long stored;
        try {
            stored = Long.parseLong(field, 8);
        } catch (NumberFormatException e) {
            return false;
        }
        long unsigned = 0, signed = 0;
        for (int i = 0; i < ARCHIVE_HEADER_SIZE; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[off + i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        return stored == unsigned || stored == signed;
    }

    private static boolean startsWith(byte[] h, int... magic) {
        if (h.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((h[i] & 0xff) != magic[i]) return false;
        return true;
    }

    // ---- a local directory ----

    private static Prepared fromDirectory(String context, String dockerfileFlag, InputStream stdin) throws CliException, IOException {
        Path root = contextRoot(context);
        String relDockerfile = dockerfileRelPath(root, dockerfileFlag);
        byte[] injected = null;
        boolean outside = relDockerfile.startsWith("../");
        if (outside) {
            try {
                injected = Files.readAllBytes(Path.of(dockerfileFlag));
            } catch (IOException e) {
                throw new CliException("unable to open Dockerfile: open " + dockerfileFlag + ": " + reason(e), 1);
            }
        }
        String ignoreText = readDockerignore(root);
        DockerIgnore ignore;
        try {
            ignore = DockerIgnore.parse(ignoreText);
        } catch (IllegalArgumentException e) {
            throw new CliException("error checking context: " + e.getMessage(), 1);
        }
        validate(root, ignore);
        boolean dockerfileFromStdin = dockerfileFlag.equals("-");
        DockerIgnore sendRules = trimBuildFiles(ignoreText, ignore, relDockerfile, dockerfileFromStdin || outside);
        if (dockerfileFromStdin) injected = stdin.readAllBytes();
        if (injected == null) return new Prepared(out -> writeDirectory(root, sendRules, null, null, out), relDockerfile);
        String randomName = ".dockerfile." + HexFormat.of().formatHex(randomBytes(10));
        byte[] dockerfile = injected;
        return new Prepared(out -> writeDirectory(root, sendRules, randomName, dockerfile, out), randomName);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** docker's ResolveAndValidateContextPath: absolute, symlinks resolved, must be a directory. */
    static Path contextRoot(String context) throws CliException {
        Path abs = Path.of(context).toAbsolutePath().normalize();
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            throw new CliException("unable to prepare context: unable to evaluate symlinks in context path: lstat "
                    + firstMissing(abs) + ": " + reason(e), 1);
        }
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliException("unable to prepare context: context must be a directory: " + real, 1);
        }
        return real;
    }

    /**
     * docker's getDockerfileRelPath: the Dockerfile's path relative to the context, symlinks
     * resolved; {@code -f} is taken relative to the working directory, and without it
     * {@code Dockerfile} (or, if only that exists, {@code dockerfile}) in the context. Starts
     * with "../" when the file is outside the context; "-" for a Dockerfile from stdin.
     */
    static String dockerfileRelPath(Path root, String dockerfileFlag) throws CliException {
        if (dockerfileFlag.equals("-")) return "-";
        Path abs;
        if (dockerfileFlag.isEmpty()) {
            abs = root.resolve(DEFAULT_DOCKERFILE);
            Path lower = root.resolve(DEFAULT_DOCKERFILE.toLowerCase());
            if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && Files.exists(lower, LinkOption.NOFOLLOW_LINKS)) abs = lower;
        } else {
            abs = Path.of(dockerfileFlag).toAbsolutePath().normalize();
        }
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            throw new CliException("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat "
                    + firstMissing(abs) + ": " + reason(e), 1);
        }
        return root.relativize(real).toString();
    }

    /** The path Go's EvalSymlinks names when it fails: the first component that does not exist. */
    private static Path firstMissing(Path abs) {
        Path p = abs.getRoot();
        for (Path part : abs) {
            p = p.resolve(part);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return p;
        }
        return abs;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** The text of {@code .dockerignore} in the context ("" when there is none). */
    static String readDockerignore(Path root) throws CliException {
        Path f = root.resolve(".dockerignore");
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            String why = Files.isDirectory(f) ? "read " + f + ": is a directory" : reason(e);
            throw new CliException("error reading .dockerignore: " + why, 1);
        }
    }

    /**
     * docker's TrimBuildFilesFromExcludes: {@code .dockerignore} and the Dockerfile are sent
     * even when the patterns exclude them (the daemon leaves them out of the build's context).
     */
    static DockerIgnore trimBuildFiles(String text, DockerIgnore ignore, String relDockerfile, boolean dockerfileNotInContext) {
        StringBuilder extra = new StringBuilder();
        if (ignore.excluded(".dockerignore")) extra.append("\n!.dockerignore");
        if (!dockerfileNotInContext && ignore.excluded(relDockerfile)) extra.append("\n!").append(relDockerfile);
        return extra.isEmpty() ? ignore : DockerIgnore.parse(text + extra + "\n");
    }

    /**
     * docker's ValidateContextDirectory: every file that will be sent can be read; excluded
     * paths (and everything below an excluded directory) are not looked at; symlinks and pipes
     * are not opened.
     */
    static void validate(Path root, DockerIgnore ignore) throws CliException {
        validateDir(root, "", ignore);
    }

    private static void validateDir(Path dir, String rel, DockerIgnore ignore) throws CliException {
        for (Path child : children(dir, true)) {
            String name = child.getFileName().toString();
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            if (ignore.excluded(childRel)) continue;
            int mode;
            try {
                mode = (Integer) Files.getAttribute(child, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (AccessDeniedException e) {
                throw new CliException("error checking context: can't stat '" + child + "'", 1);
            } catch (NoSuchFileException e) {
                throw new CliException("error checking context: file ('" + child + "') not found or excluded by .dockerignore", 1);
            } catch (IOException e) {
                throw new CliException("error checking context: " + reason(e), 1);
            }
            int type = mode & 0170000;
            if (type == 0040000) {
                validateDir(child, childRel, ignore);
            } else if (type != 0120000 && type != 0010000) {
                try (FileChannel ignored = FileChannel.open(child, StandardOpenOption.READ)) {
                    // readable
                } catch (AccessDeniedException e) {
                    throw new CliException("error checking context: no permission to read from '" + child + "'", 1);
                } catch (IOException e) {
                    // docker only reports permission problems here
                }
            }
        }
    }

    /** The directory's entries sorted by name (Go's WalkDir order). */
    private static List<Path> children(Path dir, boolean strict) throws CliException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        } catch (AccessDeniedException e) {
            if (strict) throw new CliException("error checking context: can't stat '" + dir + "'", 1);
        } catch (IOException e) {
            if (strict) throw new CliException("error checking context: " + reason(e), 1);
        }
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    // ---- the tar ----

    /**
     * Writes the context tar: the walk (with {@code rules}), then, when {@code injectedName} is
     * set, that Dockerfile (mode 0600) and {@code .dockerignore} naming it (the existing file's
     * entry is extended in place; otherwise a new entry is appended).
     */
    static void writeDirectory(Path root, DockerIgnore rules, String injectedName, byte[] injected, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        Walk walk = new Walk(root, rules, tar, injectedName);
        try {
            walk.dir(root, "");
        } catch (CliException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (injectedName != null) {
            long now = System.currentTimeMillis() / 1000;
            tar.write(new TarWriter.Header(injectedName, TarWriter.REGULAR, 0600, 0, 0, injected.length, now, "", 0, 0), injected);
            if (!walk.sawDockerignore) {
                byte[] ignore = (".dockerignore\n" + injectedName + "\n").getBytes(StandardCharsets.UTF_8);
                tar.write(new TarWriter.Header(".dockerignore", TarWriter.REGULAR, 0600, 0, 0, ignore.length, now, "", 0, 0), ignore);
            }
        }
        tar.finish();
    }

    /** One walk of the context directory into a tar (go-archive's TarWithOptions with owner 0:0). */
    private static final class Walk {
        private final Path root;
        private final DockerIgnore rules;
        private final TarWriter tar;
        private final String injectedName;
        private final Map<String, String> seenInodes = new HashMap<>();
        boolean sawDockerignore;

        Walk(Path root, DockerIgnore rules, TarWriter tar, String injectedName) {
            this.root = root;
            this.rules = rules;
            this.tar = tar;
            this.injectedName = injectedName;
        }

        void dir(Path dir, String rel) throws IOException, CliException {
            for (Path child : children(dir, false)) {
                String name = child.getFileName().toString();
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(child, "unix:mode,ino,dev,nlink,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // gone or unreadable since the check: docker logs and goes on
                }
                int mode = (Integer) a.get("mode");
                int type = mode & 0170000;
                boolean isDir = type == 0040000;
                if (rules.excluded(childRel)) {
                    if (isDir && rules.mayReinclude(childRel)) dir(child, childRel);
                    continue;
                }
                add(child, childRel, a, mode, type);
                if (isDir) dir(child, childRel);
            }
        }

        private void add(Path path, String rel, Map<String, Object> a, int mode, int type) throws IOException {
            long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis();
            mtime = Math.floorDiv(mtime, 1000);
            int perm = mode & 07777;
            long rdev = (Long) a.get("rdev");
            int major = (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfff));
            int minor = (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xff));
            switch (type) {
                case 0040000 -> tar.write(new TarWriter.Header(rel + "/", TarWriter.DIRECTORY, perm, 0, 0, 0, mtime, "", 0, 0), (InputStream) null);
                case 0120000 -> tar.write(new TarWriter.Header(rel, TarWriter.SYMLINK, perm, 0, 0, 0, mtime,
                        Files.readSymbolicLink(path).toString(), 0, 0), (InputStream) null);
                case 0020000 -> tar.write(new TarWriter.Header(rel, TarWriter.CHAR, perm, 0, 0, 0, mtime, "", major, minor), (InputStream) null);
                case 0060000 -> tar.write(new TarWriter.Header(rel, TarWriter.BLOCK, perm, 0, 0, 0, mtime, "", major, minor), (InputStream) null);
                case 0010000 -> tar.write(new TarWriter.Header(rel, TarWriter.FIFO, perm, 0, 0, 0, mtime, "", 0, 0), (InputStream) null);
                case 0100000 -> regular(path, rel, a, perm, mtime);
                default -> { } // sockets: Go's tar cannot write them; docker skips them too
            }
        }

        private void regular(Path path, String rel, Map<String, Object> a, int perm, long mtime) throws IOException {
            if ((Integer) a.get("nlink") > 1) {
                String key = a.get("dev") + ":" + a.get("ino");
                String first = seenInodes.putIfAbsent(key, rel);
                if (first != null) {
                    tar.write(new TarWriter.Header(rel, TarWriter.HARDLINK, perm, 0, 0, 0, mtime, first, 0, 0), (InputStream) null);
                    return;
                }
            }
            if (injectedName != null && rel.equals(".dockerignore")) {
                sawDockerignore = true;
                byte[] own = Files.readAllBytes(path);
                byte[] tail = ("\n" + injectedName + "\n").getBytes(StandardCharsets.UTF_8);
                byte[] content = java.util.Arrays.copyOf(own, own.length + tail.length);
                System.arraycopy(tail, 0, content, own.length, tail.length);
                tar.write(new TarWriter.Header(rel, TarWriter.REGULAR, perm, 0, 0, content.length, mtime, "", 0, 0), content);
                return;
            }
            long size = (Long) a.get("size");
            InputStream in;
            try {
                in = Files.newInputStream(path);
            } catch (IOException e) {
                return; // unreadable since the check: docker logs it and leaves the file out
            }
            try (in) {
                tar.write(new TarWriter.Header(rel, TarWriter.REGULAR, perm, 0, 0, size, mtime, "", 0, 0), in);
            }
        }
    }
}
