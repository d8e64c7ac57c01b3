package dev.berth.daemon.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Linux system calls the JDK does not offer, called through the FFM API (glibc, x86_64/aarch64).
 *
 * <p>Every method is static and thread-safe: native memory is per call (a confined arena) and
 * errno is captured by the downcall itself ({@code Linker.Option.captureCallState}), never read
 * from a shared location. Handles are resolved on first use, so a libc lacking one symbol only
 * breaks the method that needs it. Failures throw {@link PosixException} with the errno.
 *
 * <p><b>Blocking calls and virtual threads:</b> a downcall that blocks (typically {@link #read}
 * on a pty master) pins the carrier thread for as long as it blocks. Callers must do blocking
 * reads and writes on platform threads, not virtual threads.
 *
 * <p>Strings are passed as UTF-8; a string containing NUL is rejected with
 * {@link IllegalArgumentException} (C would silently truncate it, e.g. retargeting a path).
 */
public final class Posix {
    private Posix() {}

    // mount(2) / umount2(2) flags
    public static final long MS_RDONLY = 1, MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;

    // File type bits for mknod(2)'s mode
    public static final int S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFIFO = 0010000;

    // errno values callers commonly branch on (Linux numbering)
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EAGAIN = 11, EBUSY = 16,
            EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EINVAL = 22, ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95,
            ENOTSUP = EOPNOTSUPP;

    // open(2) flags, namespaces (unshare(2), setns(2)) and sockets
    public static final int O_RDONLY = 0, O_CLOEXEC = 02000000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1,
            SO_SNDBUF = 7, SO_RCVBUF = 8, SO_RCVTIMEO = 20, MSG_TRUNC = 0x20;

    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_RDWR = 02, O_NOCTTY = 0400;
    private static final long TIOCGPTN = 0x80045430L, TIOCSWINSZ = 0x5414L;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    /** Upper bound of the native bounce buffer used by {@link #read} and {@link #writeFully}. */
    private static final int MAX_CHUNK = 64 * 1024;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // Functions taking the captured-state segment as an extra first argument are declared with errnoFn.
    private static final Fn MOUNT = errnoFn("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Fn UMOUNT2 = errnoFn("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn MKNOD = errnoFn("mknod", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);
    private static final Fn SYMLINK = errnoFn("symlink", JAVA_INT, ADDRESS, ADDRESS);
    private static final Fn MKFIFO = errnoFn("mkfifo", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn LCHOWN = errnoFn("lchown", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Fn CHMOD = errnoFn("chmod", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn LSETXATTR = errnoFn("lsetxattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Fn LGETXATTR = errnoFn("lgetxattr", JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Fn LLISTXATTR = errnoFn("llistxattr", JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Fn UTIMENSAT = errnoFn("utimensat", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final Fn POSIX_OPENPT = errnoFn("posix_openpt", JAVA_INT, JAVA_INT);
    private static final Fn GRANTPT = errnoFn("grantpt", JAVA_INT, JAVA_INT);
    private static final Fn UNLOCKPT = errnoFn("unlockpt", JAVA_INT, JAVA_INT);
    private static final Fn READ = errnoFn("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Fn WRITE = errnoFn("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Fn KILL = errnoFn("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    /** {@code int open(const char *path, int flags, ...)}: never with O_CREAT, so no mode argument. */
    private static final Fn OPEN = new Fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final Fn UNSHARE = errnoFn("unshare", JAVA_INT, JAVA_INT);
    private static final Fn SETNS = errnoFn("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Fn SOCKET = errnoFn("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Fn BIND = errnoFn("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn SETSOCKOPT = errnoFn("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn SENDTO = errnoFn("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Fn RECV = errnoFn("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    /** {@code int ioctl(int fd, unsigned long request, ...)} with one pointer argument. */
    private static final Fn IOCTL_PTR = new Fn("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    /** {@code int prctl(int option, ...)} with the four unsigned long arguments the kernel reads. */
    private static final Fn PRCTL = new Fn("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final Fn CLOSE = new Fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final Fn GETUID = new Fn("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final Fn STRERROR = new Fn("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    // ---------------------------------------------------------------- mounts

    /** mount(2); {@code source}, {@code fstype} and {@code data} may be null. */
    public static void mount(String source, String target, String fstype, long flags, String data) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) MOUNT.handle().invokeExact(c.state, c.cString(source), c.cString(target),
                    c.cString(fstype), flags, c.cString(data)));
            if (r != 0) throw c.failure("mount " + source + " on " + target);
        }
    }

    /** umount2(2), e.g. with {@link #MNT_DETACH}. */
    public static void umount(String target, int flags) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) UMOUNT2.handle().invokeExact(c.state, c.cString(target), flags));
            if (r != 0) throw c.failure("umount " + target);
        }
    }

    // ---------------------------------------------------------------- file nodes and metadata

    /** mknod(2); {@code mode} holds the file type ({@link #S_IFCHR}...) and permission bits. */
    public static void mknod(String path, int mode, long dev) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) MKNOD.handle().invokeExact(c.state, c.cString(path), mode, dev));
            if (r != 0) throw c.failure("mknod " + path);
        }
    }

    /** The dev_t for a device number, as glibc's {@code makedev(3)} encodes it. */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major), mi = Integer.toUnsignedLong(minor);
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32)
                | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    /** mkfifo(3); the permission bits are subject to the process umask. */
    public static void mkfifo(String path, int mode) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) MKFIFO.handle().invokeExact(c.state, c.cString(path), mode));
            if (r != 0) throw c.failure("mkfifo " + path);
        }
    }

    /**
     * symlink(2): creates {@code linkPath} pointing at {@code target} byte for byte (unlike
     * {@code Files.createSymbolicLink}, which normalises the target as a Path: "a//b", "dir/").
     */
    public static void symlink(String target, String linkPath) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) SYMLINK.handle().invokeExact(c.state, c.cString(target), c.cString(linkPath)));
            if (r != 0) throw c.failure("symlink " + linkPath + " -> " + target);
        }
    }

    /** lchown(2): changes the owner of {@code path} itself, never a symlink's target. */
    public static void lchown(String path, int uid, int gid) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) LCHOWN.handle().invokeExact(c.state, c.cString(path), uid, gid));
            if (r != 0) throw c.failure("lchown " + path);
        }
    }

    /**
     * chmod(2) with all 12 permission bits, setuid/setgid/sticky included (no umask applies).
     * Follows symlinks, as chmod(2) does. Note that a later chown clears setuid/setgid, so set
     * the owner first.
     */
    public static void chmod(String path, int mode) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) CHMOD.handle().invokeExact(c.state, c.cString(path), mode & 07777));
            if (r != 0) throw c.failure("chmod " + path);
        }
    }

    /** lsetxattr(2): sets (creating or replacing) an extended attribute on the node itself. */
    public static void lsetxattr(String path, String name, byte[] value) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment v = value.length == 0 ? c.arena.allocate(1) : c.arena.allocateFrom(JAVA_BYTE, value);
            long r = call(() -> (int) LSETXATTR.handle().invokeExact(c.state, c.cString(path), c.cString(name), v,
                    (long) value.length, 0));
            if (r != 0) throw c.failure("lsetxattr " + name + " on " + path);
        }
    }

    /** lgetxattr(2): the attribute's value, or null when the node does not have it (ENODATA). */
    public static byte[] lgetxattr(String path, String name) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment p = c.cString(path), n = c.cString(name);
            while (true) {
                long size = call(() -> (long) LGETXATTR.handle().invokeExact(c.state, p, n, MemorySegment.NULL, 0L));
                if (size >= 0) {
                    MemorySegment buf = c.arena.allocate(Math.max(size, 1));
                    long got = call(() -> (long) LGETXATTR.handle().invokeExact(c.state, p, n, buf, size));
                    if (got >= 0) return buf.asSlice(0, got).toArray(JAVA_BYTE);
                }
                int errno = c.errno();
                if (errno == ENODATA) return null;
                // ERANGE: the value grew between sizing and reading it; size it again.
                if (errno != ERANGE) throw c.failure("lgetxattr " + name + " on " + path);
            }
        }
    }

    /** llistxattr(2): the names of the node's extended attributes (empty when the filesystem has none). */
    public static java.util.List<String> llistxattr(String path) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment p = c.cString(path);
            while (true) {
                long size = call(() -> (long) LLISTXATTR.handle().invokeExact(c.state, p, MemorySegment.NULL, 0L));
                if (size == 0) return java.util.List.of();
                if (size > 0) {
                    MemorySegment buf = c.arena.allocate(size);
                    long got = call(() -> (long) LLISTXATTR.handle().invokeExact(c.state, p, buf, size));
                    if (got >= 0) {
                        java.util.List<String> names = new java.util.ArrayList<>();
                        byte[] all = buf.asSlice(0, got).toArray(JAVA_BYTE);
                        int start = 0;
                        for (int i = 0; i < all.length; i++) {
                            if (all[i] != 0) continue;
                            if (i > start) names.add(new String(all, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                            start = i + 1;
                        }
                        return names;
                    }
                }
                int errno = c.errno();
                if (errno == EOPNOTSUPP) return java.util.List.of();
                if (errno != ERANGE) throw c.failure("llistxattr " + path);
            }
        }
    }

    /**
     * Sets both atime and mtime of the node itself (symlinks are not followed):
     * {@code utimensat(AT_FDCWD, path, {mtime, mtime}, AT_SYMLINK_NOFOLLOW)}.
     */
    public static void utimensNoFollow(String path, long mtimeEpochNanos) throws PosixException {
        long sec = Math.floorDiv(mtimeEpochNanos, 1_000_000_000L);
        long nsec = Math.floorMod(mtimeEpochNanos, 1_000_000_000L);
        try (Call c = new Call()) {
            MemorySegment times = c.arena.allocateFrom(JAVA_LONG, sec, nsec, sec, nsec); // struct timespec[2]
            long r = call(() -> (int) UTIMENSAT.handle().invokeExact(c.state, AT_FDCWD, c.cString(path), times,
                    AT_SYMLINK_NOFOLLOW));
            if (r != 0) throw c.failure("utimensat " + path);
        }
    }

    // ---------------------------------------------------------------- terminals

    /** A new pty master (close-on-exec, not our controlling tty), ready for its slave to be opened. */
    public static int openPtyMaster() throws PosixException {
        try (Call c = new Call()) {
            int fd = (int) call(() -> (int) POSIX_OPENPT.handle().invokeExact(c.state, O_RDWR | O_NOCTTY | O_CLOEXEC));
            if (fd < 0) throw c.failure("posix_openpt");
            try {
                if (call(() -> (int) GRANTPT.handle().invokeExact(c.state, fd)) != 0) throw c.failure("grantpt");
                if (call(() -> (int) UNLOCKPT.handle().invokeExact(c.state, fd)) != 0) throw c.failure("unlockpt");
            } catch (PosixException e) {
                close(fd);
                throw e;
            }
            return fd;
        }
    }

    /** The slave device path of a pty master, e.g. {@code /dev/pts/3} (ioctl TIOCGPTN). */
    public static String ptsName(int masterFd) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment n = c.arena.allocate(JAVA_INT);
            long r = call(() -> (int) IOCTL_PTR.handle().invokeExact(c.state, masterFd, TIOCGPTN, n));
            if (r != 0) throw c.failure("ioctl TIOCGPTN on fd " + masterFd);
            return "/dev/pts/" + Integer.toUnsignedString(n.get(JAVA_INT, 0));
        }
    }

    /**
     * Sets a terminal's size (ioctl TIOCSWINSZ); the kernel sends SIGWINCH to the terminal's
     * foreground process group. Rows and columns must fit an unsigned short.
     */
    public static void setWindowSize(int fd, int rows, int cols) throws PosixException {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new IllegalArgumentException("invalid terminal size " + rows + "x" + cols);
        }
        try (Call c = new Call()) {
            MemorySegment ws = c.arena.allocate(8); // struct winsize { ws_row, ws_col, ws_xpixel, ws_ypixel }
            ws.set(JAVA_SHORT, 0, (short) rows);
            ws.set(JAVA_SHORT, 2, (short) cols);
            long r = call(() -> (int) IOCTL_PTR.handle().invokeExact(c.state, fd, TIOCSWINSZ, ws));
            if (r != 0) throw c.failure("ioctl TIOCSWINSZ on fd " + fd);
        }
    }

    // ---------------------------------------------------------------- raw fd I/O

    /**
     * read(2) into {@code buf}: the number of bytes read (at least 1), or -1 at end of input.
     * EIO also counts as end of input: it is what a pty master reports once every slave fd is
     * closed. EINTR is retried. Blocks: call from a platform thread (see class comment).
     */
    public static int read(int fd, byte[] buf, int off, int len) throws PosixException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) return 0;
        try (Call c = new Call()) {
            int chunk = Math.min(len, MAX_CHUNK);
            MemorySegment bounce = c.arena.allocate(chunk);
            while (true) {
                long n = call(() -> (long) READ.handle().invokeExact(c.state, fd, bounce, (long) chunk));
                if (n > 0) {
                    MemorySegment.copy(bounce, JAVA_BYTE, 0, buf, off, (int) n);
                    return (int) n;
                }
                if (n == 0) return -1;
                int errno = c.errno();
                if (errno == EIO) return -1;
                if (errno != EINTR) throw c.failure("read fd " + fd);
            }
        }
    }

    /** Writes all of {@code buf[off, off+len)} with as many write(2) calls as needed (EINTR retried). */
    public static void writeFully(int fd, byte[] buf, int off, int len) throws PosixException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) return;
        try (Call c = new Call()) {
            MemorySegment bounce = c.arena.allocate(Math.min(len, MAX_CHUNK));
            int done = 0;
            while (done < len) {
                int chunk = (int) Math.min(len - done, bounce.byteSize());
                MemorySegment.copy(buf, off + done, bounce, JAVA_BYTE, 0, chunk);
                int written = 0;
                while (written < chunk) {
                    int from = written;
                    long n = call(() -> (long) WRITE.handle().invokeExact(c.state, fd, bounce.asSlice(from),
                            (long) (chunk - from)));
                    if (n > 0) written += (int) n;
                    else if (n < 0 && c.errno() == EINTR) continue;
                    else if (n < 0) throw c.failure("write fd " + fd);
                    else throw new PosixException("write fd " + fd + " wrote nothing", EIO);
                }
                done += chunk;
            }
        }
    }

    /** close(2), ignoring errors (there is nothing useful to do about them, and no retry on Linux). */
    public static void close(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) CLOSE.handle().invokeExact(fd);
        } catch (Throwable t) {
            // close is best effort by contract
        }
    }

    // ---------------------------------------------------------------- files, namespaces, sockets

    /**
     * open(2) without O_CREAT (so without a mode), e.g. {@code O_RDONLY | O_CLOEXEC} on a namespace
     * file. The caller owns the returned fd and must {@link #close} it.
     */
    public static int open(String path, int flags) throws PosixException {
        try (Call c = new Call()) {
            int fd = (int) call(() -> (int) OPEN.handle().invokeExact(c.state, c.cString(path), flags));
            if (fd < 0) throw c.failure("open " + path);
            return fd;
        }
    }

    /**
     * unshare(2). Namespaces such as {@link #CLONE_NEWNET} are per thread: only call this on a
     * platform thread made for the purpose, which ends afterwards (never on a pooled thread or
     * a virtual thread's carrier, which would carry the namespace into unrelated work).
     */
    public static void unshare(int flags) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) UNSHARE.handle().invokeExact(c.state, flags));
            if (r != 0) throw c.failure("unshare 0x" + Integer.toHexString(flags));
        }
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to (same caveat as {@link #unshare}). */
    public static void setns(int fd, int nstype) throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) SETNS.handle().invokeExact(c.state, fd, nstype));
            if (r != 0) throw c.failure("setns fd " + fd);
        }
    }

    /** socket(2); the caller owns the fd. */
    public static int socket(int domain, int type, int protocol) throws PosixException {
        try (Call c = new Call()) {
            int fd = (int) call(() -> (int) SOCKET.handle().invokeExact(c.state, domain, type, protocol));
            if (fd < 0) throw c.failure("socket " + domain + "/" + type + "/" + protocol);
            return fd;
        }
    }

    /** bind(2) to a socket address given as the bytes of its C struct (e.g. a sockaddr_nl). */
    public static void bind(int fd, byte[] sockaddr) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment a = c.arena.allocateFrom(JAVA_BYTE, sockaddr);
            long r = call(() -> (int) BIND.handle().invokeExact(c.state, fd, a, sockaddr.length));
            if (r != 0) throw c.failure("bind fd " + fd);
        }
    }

    /** setsockopt(2) with the option value given as the bytes of its C type. */
    public static void setsockopt(int fd, int level, int option, byte[] value) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment v = c.arena.allocateFrom(JAVA_BYTE, value);
            long r = call(() -> (int) SETSOCKOPT.handle().invokeExact(c.state, fd, level, option, v, value.length));
            if (r != 0) throw c.failure("setsockopt " + level + "/" + option + " on fd " + fd);
        }
    }

    /** setsockopt(2) with an {@code int} value. */
    public static void setsockopt(int fd, int level, int option, int value) throws PosixException {
        byte[] v = new byte[4];
        java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).putInt(value);
        setsockopt(fd, level, option, v);
    }

    /**
     * sendto(2) of one datagram {@code buf[off, off+len)} to {@code sockaddr} (C struct bytes);
     * EINTR is retried. Returns the number of bytes sent.
     */
    public static int sendto(int fd, byte[] buf, int off, int len, int flags, byte[] sockaddr) throws PosixException {
        Objects.checkFromIndexSize(off, len, buf.length);
        try (Call c = new Call()) {
            MemorySegment b = c.arena.allocate(Math.max(len, 1));
            MemorySegment.copy(buf, off, b, JAVA_BYTE, 0, len);
            MemorySegment a = c.arena.allocateFrom(JAVA_BYTE, sockaddr);
            while (true) {
                long n = call(() -> (long) SENDTO.handle().invokeExact(c.state, fd, b, (long) len, flags, a,
                        sockaddr.length));
                if (n >= 0) return (int) n;
                if (c.errno() != EINTR) throw c.failure("sendto fd " + fd);
            }
        }
    }

    /**
     * recv(2) of one datagram into {@code buf}; EINTR is retried. Returns its length, which
     * with {@link #MSG_TRUNC} is the datagram's real length even when it did not fit (only
     * {@code buf.length} bytes are copied then). Blocks: call from a platform thread.
     */
    public static int recv(int fd, byte[] buf, int flags) throws PosixException {
        try (Call c = new Call()) {
            MemorySegment b = c.arena.allocate(Math.max(buf.length, 1));
            while (true) {
                long n = call(() -> (long) RECV.handle().invokeExact(c.state, fd, b, (long) buf.length, flags));
                if (n >= 0) {
                    MemorySegment.copy(b, JAVA_BYTE, 0, buf, 0, (int) Math.min(n, buf.length));
                    return (int) n;
                }
                if (c.errno() != EINTR) throw c.failure("recv fd " + fd);
            }
        }
    }

    // ---------------------------------------------------------------- processes

    /**
     * kill(2). Only a single process can be targeted: {@code pid <= 0} (process groups, or every
     * process we may signal) is rejected with IllegalArgumentException, as it can only be a bug.
     */
    public static void kill(int pid, int signal) throws PosixException {
        if (pid <= 0) throw new IllegalArgumentException("refusing to signal pid " + pid);
        try (Call c = new Call()) {
            long r = call(() -> (int) KILL.handle().invokeExact(c.state, pid, signal));
            if (r != 0) throw c.failure("kill " + pid + " with signal " + signal);
        }
    }

    /**
     * Whether a process with this pid exists ({@code kill(pid, 0)} fails only with ESRCH when it
     * does not; EPERM means it exists but is not ours). A zombie still exists. False for pid <= 0.
     */
    public static boolean processExists(int pid) {
        if (pid <= 0) return false;
        try (Call c = new Call()) {
            long r = call(() -> (int) KILL.handle().invokeExact(c.state, pid, 0));
            return r == 0 || c.errno() != ESRCH;
        }
    }

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to this process. */
    public static void setChildSubreaper() throws PosixException {
        try (Call c = new Call()) {
            long r = call(() -> (int) PRCTL.handle().invokeExact(c.state, PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L));
            if (r != 0) throw c.failure("prctl PR_SET_CHILD_SUBREAPER");
        }
    }

    /** getuid(2), which cannot fail. */
    public static int getuid() {
        return (int) call(() -> (int) GETUID.handle().invokeExact());
    }

    /**
     * strerror(3): the C library's description of an errno value (localised per LC_MESSAGES),
     * or "Unknown error N" if libc cannot be asked. glibc's strerror is thread-safe.
     */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.handle().invokeExact(errno);
            if (!s.equals(MemorySegment.NULL)) return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            // fall back below: an error message must never fail to build
        }
        return "Unknown error " + errno;
    }

    // ---------------------------------------------------------------- plumbing

    /** Per-call native memory: C strings, buffers and the captured errno, all freed on close. */
    private static final class Call implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment state = arena.allocate(CALL_STATE);

        MemorySegment cString(String s) {
            if (s == null) return MemorySegment.NULL;
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL character in " + s.replace('\0', '?'));
            return arena.allocateFrom(s);
        }

        int errno() {
            return (int) ERRNO.get(state, 0L);
        }

        PosixException failure(String operation) {
            return new PosixException(operation, errno());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** One downcall, returning its C result widened to long. */
    @FunctionalInterface
    private interface Downcall {
        long invoke() throws Throwable;
    }

    /** Runs a downcall; they throw no checked exceptions, so anything checked is a bug. */
    private static long call(Downcall downcall) {
        try {
            return downcall.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("unexpected exception from a native call", t);
        }
    }

    private static Fn errnoFn(String symbol, MemoryLayout result, MemoryLayout... args) {
        return new Fn(symbol, FunctionDescriptor.of(result, args), CAPTURE_ERRNO);
    }

    /** A libc function whose downcall handle is looked up on first use. */
    private static final class Fn {
        private final String symbol;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Fn(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
            this.symbol = symbol;
            this.descriptor = descriptor;
            this.options = options;
        }

        MethodHandle handle() {
            MethodHandle h = handle;
            if (h == null) {
                // Threads racing here each build an equivalent handle; keeping any one is fine.
                MemorySegment address = LINKER.defaultLookup().find(symbol)
                        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no function " + symbol));
                h = LINKER.downcallHandle(address, descriptor, options);
                handle = h;
            }
            return h;
        }
    }
}
