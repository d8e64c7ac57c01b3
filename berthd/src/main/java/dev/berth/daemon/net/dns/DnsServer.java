package dev.berth.daemon.net.dns;

import static dev.berth.daemon.net.dns.DnsMessage.*;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded DNS server containers on user-defined networks ask, like Docker's at
 * 127.0.0.11: A, AAAA, MX and PTR for the names a {@link Resolver} knows, everything else
 * forwarded upstream.
 *
 * <p>Answers follow moby's {@code libnetwork/resolver.go}: TTL 600; several addresses in random
 * order; RA set on every answer it makes itself; a known name without an address of the asked
 * family (AAAA for an IPv4-only container) gets an empty NOERROR and an MX query for a known
 * name too, so clients never go upstream for it; an unknown name, another type, another class
 * or a PTR outside the container addresses goes to the resolver's upstreams over the client's
 * protocol ({@link Forwarder}) and their answer comes back as sent; with no upstream, or none
 * answering, SERVFAIL. UDP answers are cut to 512 bytes, or the client's EDNS size, with TC set
 * (the client then asks over TCP, where answers may be 65535 bytes). Malformed queries get
 * FORMERR, other opcodes NOTIMP; datagrams shorter than a header, and responses, are dropped.
 *
 * <p>One server holds any number of listeners; each listener is a UDP socket and usually a
 * TCP one, with the {@link Resolver} that answers its clients. {@link #listen} binds an
 * address; {@link #serve} takes channels opened elsewhere, e.g. inside a container's network
 * namespace (a socket stays in the namespace it was created in), which is how berthd wires it.
 *
 * <p>Threads: per listener one virtual thread receives datagrams and answers local names
 * inline (no hand-off: the answer is a few microseconds of work); a forwarded query runs on
 * a virtual thread of its own, at most {@code maxConcurrentForwards} at a time (more get
 * REFUSED, as Docker does past 1024). TCP: a virtual thread per connection, several queries per
 * connection in turn (RFC 7766), closed after {@code tcpIdleTimeout} without one.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsServer.class.getName());

    /** Docker's TTL for the names it answers (moby {@code respTTL}). */
    public static final long TTL = 600;

    public record Options(Duration upstreamTimeout, int maxConcurrentForwards, Duration tcpIdleTimeout, int maxTcpConnections) {
        public Options {
            if (upstreamTimeout.isNegative() || upstreamTimeout.isZero() || tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero())
                throw new IllegalArgumentException("DNS timeouts must be positive");
            if (maxConcurrentForwards < 1 || maxTcpConnections < 1) throw new IllegalArgumentException("DNS limits must be positive");
        }

        /** Docker's numbers: 4 s per upstream server, 1024 queries forwarded at once. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(4), 1024, Duration.ofSeconds(10), 256);
        }
    }

    private final Options options;
    private final Forwarder forwarder;
    private final Semaphore forwards;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public DnsServer() { this(Options.defaults()); }

    public DnsServer(Options options) {
        this.options = options;
        this.forwarder = new Forwarder(options.upstreamTimeout());
        this.forwards = new Semaphore(options.maxConcurrentForwards());
    }

    /**
     * Binds UDP and TCP on {@code address} and serves them. With port 0 both get the same
     * kernel-chosen port (a few tries if TCP has that port taken already).
     */
    public Listener listen(InetSocketAddress address, Resolver resolver) throws IOException {
        for (int attempt = 0; ; attempt++) {
            DatagramChannel udp = DatagramChannel.open(address.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            ServerSocketChannel tcp = null;
            try {
                udp.bind(address);
                int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
                tcp = ServerSocketChannel.open();
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(address.getAddress(), port), 128);
                return serve(udp, tcp, resolver);
            } catch (BindException e) {
                udp.close();
                if (tcp != null) tcp.close();
                if (address.getPort() != 0 || attempt == 4) throw e;
            } catch (IOException | RuntimeException e) {
                udp.close();
                if (tcp != null) tcp.close();
                throw e;
            }
        }
    }

    /**
     * Serves channels opened (and bound) elsewhere; the listener owns them from now on. The
     * TCP channel may be null (then UDP answers that do not fit stay truncated).
     */
    public Listener serve(DatagramChannel udp, ServerSocketChannel tcp, Resolver resolver) throws IOException {
        try {
            if (closed) throw new ClosedChannelException();
            udp.configureBlocking(true);
            if (tcp != null) tcp.configureBlocking(true);
            Listener l = new Listener(udp, tcp, resolver);
            listeners.add(l);
            l.start();
            return l;
        } catch (IOException | RuntimeException e) {
            closeQuietly(udp);
            if (tcp != null) closeQuietly(tcp);
            throw e;
        }
    }

    /** Closes every listener; queries being forwarded finish on their own. */
    @Override public void close() {
        closed = true;
        for (Listener l : List.copyOf(listeners)) l.close();
    }

    /** One UDP socket (and TCP socket) with the resolver that answers its clients. */
    public final class Listener implements AutoCloseable {
        private final DatagramChannel udp;
        private final ServerSocketChannel tcp;
        private final Resolver resolver;
        private final InetSocketAddress address;
        private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
        private final Semaphore connectionSlots = new Semaphore(options.maxTcpConnections());
        private volatile boolean stopped;

        private Listener(DatagramChannel udp, ServerSocketChannel tcp, Resolver resolver) throws IOException {
            this.udp = udp;
            this.tcp = tcp;
            this.resolver = resolver;
            this.address = (InetSocketAddress) udp.getLocalAddress();
        }

        /** The UDP socket's address (the TCP one has the same when bound by {@link #listen}). */
        public InetSocketAddress address() { return address; }

        private void start() {
            Thread.ofVirtual().name("dns-udp-" + address).start(this::udpLoop);
            if (tcp != null) Thread.ofVirtual().name("dns-tcp-" + address).start(this::acceptLoop);
        }

        @Override public void close() {
            stopped = true;
            listeners.remove(this);
            closeQuietly(udp);
            if (tcp != null) closeQuietly(tcp);
            for (SocketChannel c : List.copyOf(connections)) closeQuietly(c);
        }

        private void udpLoop() {
            ByteBuffer in = ByteBuffer.allocate(MAX_SIZE);
            while (!stopped) {
                InetSocketAddress from;
                try {
                    in.clear();
                    from = (InetSocketAddress) udp.receive(in);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (stopped) return;
                    LOG.log(Level.FINE, "DNS receive on " + address + " failed", e);
                    continue;
                }
                byte[] query = Arrays.copyOf(in.array(), in.position());
                Pending p = prepare(query, from.getAddress(), false, resolver);
                if (p == null) continue;
                if (p.reply() != null) {
                    send(p.reply(), from);
                } else if (!forwards.tryAcquire()) {
                    LOG.fine(() -> "more than " + options.maxConcurrentForwards() + " DNS queries being forwarded; refusing");
                    send(DnsMessage.reply(p.query(), REFUSED, false, List.of()).encode(), from);
                } else {
                    Thread.ofVirtual().start(() -> {
                        try {
                            send(forward(query, p, false), from);
                        } finally {
                            forwards.release();
                        }
                    });
                }
            }
        }

        private void send(byte[] reply, InetSocketAddress to) {
            try {
                udp.send(ByteBuffer.wrap(reply), to);
            } catch (IOException e) {
                if (!stopped) LOG.log(Level.FINE, "DNS answer to " + to + " not sent", e);
            }
        }

        private void acceptLoop() {
            while (!stopped) {
                SocketChannel c;
                try {
                    c = tcp.accept();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (stopped) return;
                    LOG.log(Level.FINE, "DNS accept on " + address + " failed", e);
                    continue;
                }
                if (!connectionSlots.tryAcquire()) {
                    closeQuietly(c);
                    continue;
                }
                connections.add(c);
                Thread.ofVirtual().start(() -> {
                    try {
                        tcpConnection(c);
                    } finally {
                        connections.remove(c);
                        connectionSlots.release();
                        closeQuietly(c);
                    }
                });
                if (stopped) closeQuietly(c);
            }
        }

        private void tcpConnection(SocketChannel c) {
            try {
                InetAddress client = ((InetSocketAddress) c.getRemoteAddress()).getAddress();
                // The socket adaptor's streams honour SO_TIMEOUT: the idle limit between queries.
                c.socket().setSoTimeout((int) options.tcpIdleTimeout().toMillis());
                DataInputStream in = new DataInputStream(c.socket().getInputStream());
                OutputStream out = c.socket().getOutputStream();
                while (!stopped) {
                    int len;
                    try {
                        len = in.readUnsignedShort();
                    } catch (EOFException | SocketTimeoutException e) {
                        return;
                    }
                    byte[] query = new byte[len];
                    in.readFully(query);
                    Pending p = prepare(query, client, true, resolver);
                    if (p == null) return; // not a query: nothing sensible to say on this stream
                    byte[] reply = p.reply() != null ? p.reply() : forwardOverTcp(query, p);
                    out.write(DnsMessage.tcpFrame(reply));
                    out.flush();
                }
            } catch (IOException e) {
                if (!stopped) LOG.log(Level.FINE, "DNS TCP connection on " + address + " ended", e);
            }
        }

        private byte[] forwardOverTcp(byte[] query, Pending p) {
            if (!forwards.tryAcquire()) return DnsMessage.reply(p.query(), REFUSED, false, List.of()).encode();
            try {
                return forward(query, p, true);
            } finally {
                forwards.release();
            }
        }
    }

    // ---- answering ---------------------------------------------------------------------------

    /**
     * A query looked at: {@code reply} to send now, or {@code query} to forward to
     * {@code upstreams}. Null means send nothing.
     */
    record Pending(byte[] reply, DnsMessage query, List<InetSocketAddress> upstreams, int limit) {}

    /** Everything short of talking to an upstream server; never throws. */
    Pending prepare(byte[] raw, InetAddress client, boolean tcp, Resolver resolver) {
        if (raw.length < HEADER_SIZE) return null;
        int flags = headerFlags(raw, 0);
        if ((flags & FLAG_QR) != 0) return null; // never answer an answer (no reflection loops)
        DnsMessage query;
        try {
            query = DnsMessage.parse(raw);
        } catch (DnsFormatException e) {
            LOG.fine(() -> "malformed DNS query from " + client + ": " + e.getMessage());
            return new Pending(headerReply(raw, FORMERR), null, null, 0);
        }
        if (query.opcode() != OPCODE_QUERY) return new Pending(DnsMessage.reply(query, NOTIMP, false, List.of()).encode(), null, null, 0);
        if (query.questions().size() != 1) return new Pending(DnsMessage.reply(query, FORMERR, false, List.of()).encode(), null, null, 0);
        int limit = tcp ? MAX_SIZE : Math.max(UDP_MIN_SIZE, query.ednsUdpSize());
        try {
            DnsMessage local = local(query, client, resolver);
            if (local != null) return new Pending(local.encode(limit), null, null, limit);
            List<InetSocketAddress> upstreams = resolver.upstreams(client);
            if (upstreams == null || upstreams.isEmpty()) return new Pending(servfail(query), null, null, limit);
            return new Pending(null, query, List.copyOf(upstreams), limit);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "DNS resolver failed for " + query.questions().getFirst().name(), e);
            return new Pending(servfail(query), null, null, limit);
        }
    }

    /** Asks the upstreams; the answer as they sent it, cut to header and question if too big for UDP. */
    byte[] forward(byte[] raw, Pending p, boolean tcp) {
        byte[] answer = forwarder.exchange(raw, p.query(), tcp, p.upstreams());
        if (answer == null) return servfail(p.query());
        if (answer.length <= p.limit()) return answer;
        // Too big for this client over UDP: only the header and question, with TC, so it asks
        // again over TCP. Records are not re-encoded: their data may hold compressed names
        // that only make sense inside the original message.
        try {
            DnsMessage.Question q = DnsMessage.firstQuestion(answer);
            return new DnsMessage(headerId(answer, 0), headerFlags(answer, 0) | FLAG_TC, List.of(q),
                    List.of(), List.of(), List.of(), 0).encode();
        } catch (DnsFormatException e) {
            return servfail(p.query());
        }
    }

    /** The answer made from the resolver's names, or null when the query is not ours. */
    private static DnsMessage local(DnsMessage query, InetAddress client, Resolver resolver) {
        Question q = query.questions().getFirst();
        if (q.dnsClass() != CLASS_IN) return null;
        String name = DnsMessage.lower(q.name());
        switch (q.type()) {
            case TYPE_A, TYPE_AAAA -> {
                Resolver.Addresses a = resolver.lookup(name, client);
                if (a == null) return null;
                List<? extends InetAddress> addrs = q.type() == TYPE_A ? a.ipv4() : a.ipv6();
                if (addrs.size() > 1) {
                    addrs = new ArrayList<>(addrs);
                    Collections.shuffle(addrs, ThreadLocalRandom.current());
                }
                List<ResourceRecord> answers = new ArrayList<>(addrs.size());
                for (InetAddress ip : addrs) {
                    answers.add(ip instanceof Inet4Address v4 ? ResourceRecord.a(q.name(), v4, TTL) : ResourceRecord.aaaa(q.name(), (Inet6Address) ip, TTL));
                }
                return DnsMessage.reply(query, NOERROR, true, answers);
            }
            case TYPE_MX -> {
                // A known name has no MX: empty NOERROR, an "implicit MX" (RFC 5321 5.1).
                return resolver.lookup(name, client) == null ? null : DnsMessage.reply(query, NOERROR, true, List.of());
            }
            case TYPE_PTR -> {
                InetAddress ip = reverseName(name);
                if (ip == null) return null;
                String host = resolver.reverse(ip, client);
                if (host == null) return null;
                return DnsMessage.reply(query, NOERROR, true, List.of(ResourceRecord.ptr(q.name(), host, TTL)));
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The address a PTR name stands for: {@code 4.3.2.1.in-addr.arpa} is 1.2.3.4, and 32
     * nibbles under {@code ip6.arpa} an IPv6 address. Null for anything else (partial names,
     * non-decimal labels, leading zeros).
     */
    static InetAddress reverseName(String name) {
        String[] parts = name.split("\\.", -1);
        byte[] b;
        if (name.endsWith(".in-addr.arpa") && parts.length == 6) {
            b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[3 - i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
                if (p.length() > 1 && p.charAt(0) == '0') return null;
                int v = Integer.parseInt(p);
                if (v > 255) return null;
                b[i] = (byte) v;
            }
        } else if (name.endsWith(".ip6.arpa") && parts.length == 34) {
            b = new byte[16];
            for (int i = 0; i < 32; i++) {
                String p = parts[31 - i];
                if (p.length() != 1) return null;
                int v = Character.digit(p.charAt(0), 16);
                if (v < 0) return null;
                b[i / 2] |= (byte) (i % 2 == 0 ? v << 4 : v);
            }
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** SERVFAIL as miekg's SetRcode makes it, so as Docker sends it: no RA. */
    private static byte[] servfail(DnsMessage query) {
        return DnsMessage.reply(query, SERVFAIL, false, List.of()).encode();
    }

    /** An answer to a query whose body did not parse: its ID, opcode and RD, no question. */
    private static byte[] headerReply(byte[] raw, int rcode) {
        int f = headerFlags(raw, 0);
        int flags = FLAG_QR | (f & (0xf << 11)) | (f & FLAG_RD) | rcode;
        return new DnsMessage(headerId(raw, 0), flags, List.of(), List.of(), List.of(), List.of(), 0).encode();
    }

    private static void closeQuietly(Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
