package dev.berth.daemon.net.dns;

import static dev.berth.daemon.net.dns.DnsMessage.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s.replaceAll("\\s", "")); }

    private static Inet4Address v4(String s) { return (Inet4Address) InetAddress.ofLiteral(s); }

    @Test void parsesAQueryWithEdns() throws Exception {
        // What dig sends for "dig web": id 0x1234, RD+AD, one question, an OPT record for 1232 bytes.
        byte[] q = hex("""
                1234 0120 0001 0000 0000 0001
                03 776562 00 0001 0001
                00 0029 04d0 00000000 0000""");
        DnsMessage m = DnsMessage.parse(q);
        assertEquals(0x1234, m.id());
        assertFalse(m.isResponse());
        assertTrue(m.recursionDesired());
        assertEquals(OPCODE_QUERY, m.opcode());
        assertEquals(List.of(new Question("web", TYPE_A, CLASS_IN)), m.questions());
        assertEquals(1232, m.ednsUdpSize());
        assertTrue(m.additionals().isEmpty(), "the OPT record is not kept as a record");
    }

    @Test void encodesAnswersWithCompressedOwnerNames() throws Exception {
        DnsMessage q = DnsMessage.query(7, "web.appnet", TYPE_A);
        DnsMessage r = DnsMessage.reply(q, NOERROR, true, List.of(
                ResourceRecord.a("web.appnet", v4("172.18.0.2"), 600), ResourceRecord.a("web.appnet", v4("172.18.0.3"), 600)));
        byte[] b = r.encode();
        assertArrayEquals(hex("""
                0007 8180 0001 0002 0000 0000
                03 776562 06 6170706e6574 00 0001 0001
                c00c 0001 0001 00000258 0004 ac120002
                c00c 0001 0001 00000258 0004 ac120003"""), b);
        assertEquals(r, DnsMessage.parse(b));
    }

    @Test void compressesNamesInsidePtrData() throws Exception {
        DnsMessage q = DnsMessage.query(9, "2.0.18.172.in-addr.arpa", TYPE_PTR);
        DnsMessage r = DnsMessage.reply(q, NOERROR, true, List.of(
                ResourceRecord.ptr("2.0.18.172.in-addr.arpa", "web.appnet", 600),
                ResourceRecord.ptr("2.0.18.172.in-addr.arpa", "db.appnet", 600)));
        byte[] b = r.encode();
        DnsMessage back = DnsMessage.parse(b);
        assertEquals("web.appnet", back.answers().get(0).target());
        assertEquals("db.appnet", back.answers().get(1).target());
        // "db" + pointer to "appnet": 1+2 + 2 bytes of data instead of 11
        int rdlen = (b[b.length - 7] & 0xff) << 8 | b[b.length - 6] & 0xff;
        assertEquals(5, rdlen);
        assertEquals(r, back);
    }

    @Test void namesKeepCaseAndEscapeOddBytes() throws Exception {
        byte[] m = hex("""
                0001 0000 0001 0000 0000 0000
                03 612e62 02 5c00 03 ff5745 00 0001 0001""");
        DnsMessage p = DnsMessage.parse(m);
        assertEquals("a\\.b.\\\\\\000.\\255WE", p.questions().getFirst().name());
        assertArrayEquals(m, p.encode(), "the escaped name encodes back to the same bytes");
        assertEquals("a\\.b.\\\\\\000.\\255we", DnsMessage.lower(p.questions().getFirst().name()));
    }

    @Test void trailingDotAndRootName() throws Exception {
        assertArrayEquals(DnsMessage.query(1, "web", TYPE_A).encode(), DnsMessage.query(1, "web.", TYPE_A).encode());
        assertEquals("a\\.", DnsMessage.stripTrailingDot("a\\."), "an escaped dot is part of the label");
        DnsMessage root = DnsMessage.query(1, "", TYPE_SOA);
        assertEquals("", DnsMessage.parse(root.encode()).questions().getFirst().name());
    }

    @Test void refusesToEncodeBadNames() {
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a..b", TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "x".repeat(64), TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, ("x".repeat(63) + ".").repeat(4) + "x", TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a\\", TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a\\25", TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a\\256", TYPE_A).encode());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "\u0100", TYPE_A).encode());
    }

    @Test void truncatesWholeRecordsAndSetsTc() throws Exception {
        List<ResourceRecord> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) many.add(ResourceRecord.a("many", v4("10.0." + i / 256 + "." + i % 256), 600));
        DnsMessage r = DnsMessage.reply(DnsMessage.query(3, "many", TYPE_A), NOERROR, true, many);
        byte[] small = r.encode(512);
        assertTrue(small.length <= 512);
        DnsMessage cut = DnsMessage.parse(small);
        assertTrue(cut.truncated());
        assertEquals((512 - 12 - 10) / 16, cut.answers().size());
        DnsMessage full = DnsMessage.parse(r.encode());
        assertFalse(full.truncated());
        assertEquals(100, full.answers().size());
        // With an OPT record to write, room is kept for it.
        DnsMessage withOpt = DnsMessage.parse(r.withEdns(1232).encode(512));
        assertTrue(withOpt.truncated());
        assertEquals(1232, withOpt.ednsUdpSize());
    }

    // ---- hostile input ------------------------------------------------------------------------

    private static void bad(String hex, String why) {
        DnsFormatException e = assertThrows(DnsFormatException.class, () -> DnsMessage.parse(hex(hex)), why);
        assertNotNull(e.getMessage());
    }

    @Test void refusesMalformedMessages() {
        bad("1234 0100 0001", "shorter than a header");
        bad("1234 0100 0001 0000 0000 0000", "question promised, none there");
        bad("1234 0100 0001 0000 0000 0000 03 7765", "label past the end");
        bad("1234 0100 0001 0000 0000 0000 03 776562 00 0001", "question cut inside its class");
        bad("1234 0100 0001 0000 0000 0000 c00c 0001 0001", "pointer to itself");
        bad("1234 0100 0001 0000 0000 0000 c00e 0001 0001 00", "pointer forwards");
        bad("1234 0100 0001 0000 0000 0000 01 61 c00c 0001 0001", "pointer back into its own run: a loop");
        bad("1234 0100 0001 0000 0000 0000 c0", "pointer cut off");
        bad("1234 0100 0001 0000 0000 0000 41 61 00 0001 0001", "extended label type");
        bad("1234 0100 0001 0000 0000 0000 81 61 00 0001 0001", "reserved label type");
        bad("1234 8180 0000 0001 0000 0000 00 0001 0001 00000258 0010 ac120002", "rdlength past the end");
        bad("1234 8180 0000 0001 0000 0000 00 0001 0001 00000258 0003 ac1200", "A record with 3 bytes");
        bad("1234 8180 0000 0001 0000 0000 00 000c 0001 00000258 0004 01 61 00 00", "PTR name not filling its data");
        bad("1234 0100 0000 0000 0000 0002 00 0029 1000 00000000 0000 00 0029 1000 00000000 0000", "two OPT records");
        bad("1234 0100 0000 0000 0000 0001 01 61 00 0029 1000 00000000 0000", "OPT not owned by the root");
        bad("1234 0100 ffff ffff ffff ffff", "huge counts, no bytes");
    }

    @Test void pointerChainsEndAtTheNameLengthLimit() {
        // Questions whose names each add a 63-byte label in front of the previous one through a
        // pointer: the fourth is 4 * 64 + 1 = 257 octets long, past the 255 limit.
        String label = "3f" + "61".repeat(63);
        StringBuilder h = new StringBuilder("0001 0000 0005 0000 0000 0000").append(label).append("00 0001 0001");
        int prev = 12, off = 12 + 65 + 4;
        for (int i = 1; i < 5; i++) {
            h.append(label).append(String.format("%04x", 0xc000 | prev)).append("0001 0001");
            prev = off;
            off += 64 + 2 + 4;
        }
        bad(h.toString(), "name longer than 255 octets through pointers");
        // Three such questions are fine (3 * 64 + 1 = 193 octets).
        assertDoesNotThrow(() -> DnsMessage.parse(hex(h.toString().replace("0001 0000 0005", "0001 0000 0003"))));
    }

    @Test void randomBytesOnlyEverGiveDnsFormatException() {
        Random rnd = new Random(42);
        int parsed = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            if (b.length >= 12 && rnd.nextBoolean()) { // plausible counts make the parser go deeper
                b[4] = 0; b[5] = (byte) rnd.nextInt(3);
                b[6] = 0; b[7] = (byte) rnd.nextInt(3);
                b[8] = 0; b[9] = (byte) rnd.nextInt(2);
                b[10] = 0; b[11] = (byte) rnd.nextInt(2);
            }
            parsed += tryParseAndReencode(b);
        }
        assertTrue(parsed > 100, "some random messages are valid: " + parsed);
    }

    @Test void mutatedValidMessagesOnlyEverGiveDnsFormatException() {
        List<ResourceRecord> rrs = List.of(
                ResourceRecord.a("web.appnet", v4("172.18.0.2"), 600),
                ResourceRecord.ptr("2.0.18.172.in-addr.arpa", "web.appnet", 600),
                new ResourceRecord("appnet", TYPE_TXT, CLASS_IN, 5, new Rdata.Bytes(new byte[]{3, 'a', 'b', 'c'})));
        byte[] seed = DnsMessage.reply(DnsMessage.query(77, "web.appnet", TYPE_A).withEdns(4096), NOERROR, true, rrs).withEdns(4096).encode();
        Random rnd = new Random(7);
        int parsed = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = seed.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                switch (rnd.nextInt(4)) {
                    case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    case 2 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                    default -> b[rnd.nextInt(b.length)] = (byte) 0xc0;
                }
                if (b.length == 0) break;
            }
            parsed += tryParseAndReencode(b);
        }
        assertTrue(parsed > 1000, "many mutations still parse: " + parsed);
    }

    /** Parses; a message that parses must encode again and parse to the same thing. */
    private static int tryParseAndReencode(byte[] b) {
        DnsMessage m;
        try {
            m = DnsMessage.parse(b);
        } catch (DnsFormatException e) {
            return 0;
        } catch (RuntimeException e) {
            fail("uncontrolled " + e + " for " + HexFormat.of().formatHex(b), e);
            return 0;
        }
        byte[] again = m.encode();
        try {
            DnsMessage m2 = DnsMessage.parse(again);
            assertEquals(m.questions(), m2.questions());
            assertEquals(m.answers(), m2.answers());
        } catch (DnsFormatException e) {
            fail("re-encoded message does not parse: " + e.getMessage() + " for " + HexFormat.of().formatHex(b));
        }
        return 1;
    }
}
