package dev.berth.cli.commands;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code cp [-a] [-L] [-q] SRC DEST}: docker cp's client half (docker/cli {@code cp.go} and the
 * moby archive package's {@code CopyInfo}/{@code PrepareArchiveCopy}/{@code CopyTo} rules).
 * <ul>
 *   <li>From a container: {@code GET /containers/{id}/archive} (with {@code -L} a symlink is
 *       first resolved through {@code HEAD}); the tar goes to stdout for {@code -}, else it is
 *       extracted locally: into an existing directory as it is, otherwise renamed to the
 *       destination's name; owners are not changed.</li>
 *   <li>Into a container: the destination is stat'ed ({@code HEAD}, a symlink followed once),
 *       the local source is archived with the same renaming rules and sent with
 *       {@code PUT …/archive?noOverwriteDirNonDir=true} ({@code copyUIDGID} with -a); a tar
 *       from stdin for {@code -} goes as it is to a directory.</li>
 *   <li>{@code Successfully copied 2.05kB to ctr:/tmp/} on stderr when stdout is a terminal
 *       and -q is not given (the size is that of the tar).</li>
 * </ul>
 */
public final class CopyCommand {
    private CopyCommand() {}

    static final String CANNOT_COPY_DIR = "cannot copy directory";
    static final String DIR_NOT_EXISTS = "no such directory";
    static final String NOT_DIRECTORY = "not a directory";

    public static int run(Cli cli, ParsedArgs a) throws IOException, CliException {
        String source = a.positionals().get(0), dest = a.positionals().get(1);
        if (source.isEmpty()) throw new CliException("source can not be empty", 1);
        if (dest.isEmpty()) throw new CliException("destination can not be empty", 1);
        String[] src = split(source), dst = split(dest);
        boolean quiet = a.bool("quiet") || !Terminal.isTerminal(1);
        boolean follow = a.bool("follow-link");
        if (src[0] != null && dst[0] != null) throw new CliException("copying between containers is not supported", 1);
        if (src[0] != null) return fromContainer(cli, src[0], src[1], dst[1], follow, quiet);
        if (dst[0] != null) return toContainer(cli, src[1], dst[0], dst[1], follow, a.bool("archive"), quiet);
        throw new CliException("must specify at least one container source", 1);
    }

    /** docker's splitCpArg: {container, path}; container null for a local path. */
    static String[] split(String arg) {
        if (arg.startsWith("/")) return new String[] {null, arg};
        int colon = arg.indexOf(':');
        if (colon < 0 || arg.startsWith(".")) return new String[] {null, arg};
        return new String[] {arg.substring(0, colon), arg.substring(colon + 1)};
    }

    // ---------------------------------------------------------------- from the container

    private static int fromContainer(Cli cli, String ctr, String srcPath, String dstPath, boolean follow, boolean quiet)
            throws IOException, CliException {
        if (!dstPath.equals("-")) {
            dstPath = absLocal(dstPath);
            String problem = outputPathProblem(dstPath);
            if (problem != null) throw new CliException(problem, 1);
        }
        String rebaseName = "";
        if (follow) {
            Map<String, Object> st = statOrNull(cli, ctr, srcPath);
            if (st != null && (mode(st) & MODE_SYMLINK) != 0) {
                String target = Json.str(st, "linkTarget");
                if (!target.startsWith("/")) target = cleanJoin(splitDirEntry(srcPath)[0], target);
                String[] rb = rebaseName(srcPath, target);
                srcPath = rb[0];
                rebaseName = rb[1];
            }
        }
        try (HttpResponse r = cli.client().stream("GET", "/containers/" + Query.seg(ctr) + "/archive" + new Query().add("path", srcPath), null)) {
            if (dstPath.equals("-")) {
                r.body().transferTo(cli.out);
                cli.out.flush();
                return 0;
            }
            Map<String, Object> stat = statHeader(r.header("X-Docker-Container-Path-Stat"));
            boolean srcIsDir = (mode(stat) & MODE_DIR) != 0;
            Counting counted = new Counting(r.body());
            copyTo(counted, srcPath, srcIsDir, rebaseName, dstPath);
            if (!quiet) cli.err.println("Successfully copied " + Units.humanSize(counted.count) + " to " + dstPath);
        }
        return 0;
    }

    /** moby's archive.CopyTo: decides where to extract and how to rename, then untars without chown. */
    private static void copyTo(InputStream tar, String srcPath, boolean srcIsDir, String rebaseName, String dstPath)
            throws IOException, CliException {
        Dest d = destinationInfo(dstPath);
        String[] dstSplit = splitDirEntry(d.path);
        // entries are named after the base of what the daemon archived; they end up named finalBase
        String archiveBase = splitDirEntry(srcPath)[1];
        String dir, finalBase;
        if (d.exists && d.isDir) {
            dir = d.path;
            finalBase = rebaseName.isEmpty() ? archiveBase : rebaseName;
        } else if (d.exists && srcIsDir) {
            throw new CliException(CANNOT_COPY_DIR, 1);
        } else if (!d.exists && !srcIsDir && asserts(d.path)) {
            throw new CliException(DIR_NOT_EXISTS, 1);
        } else {
            dir = dstSplit[0];
            finalBase = dstSplit[1];
        }
        untar(tar, Path.of(dir), archiveBase, finalBase);
    }

    record Dest(String path, boolean exists, boolean isDir) {}

    /** moby's CopyInfoDestinationPath: symlinks at the destination are followed (up to 10). */
    static Dest destinationInfo(String path) throws IOException, CliException {
        String original = path;
        BasicFileAttributes st = lstat(path);
        for (int n = 0; st != null && st.isSymbolicLink(); n++) {
            if (n > 10) throw new CliException("too many symlinks in " + original, 1);
            String target = Files.readSymbolicLink(Path.of(path)).toString();
            if (!target.startsWith("/")) target = cleanJoin(splitDirEntry(path)[0], target);
            path = target;
            st = lstat(path);
        }
        if (st == null) {
            String parent = splitDirEntry(path)[0];
            if (!Files.exists(Path.of(parent))) throw new CliException("stat " + parent + ": no such file or directory", 1);
            if (!Files.isDirectory(Path.of(parent))) throw new CliException(NOT_DIRECTORY, 1);
            return new Dest(path, false, false);
        }
        return new Dest(path, true, st.isDirectory());
    }

    /** Extracts into {@code dir}, renaming the leading {@code from} component to {@code to} (moby's RebaseArchiveEntries). */
    static void untar(InputStream in, Path dir, String from, String to) throws IOException, CliException {
        Tar.Reader tar = new Tar.Reader(in);
        Map<Path, Long> dirTimes = new LinkedHashMap<>();
        String dest = dir.toString();
        for (Tar.Header h = tar.next(); h != null; h = tar.next()) {
            String name = from == null ? h.name : rebase(h.name, from, to);
            String link = h.linkName;
            if (from != null && h.type == Tar.HARDLINK) link = rebase(link, from, to);
            List<String> parts = clean(name);
            if (parts == null) throw new CliException(quote(name) + " is outside of " + quote(dest), 1);
            if (parts.isEmpty()) continue;
            Path parent = dir;
            for (String p : parts.subList(0, parts.size() - 1)) {
                parent = parent.resolve(p);
                BasicFileAttributes pa = lstat(parent.toString());
                if (pa == null) {
                    Files.createDirectory(parent);
                } else if (pa.isSymbolicLink() || !pa.isDirectory()) {
                    throw new CliException(quote(name) + " is outside of " + quote(dest), 1);
                }
            }
            Path path = parent.resolve(parts.getLast());
            BasicFileAttributes existing = lstat(path.toString());
            boolean isDir = h.type == Tar.DIR;
            if (existing != null) {
                if (existing.isDirectory() && !isDir) {
                    throw new CliException("cannot overwrite directory " + quote(path.toString()) + " with non-directory " + quote(dest), 1);
                }
                if (!existing.isDirectory() && isDir) {
                    throw new CliException("cannot overwrite non-directory " + quote(path.toString()) + " with directory " + quote(dest), 1);
                }
                if (!isDir) Files.delete(path);
            }
            switch (h.type) {
                case Tar.FILE -> {
                    try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        tar.data().transferTo(out);
                    }
                }
                case Tar.DIR -> {
                    if (existing == null) Files.createDirectory(path);
                }
                case Tar.SYMLINK -> {
                    if (!link.startsWith("/")) {
                        List<String> within = new ArrayList<>(parts.subList(0, parts.size() - 1));
                        within.add(link);
                        if (clean(String.join("/", within)) == null) {
                            throw new CliException("invalid symlink " + quote(path.toString()) + " -> " + quote(link), 1);
                        }
                    }
                    Files.createSymbolicLink(path, Path.of(link));
                }
                case Tar.HARDLINK -> {
                    List<String> target = clean(link);
                    if (target == null || target.isEmpty()) {
                        throw new CliException("invalid hardlink " + quote(path.toString()) + " -> " + quote(link), 1);
                    }
                    Files.createLink(path, dir.resolve(String.join("/", target)));
                    continue;
                }
                default -> {
                    continue; // devices and FIFOs need privileges the CLI does not assume
                }
            }
            if (h.type != Tar.SYMLINK) Files.setAttribute(path, "unix:mode", h.mode & 07777);
            FileTime t = FileTime.fromMillis(h.mtime * 1000);
            if (isDir) {
                dirTimes.put(path, h.mtime);
            } else {
                Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW_LINKS).setTimes(t, t, null);
            }
        }
        tar.drain();
        for (Map.Entry<Path, Long> e : dirTimes.entrySet()) {
            FileTime t = FileTime.fromMillis(e.getValue() * 1000);
            Files.getFileAttributeView(e.getKey(), BasicFileAttributeView.class, NOFOLLOW_LINKS).setTimes(t, t, null);
        }
    }

    // ---------------------------------------------------------------- into the container

    private static int toContainer(Cli cli, String srcPath, String ctr, String dstPath, boolean follow, boolean copyUidGid,
                                   boolean quiet) throws IOException, CliException {
        String dstInfoPath = dstPath;
        Map<String, Object> st = statOrNull(cli, ctr, dstPath);
        if (st != null && (mode(st) & MODE_SYMLINK) != 0) {
            String target = Json.str(st, "linkTarget");
            if (!target.startsWith("/")) target = cleanJoin(splitDirEntry(dstPath)[0], target);
            dstInfoPath = target;
            st = statOrNull(cli, ctr, target);
        }
        long m = st == null ? 0 : mode(st);
        if ((m & (MODE_DEVICE | MODE_NAMED_PIPE | MODE_SOCKET | MODE_SYMLINK | MODE_CHAR_DEVICE | MODE_IRREGULAR)) != 0) {
            throw new CliException("destination \"" + ctr + ":" + dstPath + "\" must be a directory or a regular file: "
                    + fileModeProblem(m), 1);
        }
        boolean exists = st != null, isDir = (m & MODE_DIR) != 0;
        Query q;
        InputStream body;
        String resolvedDst;
        if (srcPath.equals("-")) {
            if (!isDir) throw new CliException("destination \"" + ctr + ":" + dstPath + "\" must be a directory", 1);
            body = cli.in;
            resolvedDst = dstInfoPath;
        } else {
            String abs = absLocal(srcPath);
            String[] resolved = resolveHostSource(abs, follow);
            String path = resolved[0], rebase = resolved[1];
            BasicFileAttributes sa = lstat(path);
            if (sa == null) throw new CliException("lstat " + path + ": no such file or directory", 1);
            boolean srcIsDir = sa.isDirectory();
            String[] dstSplit = splitDirEntry(dstInfoPath);
            String srcBase = splitDirEntry(path)[1];
            String from = srcBase, to = rebase.isEmpty() ? srcBase : rebase;
            if (exists && isDir) {
                resolvedDst = dstInfoPath;
            } else if (exists && srcIsDir) {
                throw new CliException(CANNOT_COPY_DIR, 1);
            } else if (!exists && !srcIsDir && asserts(dstInfoPath)) {
                throw new CliException(DIR_NOT_EXISTS, 1);
            } else {
                resolvedDst = dstSplit[0];
                to = dstSplit[1];
            }
            body = archive(path, from, to);
        }
        q = new Query().add("path", resolvedDst).add("noOverwriteDirNonDir", "true");
        if (copyUidGid) q.add("copyUIDGID", "true");
        Counting counted = new Counting(body);
        try (HttpResponse r = cli.client().upload("PUT", "/containers/" + Query.seg(ctr) + "/archive" + q, counted, "application/x-tar")) {
            r.body().transferTo(OutputStream.nullOutputStream());
        }
        if (!quiet) cli.err.println("Successfully copied " + Units.humanSize(counted.count) + " to " + ctr + ":" + dstInfoPath);
        return 0;
    }

    /** moby's ResolveHostSourcePath: {resolved path, rebase name}. */
    static String[] resolveHostSource(String path, boolean follow) throws IOException {
        if (follow) {
            Path real;
            try {
                real = Path.of(path).toRealPath();
            } catch (NoSuchFileException e) {
                return new String[] {path, ""};
            }
            String resolved = real.toString();
            if (path.endsWith("/.")) resolved = resolved + "/.";
            else if (path.endsWith("/") && !resolved.endsWith("/")) resolved = resolved + "/";
            return rebaseName(path, resolved);
        }
        int slash = path.lastIndexOf('/');
        String dirPath = path.substring(0, slash + 1), base = path.substring(slash + 1);
        String resolvedDir;
        try {
            resolvedDir = Path.of(dirPath.isEmpty() ? "." : dirPath).toRealPath().toString();
        } catch (NoSuchFileException e) {
            resolvedDir = dirPath.isEmpty() ? "." : dirPath;
        }
        String resolved = resolvedDir.equals("/") ? "/" + base : resolvedDir + "/" + base;
        String rebase = "";
        if (path.endsWith("/") && !baseName(path).equals(baseName(resolved))) rebase = baseName(path);
        return new String[] {resolved, rebase};
    }

    /** moby's GetRebaseName: {resolved (with the original's trailing "/" or "/."), rebase name}. */
    static String[] rebaseName(String path, String resolved) {
        if (path.endsWith("/.") && !resolved.endsWith("/.")) resolved += "/.";
        else if (path.endsWith("/") && !resolved.endsWith("/")) resolved += "/";
        String rebase = "";
        if (!baseName(path).equals(baseName(resolved))) rebase = baseName(path);
        return new String[] {resolved, rebase};
    }

    /** A tar of {@code path} (its base name rebased from {@code from} to {@code to}), written on a thread as it is read. */
    private static InputStream archive(String path, String from, String to) throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        String[] split = splitDirEntry(path);
        Path node = Path.of(split[0]).resolve(split[1]).normalize();
        String base = split[1];
        Thread.ofVirtual().start(() -> {
            try (out) {
                Tar.Writer w = new Tar.Writer(out);
                Map<String, String> links = new HashMap<>();
                addTree(w, node, rebase(base, from, to), links);
                w.finish();
            } catch (IOException e) {
                // the reader sees a cut-off tar and the daemon refuses it
            }
        });
        return in;
    }

    private static void addTree(Tar.Writer w, Path node, String name, Map<String, String> links) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(node, "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,nlink", NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        if (type == 0140000) return;
        Tar.Header h = new Tar.Header();
        h.mode = mode & 07777;
        h.uid = (Integer) a.get("uid");
        h.gid = (Integer) a.get("gid");
        h.mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
        boolean dir = type == 0040000;
        h.name = dir ? (name.endsWith("/") ? name : name + "/") : name;
        switch (type) {
            case 0040000 -> h.type = Tar.DIR;
            case 0120000 -> {
                h.type = Tar.SYMLINK;
                h.linkName = Files.readSymbolicLink(node).toString();
            }
            case 0010000 -> h.type = Tar.FIFO;
            case 0020000, 0060000 -> h.type = type == 0020000 ? Tar.CHAR : Tar.BLOCK;
            default -> {
                String key = a.get("dev") + ":" + a.get("ino");
                String first = (Integer) a.get("nlink") > 1 ? links.putIfAbsent(key, name) : null;
                if (first != null) {
                    h.type = Tar.HARDLINK;
                    h.linkName = first;
                } else {
                    h.type = Tar.FILE;
                    h.size = (Long) a.get("size");
                }
            }
        }
        w.header(h);
        if (h.type == Tar.FILE && h.size > 0) {
            long left = h.size;
            try (InputStream in = Files.newInputStream(node)) {
                byte[] buf = new byte[65536];
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) break;
                    w.data().write(buf, 0, n);
                    left -= n;
                }
            }
            if (left > 0) w.data().write(new byte[(int) left]); // shrank meanwhile: keep the tar whole
            w.pad(h.size);
        }
        if (dir) {
            List<Path> children;
            try (Stream<Path> s = Files.list(node)) {
                children = new ArrayList<>(s.toList());
            }
            children.sort((x, y) -> java.util.Arrays.compareUnsigned(x.getFileName().toString().getBytes(StandardCharsets.UTF_8),
                    y.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
            for (Path c : children) addTree(w, c, h.name + c.getFileName(), links);
        }
    }

    // ---------------------------------------------------------------- shared rules

    static final long MODE_DIR = 1L << 31, MODE_SYMLINK = 1L << 27, MODE_DEVICE = 1L << 26, MODE_NAMED_PIPE = 1L << 25,
            MODE_SOCKET = 1L << 24, MODE_CHAR_DEVICE = 1L << 21, MODE_IRREGULAR = 1L << 19;

    private static long mode(Map<String, Object> st) {
        return Json.num(st, "mode");
    }

    private static String fileModeProblem(long m) {
        if ((m & MODE_SYMLINK) != 0) return "cannot write to a symbolic link directly";
        if ((m & MODE_NAMED_PIPE) != 0) return "cannot write to a named pipe (FIFO)";
        if ((m & MODE_SOCKET) != 0) return "cannot write to a socket";
        if ((m & MODE_CHAR_DEVICE) != 0) return "cannot write to a character device file";
        if ((m & MODE_DEVICE) != 0) return "cannot write to a block device file";
        return "unknown file mode";
    }

    /** HEAD …/archive: the decoded stat, or null when the daemon says it is not there (or fails). */
    private static Map<String, Object> statOrNull(Cli cli, String ctr, String path) throws IOException {
        HttpResponse r = cli.client().call("HEAD", "/containers/" + Query.seg(ctr) + "/archive" + new Query().add("path", path), null);
        try (r) {
            if (r.status() == 404 && r.header("X-Docker-Container-Path-Stat") == null) {
                // a 404 from HEAD has no body: tell "no such container" apart with an inspect
                cli.client().json("GET", "/containers/" + Query.seg(ctr) + "/json", null);
                return null;
            }
            if (!r.ok()) return null;
            return statHeader(r.header("X-Docker-Container-Path-Stat"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> statHeader(String header) throws IOException {
        if (header == null) throw new IOException("no container path stat header");
        String json = new String(Base64.getDecoder().decode(header.strip()), StandardCharsets.UTF_8);
        return (Map<String, Object>) Json.parse(json);
    }

    /** docker's resolveLocalPath: absolute, keeping a trailing "/" or "/.". */
    static String absLocal(String path) {
        String abs = Path.of(path).toAbsolutePath().normalize().toString();
        if ((path.endsWith("/.") || path.equals(".")) && !abs.endsWith("/.")) return abs.equals("/") ? "/." : abs + "/.";
        if (path.endsWith("/") && !abs.endsWith("/")) return abs + "/";
        return abs;
    }

    /** docker's ValidateOutputPath (for copies out of a container). */
    private static String outputPathProblem(String path) {
        String clean = Path.of(path).normalize().toString();
        Path dir = Path.of(clean).getParent();
        if (dir != null && !Files.exists(dir)) return "invalid output path: directory \"" + dir + "\" does not exist";
        return null;
    }

    /** moby's SplitPathDirEntry: {dir, base} of the cleaned path, a trailing "/." kept as base ".". */
    static String[] splitDirEntry(String path) {
        String clean = cleanPath(path);
        if (path.endsWith("/.") || path.equals(".")) clean = clean.equals("/") ? "/." : clean + "/.";
        int slash = clean.lastIndexOf('/');
        if (slash < 0) return new String[] {".", clean};
        String dir = slash == 0 ? "/" : clean.substring(0, slash);
        return new String[] {dir, clean.substring(slash + 1)};
    }

    /** Go's filepath.Clean. */
    static String cleanPath(String p) {
        boolean abs = p.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!abs) out.add("..");
            } else {
                out.add(part);
            }
        }
        String s = String.join("/", out);
        return abs ? "/" + s : s.isEmpty() ? "." : s;
    }

    private static String cleanJoin(String dir, String rel) {
        return cleanPath(dir + "/" + rel);
    }

    /** Go's filepath.Base. */
    static String baseName(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (s.isEmpty()) return ".";
        if (s.equals("/")) return "/";
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** A path ending in "/" or "/." asserts that it names a directory. */
    private static boolean asserts(String p) {
        return p.endsWith("/") || p.endsWith("/.");
    }

    /** Replaces the first occurrence of {@code from} in a name (moby's RebaseArchiveEntries uses strings.Replace once). */
    static String rebase(String name, String from, String to) {
        if (from.equals(to)) return name;
        int i = name.indexOf(from);
        return i < 0 ? name : name.substring(0, i) + to + name.substring(i + from.length());
    }

    /** Lexically cleaned components relative to the destination; null when ".." climbs out. */
    static List<String> clean(String name) {
        return dev.berth.api.PathNames.components(name);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static BasicFileAttributes lstat(String p) throws IOException {
        return lstat(Path.of(p));
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Counts the bytes of the tar for the "Successfully copied" line. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) count += s;
            return s;
        }
    }
}
