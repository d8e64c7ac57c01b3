package dev.berth.daemon.net.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a query that is not ours to the upstream servers, as Docker's embedded server does
 * (moby {@code libnetwork/resolver.go}, {@code forwardExtDNS}): at most three servers in order,
 * the client's protocol (UDP or TCP), a timeout per server, the next server after a timeout,
 * an error, SERVFAIL or REFUSED; any other answer (NXDOMAIN included) is the answer. The query
 * goes out byte for byte (EDNS, DNSSEC bits and all) from a fresh socket with a kernel-chosen
 * port, and comes back byte for byte once it is checked to be the answer to it: a UDP datagram
 * with another ID or question is ignored, not taken.
 *
 * <p>Sockets are opened by the daemon, so queries leave from berthd's own network namespace.
 */
final class Forwarder {
    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());
    static final int MAX_UPSTREAMS = 3;

    private final int timeoutMillis;

    Forwarder(Duration timeout) {
        this.timeoutMillis = (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
    }

    /** The upstream answer to {@code query}, or null when no server gave a usable one. */
    byte[] exchange(byte[] raw, DnsMessage query, boolean tcp, List<InetSocketAddress> upstreams) {
        int n = Math.min(MAX_UPSTREAMS, upstreams.size());
        for (int i = 0; i < n; i++) {
            InetSocketAddress upstream = upstreams.get(i);
            try {
                byte[] answer = tcp ? overTcp(raw, query, upstream) : overUdp(raw, query, upstream);
                if (answer == null) {
                    LOG.fine(() -> "no answer from " + upstream + " for " + describe(query));
                    continue;
                }
                int rcode = DnsMessage.headerFlags(answer, 0) & 0xf;
                if (rcode == DnsMessage.SERVFAIL || rcode == DnsMessage.REFUSED) {
                    LOG.fine(() -> upstream + " answered rcode " + rcode + " for " + describe(query));
                    continue;
                }
                return answer;
            } catch (IOException e) {
                LOG.log(Level.FINE, e, () -> "forwarding " + describe(query) + " to " + upstream + " failed");
            }
        }
        return null;
    }

    private byte[] overUdp(byte[] raw, DnsMessage query, InetSocketAddress upstream) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(upstream);
            s.send(new DatagramPacket(raw, raw.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buf = new byte[DnsMessage.MAX_SIZE];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) return null;
                s.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                byte[] answer = Arrays.copyOf(buf, p.getLength());
                if (answers(answer, query)) return answer;
            }
        }
    }

    private byte[] overTcp(byte[] raw, DnsMessage query, InetSocketAddress upstream) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(upstream, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(DnsMessage.tcpFrame(raw));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            return answers(answer, query) ? answer : null;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /**
     * Whether {@code answer} answers {@code query}: same ID, QR set, same first question. The
     * records are not parsed here: they go to the client as they came, even cut short by TC.
     */
    static boolean answers(byte[] answer, DnsMessage query) {
        DnsMessage.Question a;
        try {
            a = DnsMessage.firstQuestion(answer);
        } catch (DnsFormatException e) {
            return false;
        }
        if (DnsMessage.headerId(answer, 0) != query.id() || (DnsMessage.headerFlags(answer, 0) & DnsMessage.FLAG_QR) == 0) return false;
        DnsMessage.Question q = query.questions().getFirst();
        return a.type() == q.type() && a.dnsClass() == q.dnsClass() && a.name().equalsIgnoreCase(q.name());
    }

    private static String describe(DnsMessage query) {
        DnsMessage.Question q = query.questions().getFirst();
        return q.name() + " (type " + q.type() + ")";
    }
}
