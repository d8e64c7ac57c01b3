package dev.berth.daemon.net.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A userland port forwarder, as docker-proxy: listens on a host address and port and relays
 * every TCP connection or UDP flow to a container's address and port. The container sees the
 * proxy's (host's) address as the source, never the client's.
 *
 * <p>TCP: one connection to the target per accepted client, two copy loops (one per direction)
 * on virtual threads over blocking NIO channels with a direct buffer each; end of stream is
 * passed on as a half-close ({@code shutdownOutput}), an error closes both sides. UDP: one
 * connected socket towards the target per client address, so replies find their way back;
 * a flow idle for {@code idleTimeout} is dropped (docker-proxy: 90 s).
 *
 * <p>{@link #close} stops listening and cuts every relayed connection, like stopping
 * docker-proxy when a port is unpublished.
 */
public final class PortProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PortProxy.class.getName());
    /** Per direction and connection: large enough that a bulk transfer costs few system calls. */
    private static final int TCP_BUFFER = 256 * 1024;
    /**
     * Direct buffers are costly to allocate (zeroed, freed by a cleaner): allocating two per
     * connection halved the proxy's connection rate. They are reused; a few are kept, the rest
     * left to the collector.
     */
    private static final BlockingQueue<ByteBuffer> BUFFERS = new ArrayBlockingQueue<>(64);
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    public static final Duration UDP_IDLE_TIMEOUT = Duration.ofSeconds(90);

    private final InetSocketAddress listenAddress;
    private final InetSocketAddress target;
    private final AutoCloseable listener;
    /** Everything to close on {@link #close}: accepted clients, target connections, UDP flows. */
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private PortProxy(InetSocketAddress listenAddress, InetSocketAddress target, AutoCloseable listener) {
        this.listenAddress = listenAddress;
        this.target = target;
        this.listener = listener;
    }

    /** Starts relaying TCP connections from {@code listen} to {@code target}. */
    public static PortProxy tcp(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(listen, 1024);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        PortProxy proxy = new PortProxy((InetSocketAddress) server.getLocalAddress(), target, server);
        Thread.ofVirtual().name("proxy-tcp-" + proxy.listenAddress).start(() -> proxy.acceptLoop(server));
        return proxy;
    }

    /** Starts relaying UDP datagrams from {@code listen} to {@code target} and replies back. */
    public static PortProxy udp(InetSocketAddress listen, InetSocketAddress target, Duration idleTimeout) throws IOException {
        DatagramChannel socket = DatagramChannel.open();
        try {
            // no SO_REUSEADDR: for UDP it would let a second socket share the port silently
            socket.bind(listen);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        PortProxy proxy = new PortProxy((InetSocketAddress) socket.getLocalAddress(), target, socket);
        Thread.ofVirtual().name("proxy-udp-" + proxy.listenAddress).start(() -> proxy.udpLoop(socket, idleTimeout));
        return proxy;
    }

    public static PortProxy udp(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        return udp(listen, target, UDP_IDLE_TIMEOUT);
    }

    /** The address actually listened on (the port is known here when 0 was asked for). */
    public InetSocketAddress listenAddress() { return listenAddress; }

    public InetSocketAddress target() { return target; }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (AutoCloseable c : open) closeQuietly(c);
        open.clear();
    }

    // ---- TCP

    private void acceptLoop(ServerSocketChannel server) {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                LOG.log(Level.WARNING, "proxy " + listenAddress + ": accept failed", e);
                continue;
            }
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(SocketChannel client) {
        SocketChannel upstream = null;
        track(client);
        try {
            upstream = SocketChannel.open();
            track(upstream);
            upstream.socket().connect(target, CONNECT_TIMEOUT_MS);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            LOG.fine(() -> "proxy " + listenAddress + ": cannot connect to " + target + ": " + e.getMessage());
            untrackAndClose(client);
            if (upstream != null) untrackAndClose(upstream);
            return;
        }
        SocketChannel up = upstream;
        Thread back = Thread.ofVirtual().start(() -> copy(up, client));
        copy(client, up);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        untrackAndClose(client);
        untrackAndClose(up);
    }

    /** Copies until end of stream, then half-closes {@code to}; on an error closes both. */
    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = BUFFERS.poll();
        if (buf == null) buf = ByteBuffer.allocateDirect(TCP_BUFFER);
        buf.clear();
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) to.write(buf);
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        } finally {
            BUFFERS.offer(buf);
        }
    }

    // ---- UDP

    private final class Flow {
        final SocketAddress client;
        final DatagramChannel upstream;
        volatile long lastActive = System.nanoTime();

        Flow(SocketAddress client, DatagramChannel upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    private void udpLoop(DatagramChannel socket, Duration idleTimeout) {
        Map<SocketAddress, Flow> flows = new ConcurrentHashMap<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = socket.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                LOG.log(Level.WARNING, "proxy " + listenAddress + ": receive failed", e);
                continue;
            }
            buf.flip();
            Flow flow = flows.get(from);
            try {
                if (flow == null || !flow.upstream.isOpen()) { // new client, or its flow just timed out
                    flow = openFlow(socket, from, flows, idleTimeout);
                    if (flow == null) continue;
                }
                flow.lastActive = System.nanoTime();
                flow.upstream.write(buf);
            } catch (IOException e) {
                // the target refused (ICMP port unreachable) or went away: datagrams are lossy anyway
                LOG.fine(() -> "proxy " + listenAddress + ": send to " + target + " failed: " + e.getMessage());
            }
        }
    }

    private Flow openFlow(DatagramChannel socket, SocketAddress client, Map<SocketAddress, Flow> flows, Duration idleTimeout) {
        DatagramChannel upstream = null;
        try {
            upstream = DatagramChannel.open();
            upstream.connect(target);
        } catch (IOException e) {
            closeQuietly(upstream);
            LOG.fine(() -> "proxy " + listenAddress + ": cannot open a flow to " + target + ": " + e.getMessage());
            return null;
        }
        Flow flow = new Flow(client, upstream);
        flows.put(client, flow);
        track(upstream);
        Thread.ofVirtual().start(() -> replies(socket, flow, flows, idleTimeout));
        return flow;
    }

    /** Sends the target's replies back to the flow's client until the flow is idle too long. */
    private void replies(DatagramChannel socket, Flow flow, Map<SocketAddress, Flow> flows, Duration idleTimeout) {
        long idleNanos = idleTimeout.toNanos();
        byte[] data = new byte[65536];
        DatagramPacket packet = new DatagramPacket(data, data.length);
        try {
            flow.upstream.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, idleTimeout.toMillis())));
            while (!closed) {
                try {
                    packet.setLength(data.length);
                    flow.upstream.socket().receive(packet);
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - flow.lastActive >= idleNanos) break;
                    continue;
                } catch (java.net.PortUnreachableException e) {
                    continue; // nothing listens in the container (yet): keep the flow, as the kernel would
                }
                flow.lastActive = System.nanoTime();
                socket.send(ByteBuffer.wrap(data, 0, packet.getLength()), flow.client);
            }
        } catch (IOException e) {
            if (!closed) LOG.fine(() -> "proxy " + listenAddress + ": flow from " + flow.client + " ended: " + e.getMessage());
        } finally {
            flows.remove(flow.client, flow);
            untrackAndClose(flow.upstream);
        }
    }

    // ---- bookkeeping

    private void track(AutoCloseable c) {
        open.add(c);
        if (closed) closeQuietly(c);
    }

    private void untrackAndClose(AutoCloseable c) {
        open.remove(c);
        closeQuietly(c);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }
}
