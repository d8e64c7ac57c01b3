package dev.berth.daemon.net;

import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network namespace named by a file: either a persistent one that berthd created (the
 * namespace bind-mounted on an empty file, as {@code ip netns add} does, so it outlives every
 * process in it) or a process's ({@code /proc/<pid>/ns/net}).
 *
 * <p><b>Threads.</b> A network namespace belongs to a thread, not to the process. Everything
 * here that changes namespace does so on a fresh platform thread made for that one job, which
 * ends afterwards; no pooled thread or virtual-thread carrier ever changes namespace. Sockets
 * keep the namespace of the thread that opened them, so a socket (a {@link Netlink}, a Java
 * {@code ServerSocketChannel}) opened by {@link #call} may be used from any thread later. Code
 * run by {@link #call} must not hand work to other threads expecting it to run in the
 * namespace: virtual threads and executors it starts run in the daemon's namespace.
 *
 * <p>Mount propagation: the bind mount is made in berthd's mount namespace. A mount namespace
 * copied later (runc's, for a container) holds a copy of it until that namespace pivots away
 * from the host's mounts, which runc does. Keep these files in a directory of their own (the
 * exec root's {@code netns/}).
 */
public final class NetNs {
    private static final AtomicLong THREADS = new AtomicLong();

    private final Path path;
    private final boolean persistent;

    private NetNs(Path path, boolean persistent) {
        this.path = path;
        this.persistent = persistent;
    }

    /**
     * Creates a new, empty network namespace (no interface but a down {@code lo}) and pins it to
     * {@code file}, which must not exist yet; its directory must. On failure nothing is left.
     */
    public static NetNs create(Path file) throws IOException {
        Path p = file.toAbsolutePath().normalize();
        Files.createFile(p); // refuses an existing file: never mount over something
        try {
            onOwnThread("netns-create", () -> {
                Posix.unshare(Posix.CLONE_NEWNET);
                Posix.mount("/proc/thread-self/ns/net", p.toString(), "none", Posix.MS_BIND, null);
            }, () -> null);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new NetNs(p, true);
    }

    /** A persistent namespace created earlier (by {@link #create} or {@code ip netns add}). */
    public static NetNs open(Path file) throws IOException {
        Path p = file.toAbsolutePath().normalize();
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "no network namespace file");
        String fs = mountType(p);
        if (!"nsfs".equals(fs)) throw new IOException(p + " is not a namespace file (" + (fs == null ? "not a mount" : fs) + ")");
        return new NetNs(p, true);
    }

    /**
     * The network namespace of process {@code pid}, e.g. a container's init. Its identity is
     * resolved each time it is used, so it names that namespace only while the process lives.
     */
    public static NetNs ofPid(long pid) {
        if (pid <= 0) throw new IllegalArgumentException("invalid pid " + pid);
        return new NetNs(Path.of("/proc", Long.toString(pid), "ns", "net"), false);
    }

    /** The daemon's own network namespace (its main thread's), e.g. to move a link back. */
    public static NetNs host() {
        return ofPid(ProcessHandle.current().pid());
    }

    public Path path() {
        return path;
    }

    /**
     * Removes a persistent namespace: detaches its mount and deletes its file. The kernel frees
     * the namespace (and the interfaces left in it) once nothing else holds it: no process,
     * open socket or other mount. Deleting what is already gone is not an error.
     */
    public void delete() throws IOException {
        if (!persistent) throw new IllegalStateException("not a persistent namespace: " + path);
        String fs = mountType(path);
        if (fs != null && !fs.equals("nsfs")) throw new IOException("refusing to unmount " + path + ": it is a " + fs + " mount");
        try {
            Posix.umount(path.toString(), Posix.MNT_DETACH);
        } catch (PosixException e) {
            // EINVAL: not a mount point (any more); ENOENT: no file. Anything else is real.
            if (e.errno() != Posix.EINVAL && e.errno() != Posix.ENOENT) throw e;
        }
        Files.deleteIfExists(path);
    }

    /**
     * The file system type of the mount at {@code p} in /proc/self/mountinfo (the last one
     * mounted there wins), or null when nothing is mounted there.
     */
    static String mountType(Path p) throws IOException {
        String target = p.toString();
        String type = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length < 5 || dash < 0 || !dev.berth.daemon.os.Mounts.unescape(f[4]).equals(target)) continue;
            String[] tail = line.substring(dash + 3).split(" ");
            type = tail[0];
        }
        return type;
    }

    /**
     * An fd on the namespace (O_RDONLY, close-on-exec) for calls that take one, such as
     * IFLA_NET_NS_FD. The caller closes it with {@link Posix#close}.
     */
    public int openFd() throws PosixException {
        return Posix.open(path.toString(), Posix.O_RDONLY | Posix.O_CLOEXEC);
    }

    /** Code run inside a namespace. */
    @FunctionalInterface
    public interface Task<T, X extends Exception> {
        T run() throws X;
    }

    /**
     * Runs {@code task} on a new platform thread that has joined this namespace, waits for it and
     * returns its result (or rethrows what it threw). The thread ends with the task. Waiting is
     * not interruptible (the task cannot be stopped half-way); the interrupt status is kept.
     */
    public <T, X extends Exception> T call(Task<T, X> task) throws X, IOException {
        return onOwnThread("netns-" + path.getFileName(), () -> {
            int fd = openFd();
            try {
                Posix.setns(fd, Posix.CLONE_NEWNET);
            } finally {
                Posix.close(fd);
            }
        }, task);
    }

    /** Code without a result run inside a namespace. */
    @FunctionalInterface
    public interface VoidTask<X extends Exception> {
        void run() throws X;
    }

    /** {@link #call} for a task without a result. */
    public <X extends Exception> void run(VoidTask<X> task) throws X, IOException {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** The namespace change a fresh thread makes before its task. */
    @FunctionalInterface
    private interface Setup {
        void run() throws IOException;
    }

    /**
     * Runs {@code setup} then {@code task} on a new platform thread, waits for it and returns
     * the task's result, or rethrows what failed.
     */
    @SuppressWarnings("unchecked")
    private static <T, X extends Exception> T onOwnThread(String name, Setup setup, Task<T, X> task) throws X, IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name(name + "-" + THREADS.incrementAndGet()).start(() -> {
            try {
                setup.run();
                result.complete(task.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        try {
            return result.getNow(null);
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            if (cause instanceof IOException io) throw io;
            throw (X) cause; // nothing else checked can come out of setup or task
        }
    }

    @Override
    public String toString() {
        return "netns " + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetNs n && n.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }
}
