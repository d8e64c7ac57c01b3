package dev.berth.daemon.net.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** A stub resolver's transport for tests: one query over UDP or TCP, and UDP-then-TCP on TC. */
final class TinyDnsClient {
    private TinyDnsClient() {}

    static final int TIMEOUT_MS = 3000;

    static int newId() { return ThreadLocalRandom.current().nextInt(0x10000); }

    static DnsMessage udp(InetSocketAddress server, DnsMessage query) throws IOException {
        byte[] raw = udpRaw(server, null, query.encode(), TIMEOUT_MS);
        if (raw == null) throw new SocketTimeoutException("no answer from " + server);
        return parse(raw, query);
    }

    /** The raw answer to raw bytes sent from {@code bindAddress} (null: any), or null after the timeout. */
    static byte[] udpRaw(InetSocketAddress server, InetAddress bindAddress, byte[] query, int timeoutMs) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(bindAddress, 0))) {
            s.setSoTimeout(timeoutMs);
            s.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return Arrays.copyOf(buf, p.getLength());
        }
    }

    static DnsMessage tcp(InetSocketAddress server, DnsMessage query) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            write(s.getOutputStream(), query.encode());
            return parse(read(new DataInputStream(s.getInputStream())), query);
        }
    }

    /** What a stub resolver does: UDP, and the same question over TCP when the answer is truncated. */
    static DnsMessage ask(InetSocketAddress server, DnsMessage query) throws IOException {
        DnsMessage m = udp(server, query);
        return m.truncated() ? tcp(server, query) : m;
    }

    static void write(OutputStream out, byte[] msg) throws IOException {
        out.write(DnsMessage.tcpFrame(msg));
        out.flush();
    }

    static byte[] read(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return b;
    }

    private static DnsMessage parse(byte[] raw, DnsMessage query) throws IOException {
        try {
            DnsMessage m = DnsMessage.parse(raw);
            if (m.id() != query.id()) throw new IOException("answer id " + m.id() + " for query " + query.id());
            return m;
        } catch (DnsFormatException e) {
            throw new IOException("unparsable answer: " + e.getMessage(), e);
        }
    }
}
