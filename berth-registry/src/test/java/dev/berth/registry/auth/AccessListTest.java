package dev.berth.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessListTest {
    static final String ACCESS = """
            [{"account": "alice", "name": "alice/*", "actions": ["pull", "push"]},
             {"account": "*", "name": "public/*", "actions": ["pull"]},
             {"account": "admin", "name": "*", "actions": ["*"]},
             {"account": "admin", "type": "registry", "name": "catalog", "actions": ["*"]},
             {"account": "bob", "name": "${account}/?", "actions": ["pull", "push", "delete"]}]""";

    static AccessList list() throws Exception {
        return AccessList.fromJson(new ObjectMapper().readTree(ACCESS));
    }

    @Test
    void scopesParseAndPrint() {
        assertEquals(new Scope("repository", "alice/app", Set.of("pull", "push")), Scope.parse("repository:alice/app:push,pull"));
        assertEquals("repository:alice/app:pull,push", Scope.parse("repository:alice/app:push,pull").toString());
        assertEquals(new Scope("repository", "localhost:5000/x", Set.of("pull")), Scope.parse("repository:localhost:5000/x:pull"));
        assertEquals(new Scope("repository", "p/x", Set.of("pull")), Scope.parse("repository(plugin):p/x:pull"));
        assertEquals("registry:catalog:*", Scope.parse("registry:catalog:*").toString());
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("repository:nope"));
        assertThrows(IllegalArgumentException.class, () -> Scope.parse(":x:pull"));
    }

    @Test
    void requestsNeedWhatDistributionAsks() {
        assertNull(Scope.required(null, "base"));
        assertEquals("repository:a/b:pull", Scope.required("a/b", "pull").toString());
        assertEquals("repository:a/b:pull,push", Scope.required("a/b", "push").toString());
        assertEquals("repository:a/b:delete", Scope.required("a/b", "delete").toString());
        assertEquals("registry:catalog:*", Scope.required(null, "catalog").toString());
    }

    @Test
    void grantsAreCutToTheList() throws Exception {
        AccessList l = list();
        assertEquals(Set.of("pull", "push"), l.grant("alice", Scope.parse("repository:alice/app:pull,push,delete")).actions());
        assertEquals(Set.of("pull", "push"), l.grant("alice", Scope.parse("repository:alice/deep/er:pull,push")).actions(), "* crosses slashes");
        assertEquals(Set.of(), l.grant("alice", Scope.parse("repository:bob/app:pull")).actions());
        assertEquals(Set.of(), l.grant("alice", Scope.parse("repository:alice:pull")).actions(), "alice/* needs the slash");
        assertEquals(Set.of("pull"), l.grant("alice", Scope.parse("repository:public/x:pull,push")).actions());
        assertEquals(Set.of("pull"), l.grant("", Scope.parse("repository:public/x:pull,push")).actions(), "anonymous matches *");
        assertEquals(Set.of(), l.grant("", Scope.parse("repository:alice/app:pull")).actions());
        assertEquals(Set.of("pull", "push", "delete"), l.grant("admin", Scope.parse("repository:any/thing:pull,push,delete")).actions());
        assertEquals(Set.of("*"), l.grant("admin", Scope.parse("registry:catalog:*")).actions());
        assertEquals(Set.of(), l.grant("alice", Scope.parse("registry:catalog:*")).actions());
        assertEquals(Set.of("delete"), l.grant("bob", Scope.parse("repository:bob/x:delete")).actions(), "${account} and ?");
        assertEquals(Set.of(), l.grant("bob", Scope.parse("repository:bob/xy:delete")).actions());
        assertEquals(Set.of(), l.grant("alice", Scope.parse("repository:bob/x:pull")).actions());
    }

    @Test
    void globsQuoteRegexCharacters() {
        assertTrue(AccessList.glob("a.b/*").matcher("a.b/c").matches());
        assertTrue(!AccessList.glob("a.b/*").matcher("aXb/c").matches());
    }

    @Test
    void badEntriesAreNamed() {
        var m = new ObjectMapper();
        var e = assertThrows(IllegalArgumentException.class, () -> AccessList.fromJson(m.readTree("[{\"account\":\"a\",\"name\":\"x\",\"actions\":\"pull\"}]")));
        assertEquals("auth.token.access[0].actions must be an array of strings", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccessList.fromJson(m.readTree("[{\"account\":\"a\",\"name\":\"x\",\"actions\":[],\"acount\":1}]")));
        assertTrue(e.getMessage().contains("unknown key \"acount\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccessList.fromJson(m.readTree("[{\"name\":\"x\",\"actions\":[]}]")));
        assertEquals("auth.token.access[0].account must be a non-empty string", e.getMessage());
    }
}
