package dev.berth.daemon.net.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake upstream DNS server on 127.0.0.1 (UDP and TCP, same port): the only upstream tests
 * ever configure. {@code answer} maps each query to the raw answer, or null to stay silent.
 */
final class FakeUpstream implements AutoCloseable {
    record Received(byte[] raw, boolean tcp) {}

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private volatile Function<DnsMessage, byte[]> answer;

    FakeUpstream(Function<DnsMessage, byte[]> answer) throws IOException {
        this.answer = answer;
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; i < 5 && t == null; i++) {
            u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 16, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                u.close();
            }
        }
        if (t == null) throw new IOException("no free port for the fake upstream");
        udp = u;
        tcp = t;
        Thread.ofVirtual().start(this::udpLoop);
        Thread.ofVirtual().start(this::tcpLoop);
    }

    InetSocketAddress address() { return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()); }

    void answer(Function<DnsMessage, byte[]> a) { this.answer = a; }

    /** An upstream-style answer: RA set, the given rcode and answers. */
    static byte[] reply(DnsMessage q, int rcode, List<DnsMessage.ResourceRecord> answers) {
        return DnsMessage.reply(q, rcode, true, answers).encode();
    }

    private byte[] answerFor(byte[] raw, boolean tcp) {
        received.add(new Received(raw, tcp));
        try {
            return answer.apply(DnsMessage.parse(raw));
        } catch (DnsFormatException e) {
            return null;
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] a = answerFor(Arrays.copyOf(buf, p.getLength()), false);
                if (a != null) udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        byte[] a = answerFor(TinyDnsClient.read(new DataInputStream(s.getInputStream())), true);
                        if (a != null) TinyDnsClient.write(s.getOutputStream(), a);
                    } catch (IOException e) {
                        // client went away
                    }
                });
            } catch (IOException e) {
                // closed
            }
        }
    }

    @Override public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
