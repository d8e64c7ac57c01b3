package dev.berth.daemon.net.dns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Test helper: runs code on a new platform thread that has joined another network namespace
 * (setns(2)), which is how berthd opens the embedded DNS server's sockets inside a container's
 * namespace. A socket stays in the namespace it was created in, whatever thread uses it later.
 * (The network code will have its own, in the os layer.)
 */
final class Netns {
    private Netns() {}

    private static final int CLONE_NEWNET = 0x40000000, O_RDONLY = 0, O_CLOEXEC = 02000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = fn("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    static <T> T inside(Path netns, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-" + netns).start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                int fd = (int) OPEN.invokeExact(arena.allocateFrom(netns.toString()), O_RDONLY | O_CLOEXEC);
                if (fd < 0) throw new IOException("cannot open " + netns);
                int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                int ignored = (int) CLOSE.invokeExact(fd);
                if (rc != 0) throw new IOException("setns " + netns + " failed");
                // This thread now lives in the other namespace and ends with the task.
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }
}
