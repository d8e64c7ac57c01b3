package dev.berth.daemon.container;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A container's merged root file system, held open for file access (export, archive, cp) whether
 * the container runs or not, and named by {@link #root()} = {@code /proc/self/fd/<fd>}.
 *
 * <p>Running: an {@code O_PATH} descriptor of the live overlay mount. It keeps that mount alive
 * even if the container exits meanwhile (its rootfs is then only lazily detached), so the access
 * never sees a half-unmounted tree.
 *
 * <p>Stopped: the container's lifecycle lock is taken (no start or remove until {@link #close}),
 * the overlay is mounted on the bundle's rootfs dir, opened, and at once detached (MNT_DETACH):
 * no mount is visible while the access runs, and the overlay disappears when the descriptor is
 * closed, whatever happens, even if the daemon dies. Read-only access mounts the upper dir as one
 * more lower dir (a lower-only overlay is read-only and never touches the work dir); writable
 * access mounts it as the container does.
 */
public final class ContainerRootfs implements AutoCloseable {
    private static final int O_PATH = 010000000, O_DIRECTORY = 0200000;

    private final int fd;
    private final ReentrantLock held;
    private final boolean running;

    private ContainerRootfs(int fd, ReentrantLock held, boolean running) {
        this.fd = fd;
        this.held = held;
        this.running = running;
    }

    /** The container's "/" as a host path, valid until {@link #close}. */
    public Path root() { return Path.of("/proc/self/fd/" + fd); }

    public boolean running() { return running; }

    /** The descriptor of the container's "/" ({@link RootDirs} resolves paths from it). */
    int fd() { return fd; }

    public static ContainerRootfs open(ContainerService service, ContainerRecord r, boolean writable) throws IOException {
        Path mountPoint = service.bundleDir(r.id).resolve("rootfs");
        ReentrantLock lock = service.lock(r.id);
        for (;;) {
            if (isRunning(r)) {
                ContainerRootfs live = openLive(mountPoint);
                if (live != null) return live;
            }
            lock.lock();
            boolean done = false;
            try {
                if (isRunning(r)) continue; // started while we waited: use its mount
                synchronized (r) {
                    if (r.removalInProgress || r.removed) throw BerthException.notFound("No such container: " + r.id);
                }
                ContainerRootfs fs = mountOffline(service, r, mountPoint, writable, lock);
                done = true;
                return fs;
            } finally {
                if (!done) lock.unlock();
            }
        }
    }

    private static boolean isRunning(ContainerRecord r) {
        synchronized (r) { return r.state.running; }
    }

    /** The running container's overlay, or null if it is no longer mounted. */
    private static ContainerRootfs openLive(Path mountPoint) throws IOException {
        int fd;
        try {
            fd = Posix.open(mountPoint.toString(), O_PATH | O_DIRECTORY | Posix.O_CLOEXEC);
        } catch (PosixException e) {
            return null;
        }
        // The descriptor must be the overlay, not the empty dir under it (unmounted meanwhile).
        Object dev = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:dev");
        if (dev.equals(Files.getAttribute(mountPoint.getParent(), "unix:dev"))) {
            Posix.close(fd);
            return null;
        }
        return new ContainerRootfs(fd, null, true);
    }

    private static ContainerRootfs mountOffline(ContainerService service, ContainerRecord r, Path mountPoint,
                                                boolean writable, ReentrantLock lock) throws IOException {
        Image img = service.image(r);
        Path fs = service.store().dir(r.id).resolve("fs");
        List<String> lowers = new ArrayList<>();
        if (!writable) lowers.add(fs.resolve("upper").toString());
        for (Path p : service.lowerDirs(r, img)) lowers.add(p.toString());
        String data = "lowerdir=" + String.join(":", lowers);
        if (writable) data += ",upperdir=" + fs.resolve("upper") + ",workdir=" + fs.resolve("work");
        Files.createDirectories(mountPoint);
        Posix.mount("overlay", mountPoint.toString(), "overlay", writable ? 0 : Posix.MS_RDONLY, data);
        int fd;
        try {
            fd = Posix.open(mountPoint.toString(), O_PATH | O_DIRECTORY | Posix.O_CLOEXEC);
        } catch (IOException e) {
            Posix.umount(mountPoint.toString(), Posix.MNT_DETACH);
            throw e;
        }
        try {
            Posix.umount(mountPoint.toString(), Posix.MNT_DETACH);
        } catch (IOException e) {
            Posix.close(fd);
            throw e;
        }
        return new ContainerRootfs(fd, lock, false);
    }

    @Override
    public void close() {
        Posix.close(fd);
        if (held != null) held.unlock();
    }
}
