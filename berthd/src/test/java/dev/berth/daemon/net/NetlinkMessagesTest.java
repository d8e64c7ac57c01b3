package dev.berth.daemon.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.net.NetlinkMessages.Message;
import dev.berth.daemon.net.NetlinkMessages.Request;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rtnetlink wire format and the argument checks, without root or a socket. */
class NetlinkMessagesTest {
    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    @Test
    void bridgeRequestIsLaidOutAsTheKernelExpects() {
        byte[] got = new Request(NetlinkMessages.RTM_NEWLINK,
                NetlinkMessages.NLM_F_ACK | NetlinkMessages.NLM_F_CREATE | NetlinkMessages.NLM_F_EXCL)
                .ifinfo(NetlinkMessages.AF_UNSPEC, 0, 0, 0)
                .attrString(NetlinkMessages.IFLA_IFNAME, "br0")
                .beginNest(NetlinkMessages.IFLA_LINKINFO).attrString(NetlinkMessages.IFLA_INFO_KIND, "bridge").endNest()
                .toBytes(42);
        ByteBuffer want = le(56);
        want.putInt(56).putShort((short) 16).putShort((short) 0x605).putInt(42).putInt(0); // nlmsghdr
        want.put(new byte[16]);                                                           // ifinfomsg
        want.putShort((short) 8).putShort((short) 3).put("br0\0".getBytes(StandardCharsets.US_ASCII));
        want.putShort((short) 16).putShort((short) 18);                                   // IFLA_LINKINFO
        want.putShort((short) 11).putShort((short) 1).put("bridge\0".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        assertArrayEquals(want.array(), got);
    }

    @Test
    void nestedAttributesCarryTheirWholeLength() {
        byte[] got = new Request(NetlinkMessages.RTM_NEWLINK, 0).ifinfo(0, 0, 0, 0)
                .beginNest(18).beginNest(2).attrInt(28, 7).endNest().attrString(1, "x").endNest().toBytes(1);
        ByteBuffer b = ByteBuffer.wrap(got).order(ByteOrder.nativeOrder());
        int outer = 16 + 16;
        assertEquals(4 + (4 + 8) + 8, b.getShort(outer));     // linkinfo: header + nest(int) + "x\0" padded
        assertEquals(4 + 8, b.getShort(outer + 4));           // info_data: header + one u32 attribute
        assertEquals(7, b.getInt(outer + 12));
        assertEquals(got.length, b.getInt(0));
        assertEquals(0, got.length % 4);
    }

    @Test
    void unclosedNestIsABug() {
        Request r = new Request(NetlinkMessages.RTM_NEWLINK, 0).ifinfo(0, 0, 0, 0).beginNest(18);
        assertThrows(IllegalStateException.class, () -> r.toBytes(1));
    }

    @Test
    void errorWithExtendedAckGivesTheKernelsText() {
        byte[] text = "Device exists\0".getBytes(StandardCharsets.US_ASCII);   // 14 bytes, padded to 16
        int len = 16 + 4 + 16 + 4 + 16;
        ByteBuffer b = le(len);
        b.putInt(len).putShort((short) NetlinkMessages.NLMSG_ERROR)
                .putShort((short) (NetlinkMessages.NLM_F_CAPPED | NetlinkMessages.NLM_F_ACK_TLVS)).putInt(7).putInt(0);
        b.putInt(-17);                                                               // -EEXIST
        b.putInt(40).putShort((short) 16).putShort((short) 0x605).putInt(7).putInt(0); // the request's header
        b.putShort((short) (4 + text.length)).putShort((short) NetlinkMessages.NLMSGERR_ATTR_MSG).put(text).put(new byte[2]);
        List<Message> ms = NetlinkMessages.split(b.array(), len);
        assertEquals(1, ms.size());
        Message m = ms.getFirst();
        assertEquals(NetlinkMessages.NLMSG_ERROR, m.type());
        assertEquals(7, m.seq());
        assertEquals(-17, m.error());
        assertEquals("Device exists", m.extAckMessage());
        NetlinkException e = new NetlinkException("create bridge br0", -m.error(), m.extAckMessage());
        assertEquals("create bridge br0: RTNETLINK: File exists (Device exists)", e.getMessage());
        assertTrue(e.alreadyExists());
        assertEquals("delete link x: RTNETLINK: No such device",
                new NetlinkException("delete link x", 19, null).getMessage());
    }

    @Test
    void plainAckHasNoText() {
        ByteBuffer b = le(36);
        b.putInt(36).putShort((short) NetlinkMessages.NLMSG_ERROR).putShort((short) NetlinkMessages.NLM_F_CAPPED)
                .putInt(3).putInt(0).putInt(0).putInt(40).putShort((short) 16).putShort((short) 5).putInt(3).putInt(0);
        Message m = NetlinkMessages.split(b.array(), 36).getFirst();
        assertEquals(0, m.error());
        assertNull(m.extAckMessage());
    }

    @Test
    void splitReadsSeveralMessagesAndRefusesABadLength() {
        ByteBuffer b = le(40);
        b.putInt(20).putShort((short) 16).putShort((short) 2).putInt(1).putInt(0).put(new byte[4]); // padded to 20
        b.putInt(20).putShort((short) 3).putShort((short) 2).putInt(1).putInt(0).putInt(0);
        List<Message> ms = NetlinkMessages.split(b.array(), 40);
        assertEquals(List.of(16, 3), ms.stream().map(Message::type).toList());
        b.putInt(20, 400);
        assertThrows(IllegalStateException.class, () -> NetlinkMessages.split(b.array(), 40));
    }

    @Test
    void attributesIgnoreTheNestedFlagAndStopAtGarbage() {
        ByteBuffer b = le(20);
        b.putShort((short) 8).putShort((short) (0x8000 | 18)).putInt(5);   // NLA_F_NESTED | IFLA_LINKINFO
        b.putShort((short) 8).putShort((short) 4).putInt(1500);
        b.putShort((short) 200).putShort((short) 3);                        // runs past the end
        Map<Integer, ByteBuffer> attrs = NetlinkMessages.attributes(b.flip());
        assertEquals(5, NetlinkMessages.u32(attrs.get(18)));
        assertEquals(1500, NetlinkMessages.u32(attrs.get(4)));
        assertEquals(2, attrs.size());
    }

    @Test
    void interfaceNamesAreCheckedBeforeAskingTheKernel() {
        assertEquals("eth0", Netlink.checkName("eth0"));
        assertEquals("a23456789012345", Netlink.checkName("a23456789012345"));
        for (String bad : new String[] {"", "a234567890123456", ".", "..", "a/b", "a:b", "a b", "a\0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Netlink.checkName(bad));
            assertTrue(e.getMessage().startsWith("invalid interface name"), e.getMessage());
        }
    }

    @Test
    void macAddressesAndBroadcast() throws Exception {
        assertArrayEquals(new byte[] {2, 0x42, (byte) 0xac, 0x11, 0, 2}, Netlink.parseMac("02:42:ac:11:00:02"));
        for (String bad : new String[] {"02:42:ac:11:00", "02:42:ac:11:00:2", "zz:42:ac:11:00:02", "01:00:5e:00:00:01"}) {
            assertThrows(IllegalArgumentException.class, () -> Netlink.parseMac(bad));
        }
        assertEquals(InetAddress.getByName("172.17.255.255"), Netlink.broadcast((java.net.Inet4Address) InetAddress.getByName("172.17.0.1"), 16));
        assertEquals(InetAddress.getByName("10.1.2.7"), Netlink.broadcast((java.net.Inet4Address) InetAddress.getByName("10.1.2.5"), 30));
        assertEquals(InetAddress.getByName("255.255.255.255"), Netlink.broadcast((java.net.Inet4Address) InetAddress.getByName("10.1.2.5"), 0));
    }

    @Test
    void ipv6IsRefusedClearly() throws Exception {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Netlink.ipv4(InetAddress.getByName("fd00::1")));
        assertEquals("IPv6 is not supported yet (fd00:0:0:0:0:0:0:1)", e.getMessage());
    }

    @Test
    void sysctlKeysMapToProcSysAndCannotEscapeIt() {
        assertEquals(Path.of("/proc/sys/net/ipv4/ip_forward"), Sysctl.path("net.ipv4.ip_forward"));
        assertEquals(Path.of("/proc/sys/net/ipv4/conf/eth0.100/route_localnet"),
                Sysctl.path("net/ipv4/conf/eth0.100/route_localnet"));
        assertEquals("net/ipv4/conf/br0/route_localnet", Sysctl.ipv4Conf("br0", "route_localnet"));
        for (String bad : new String[] {"net..ipv4", "net/../../etc/passwd", "", "net.ipv4.", "a/./b"}) {
            assertThrows(IllegalArgumentException.class, () -> Sysctl.path(bad), bad);
        }
    }
}
