package dev.berth.daemon.container;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.PosixException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Directories of a root file system held by descriptor, for work inside a rootfs whose owner
 * (a running container) may change it meanwhile. Like {@link RootPath}, symlinks are followed as
 * the container would see them and never above its "/"; unlike it, every component is opened
 * {@code O_NOFOLLOW} relative to the directory already held, so swapping a directory for a
 * symlink between a check and a use cannot lead outside the root (the race dockerd closes with a
 * chroot). A held directory is named {@code /proc/self/fd/<fd>}: a name looked up there is looked
 * up in that very directory, wherever it has moved.
 */
final class RootDirs {
    static final int O_PATH = 010000000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000;
    private static final int DIR_FLAGS = O_PATH | O_DIRECTORY | O_NOFOLLOW | Posix.O_CLOEXEC;

    private RootDirs() {}

    /** A held directory and its container path; {@link #close} releases it. */
    record Dir(int fd, String path) implements AutoCloseable {
        Path host() { return fdPath(fd); }

        @Override public void close() { Posix.close(fd); }
    }

    static Path fdPath(int fd) { return Path.of("/proc/self/fd/" + fd); }

    /**
     * Opens the directory at container path {@code path} under the root held by {@code rootFd},
     * following symlinks inside the root.
     *
     * @param create make missing directories on the way (mode 0755, owned by the daemon: root)
     * @throws NoSuchFileException when a component is missing (and not created)
     * @throws NotDirectoryException when a component is not a directory
     */
    static Dir open(int rootFd, String path, boolean create) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Deque<Integer> held = new ArrayDeque<>(); // directories below the root, innermost first
        List<String> names = new ArrayList<>();
        int links = 0;
        try {
            while (!todo.isEmpty()) {
                String c = todo.pop();
                if (c.isEmpty() || c.equals(".")) continue;
                if (c.equals("..")) {
                    if (!held.isEmpty()) {
                        Posix.close(held.pop());
                        names.removeLast();
                    }
                    continue;
                }
                int cur = held.isEmpty() ? rootFd : held.peek();
                Path p = fdPath(cur).resolve(c);
                BasicFileAttributes a = lstat(p);
                if (a == null) {
                    String shown = join(names) + "/" + c;
                    if (!create) throw new NoSuchFileException(shown);
                    try {
                        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                    } catch (java.nio.file.FileAlreadyExistsException raced) {
                        // made meanwhile: looked at again below
                    }
                    a = lstat(p);
                    if (a == null) throw new NoSuchFileException(shown);
                }
                if (a.isSymbolicLink()) {
                    if (++links > 255) throw new FileSystemException(join(names) + "/" + c, null, "too many levels of symbolic links");
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("/")) {
                        while (!held.isEmpty()) Posix.close(held.pop());
                        names.clear();
                    }
                    push(todo, target);
                    continue;
                }
                if (!a.isDirectory()) throw new NotDirectoryException(join(names) + "/" + c);
                int fd;
                try {
                    fd = Posix.open(p.toString(), DIR_FLAGS);
                } catch (PosixException e) {
                    // replaced by something else since the lstat: refuse rather than guess
                    throw new FileSystemException(join(names) + "/" + c, null, "changed while being resolved");
                }
                held.push(fd);
                names.add(c);
            }
            int result = held.isEmpty() ? Posix.open(fdPath(rootFd).toString(), DIR_FLAGS & ~O_NOFOLLOW) : held.pop();
            return new Dir(result, join(names));
        } finally {
            while (!held.isEmpty()) Posix.close(held.pop());
        }
    }

    /** Opens {@code name} in a held directory if it is a directory itself (not through a symlink); -1 otherwise. */
    static int openChildDir(Path dir, String name) {
        try {
            return Posix.open(dir.resolve(name).toString(), DIR_FLAGS);
        } catch (PosixException e) {
            return -1;
        }
    }

    /** Opens a node without following it ({@code O_PATH|O_NOFOLLOW}): a symlink yields the link itself. */
    static int openNode(Path p) throws PosixException {
        return Posix.open(p.toString(), O_PATH | O_NOFOLLOW | Posix.O_CLOEXEC);
    }

    /**
     * Removes {@code name} from a held directory, a directory with everything below it; each
     * directory is held while it is emptied, so nothing is removed outside it.
     */
    static void removeTree(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        BasicFileAttributes a = lstat(p);
        if (a == null) return;
        if (a.isDirectory()) {
            int fd = openChildDir(dir, name);
            if (fd >= 0) {
                try {
                    Path held = fdPath(fd);
                    List<String> children;
                    try (var s = Files.list(held)) {
                        children = s.map(c -> c.getFileName().toString()).toList();
                    }
                    for (String c : children) removeTree(held, c);
                } finally {
                    Posix.close(fd);
                }
            }
        }
        Files.delete(p);
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    private static String join(List<String> names) {
        return "/" + String.join("/", names);
    }
}
