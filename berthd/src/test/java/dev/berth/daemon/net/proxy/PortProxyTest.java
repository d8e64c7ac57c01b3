package dev.berth.daemon.net.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PortProxy between loopback sockets: no root, no namespaces. */
class PortProxyTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    ServerSocket server;
    DatagramSocket udpServer;
    PortProxy proxy;

    @AfterEach
    void tearDown() throws IOException {
        if (proxy != null) proxy.close();
        if (server != null) server.close();
        if (udpServer != null) udpServer.close();
    }

    /** Echoes everything it reads; after the client's end of stream, writes "bye" and closes. */
    void startEchoServer() throws IOException {
        server = new ServerSocket(0, 50, LO);
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                            out.write("bye".getBytes(StandardCharsets.US_ASCII));
                        } catch (IOException e) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @Test
    void relaysTcpBothWaysAndPassesOnHalfClose() throws Exception {
        startEchoServer();
        proxy = PortProxy.tcp(new InetSocketAddress(LO, 0), (InetSocketAddress) server.getLocalSocketAddress());
        byte[] data = new byte[5 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        try (Socket c = new Socket(LO, proxy.listenAddress().getPort())) {
            c.setSoTimeout(10_000);
            AtomicReference<byte[]> got = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    got.set(c.getInputStream().readAllBytes());
                } catch (IOException e) {
                    got.set(new byte[0]);
                }
            });
            c.getOutputStream().write(data);
            c.shutdownOutput(); // the server only says "bye" once it has seen our end of stream
            reader.join(15_000);
            byte[] expected = new byte[data.length + 3];
            System.arraycopy(data, 0, expected, 0, data.length);
            System.arraycopy("bye".getBytes(StandardCharsets.US_ASCII), 0, expected, data.length, 3);
            assertArrayEquals(expected, got.get());
        }
    }

    @Test
    void aRefusedTargetClosesTheClient() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, LO)) { dead = s.getLocalPort(); }
        proxy = PortProxy.tcp(new InetSocketAddress(LO, 0), new InetSocketAddress(LO, dead));
        try (Socket c = new Socket(LO, proxy.listenAddress().getPort())) {
            c.setSoTimeout(5_000);
            int r;
            try {
                r = c.getInputStream().read();
            } catch (IOException e) {
                r = -1;
            }
            assertEquals(-1, r);
        }
    }

    @Test
    void closeStopsListeningAndCutsRelayedConnections() throws Exception {
        startEchoServer();
        proxy = PortProxy.tcp(new InetSocketAddress(LO, 0), (InetSocketAddress) server.getLocalSocketAddress());
        int port = proxy.listenAddress().getPort();
        try (Socket c = new Socket(LO, port)) {
            c.setSoTimeout(5_000);
            c.getOutputStream().write(1);
            assertEquals(1, c.getInputStream().read());
            proxy.close();
            int r;
            try {
                r = c.getInputStream().read();
            } catch (IOException e) {
                r = -1;
            }
            assertEquals(-1, r);
        }
        assertThrows(IOException.class, () -> new Socket(LO, port).close());
    }

    @Test
    void relaysUdpWithOneFlowPerClient() throws Exception {
        udpServer = new DatagramSocket(0, LO);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] b = new byte[65536];
            while (!udpServer.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    udpServer.receive(p);
                    // answer with what was sent and the address the proxy used for this client
                    byte[] reply = (new String(b, 0, p.getLength(), StandardCharsets.US_ASCII) + " from " + p.getPort()).getBytes(StandardCharsets.US_ASCII);
                    udpServer.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = PortProxy.udp(new InetSocketAddress(LO, 0), (InetSocketAddress) udpServer.getLocalSocketAddress(), Duration.ofMillis(300));
        try (DatagramSocket a = new DatagramSocket(0, LO); DatagramSocket b = new DatagramSocket(0, LO)) {
            String ra1 = ask(a, "a1"), ra2 = ask(a, "a2"), rb = ask(b, "b");
            assertTrue(ra1.startsWith("a1 from "), ra1);
            assertEquals(ra1.substring(3), ra2.substring(3), "one client keeps its flow");
            assertNotEquals(ra1.substring(3), rb.substring(2), "another client gets its own flow");
            Thread.sleep(1000); // idle beyond the timeout: the flow is dropped, a new one opens
            String ra3 = ask(a, "a3");
            assertTrue(ra3.startsWith("a3 from "), ra3);
            assertNotEquals(ra1.substring(3), ra3.substring(3));
        }
    }

    String ask(DatagramSocket s, String msg) throws IOException {
        byte[] m = msg.getBytes(StandardCharsets.US_ASCII);
        s.setSoTimeout(2000);
        for (int attempt = 0; attempt < 3; attempt++) {
            s.send(new DatagramPacket(m, m.length, proxy.listenAddress()));
            byte[] b = new byte[1024];
            DatagramPacket p = new DatagramPacket(b, b.length);
            try {
                s.receive(p);
                return new String(b, 0, p.getLength(), StandardCharsets.US_ASCII);
            } catch (SocketTimeoutException e) {
                // datagrams may be lost; ask again
            }
        }
        throw new AssertionError("no UDP reply through the proxy for " + msg);
    }
}
