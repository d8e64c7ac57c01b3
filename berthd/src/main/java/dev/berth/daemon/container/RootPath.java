package dev.berth.daemon.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a container root file system the way the container would see it:
 * symlinks (absolute or relative) are followed relative to the root and can never lead outside
 * it. Used whenever the daemon reads or creates files in a rootfs (passwd, working directory).
 */
public final class RootPath {
    private RootPath() {}

    public static Path resolve(Path root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path candidate = join(root, done).resolve(c);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > 40) throw new IOException("too many levels of symbolic links in " + path);
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) done.clear();
                push(todo, target);
                continue;
            }
            done.addLast(c);
        }
        return join(root, done);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    private static Path join(Path root, Deque<String> parts) {
        Path p = root;
        for (String s : parts) p = p.resolve(s);
        return p;
    }

    /** Creates a directory (and parents) inside the root, owned by uid:gid like Docker's WORKDIR. */
    public static void mkdirs(Path root, String path, int uid, int gid) throws IOException {
        Path target = resolve(root, path);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return;
        Path parent = target.getParent();
        if (parent != null && !parent.equals(root) && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            mkdirs(root, "/" + root.relativize(parent), uid, gid);
        }
        Files.createDirectory(target);
        Files.setAttribute(target, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(target, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
}
