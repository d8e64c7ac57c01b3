package dev.berth.daemon.net.nft;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a named network namespace ({@code ip netns add <name>}) without a child
 * process: a fresh platform thread calls setns(2) on itself (a network namespace may be entered
 * per thread) and runs the code. Sockets keep the namespace they were created in, so a server
 * socket opened here may be served from any thread afterwards. The thread ends with the call,
 * taking its namespace with it.
 */
final class InNetns {
    private static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 02000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private InNetns() {}

    static <T> T call(String netns, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + netns).start(() -> {
            try {
                enter(netns);
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() instanceof Exception e) throw e;
        if (failure.get() instanceof Error e) throw e;
        return result.get();
    }

    private static void enter(String netns) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + netns), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw new IllegalStateException("cannot open netns " + netns);
            try {
                int r = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                if (r != 0) throw new IllegalStateException("setns into " + netns + " failed");
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        }
    }
}
