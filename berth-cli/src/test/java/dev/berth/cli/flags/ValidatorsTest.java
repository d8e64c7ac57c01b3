package dev.berth.cli.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorsTest {
    private static String error(FlagSpec.Validator v, String value) {
        return assertThrows(IllegalArgumentException.class, () -> v.apply(value), value).getMessage();
    }

    @Test
    void dns() {
        assertEquals("8.8.8.8", Validators.IP_ADDRESS.apply(" 8.8.8.8 "));
        assertEquals("::1", Validators.IP_ADDRESS.apply("::0001"));
        assertEquals("IP address is not correctly formatted: bad", error(Validators.IP_ADDRESS, "bad"));
    }

    @Test
    void dnsSearch() {
        assertEquals(".", Validators.DNS_SEARCH.apply("."));
        assertEquals("example.com", Validators.DNS_SEARCH.apply(" example.com. "));
        assertEquals("a-b.c1", Validators.DNS_SEARCH.apply("a-b.c1"));
        assertEquals("bad..x is not a valid domain", error(Validators.DNS_SEARCH, "bad..x"));
        assertEquals("1abc is not a valid domain", error(Validators.DNS_SEARCH, "1abc"));
        assertEquals("-a is not a valid domain", error(Validators.DNS_SEARCH, "-a"));
        assertEquals("a- is not a valid domain", error(Validators.DNS_SEARCH, "a-"));
        assertEquals(" is not a valid domain", error(Validators.DNS_SEARCH, ""));
    }

    @Test
    void extraHost() {
        assertEquals("a:1.2.3.4", Validators.EXTRA_HOST.apply("a:1.2.3.4"));
        assertEquals("a:1.2.3.4", Validators.EXTRA_HOST.apply("a=1.2.3.4"));
        assertEquals("b:host-gateway", Validators.EXTRA_HOST.apply("b=host-gateway"));
        assertEquals("d:::1", Validators.EXTRA_HOST.apply("d:::1"));
        assertEquals("e:::1", Validators.EXTRA_HOST.apply("e=[::1]"));
        assertEquals("[f]:1.2.3.4", Validators.EXTRA_HOST.apply("[f]:1.2.3.4"));
        assertEquals("bad format for add-host: \"bad\"", error(Validators.EXTRA_HOST, "bad"));
        assertEquals("bad format for add-host: \"=1.2.3.4\"", error(Validators.EXTRA_HOST, "=1.2.3.4"));
        assertEquals("bad format for add-host: \"a:b=1.2.3.4\"", error(Validators.EXTRA_HOST, "a:b=1.2.3.4"));
        assertEquals("invalid IP address in add-host: \"bad\"", error(Validators.EXTRA_HOST, "a:bad"));
        assertEquals("invalid IP address in add-host: \"[::1]\"", error(Validators.EXTRA_HOST, "a=[[::1]]")); // one pair stripped
    }

    @Test
    void label() {
        assertEquals(" a", Validators.LABEL.apply(" a"));
        assertEquals("a=b c", Validators.LABEL.apply("a=b c"));
        assertEquals("invalid label '=x': empty name", error(Validators.LABEL, "=x"));
        assertEquals("label 'a b' contains whitespaces", error(Validators.LABEL, "a b=c"));
    }

    @Test
    void rejectedValuesAreUsageErrors() throws FlagException {
        FlagSpec spec = new FlagSpec().list((char) 0, "dns", "list", "Set custom DNS servers", Validators.IP_ADDRESS)
                .list('l', "label", "list", "Set meta data", Validators.LABEL);
        FlagException e = assertThrows(FlagException.class, () -> spec.parse(List.of("--dns", "bad")));
        assertEquals("invalid argument \"bad\" for \"--dns\" flag: IP address is not correctly formatted: bad", e.getMessage());
        e = assertThrows(FlagException.class, () -> spec.parse(List.of("-l=x", "-l", "=y")));
        assertEquals("invalid argument \"=y\" for \"-l, --label\" flag: invalid label '=y': empty name", e.getMessage());
        assertEquals(List.of("::1"), spec.parse(List.of("--dns=::0001")).list("dns")); // kept normalised
    }
}
