package dev.berth.daemon.build.dockerfile;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.errors.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShellLexTest {
    private static final Map<String, String> ENV =
            Map.of("PWD", "/home", "SHELL", "bash", "KOREAN", "한국어", "NULL", "");
    private static final String ERROR = "<error>";

    /** word, expected (ERROR for a failure), with Docker's semantics for ProcessWord. */
    private static final String[][] WORDS = {
        {"hello", "hello"},
        {"he'll'o", "hello"},
        {"he'llo", ERROR},
        {"he\\'llo", "he'llo"},
        {"he\\\\'llo", ERROR},
        {"abc\\tdef", "abctdef"},
        {"\"abc\\tdef\"", "abc\\tdef"},
        {"\"abc\\\\tdef\"", "abc\\tdef"},
        {"'abc\\tdef'", "abc\\tdef"},
        {"hello\\", "hello"},
        {"hello\\\\", "hello\\"},
        {"\"hello", ERROR},
        {"\"hello\\\"", ERROR},
        {"\"hel'lo\"", "hel'lo"},
        {"'hello", ERROR},
        {"'hello\\'", "hello\\"},
        {"\"''\"", "''"},
        {"$.", "$."},
        {"he$1x", "hex"},
        {"he$.x", "he$.x"},
        {"he$pwd.", "he."},
        {"he$PWD", "he/home"},
        {"he\\$PWD", "he$PWD"},
        {"he\\\\$PWD", "he\\/home"},
        {"\"he\\$PWD\"", "he$PWD"},
        {"\"he\\\\$PWD\"", "he\\/home"},
        {"\\${}", "${}"},
        {"he\\${}xx", "he${}xx"},
        {"${}", ERROR},
        {"he${}xx", ERROR},
        {"he${hi}xx", "hexx"},
        {"he${PWD}", "he/home"},
        {"he${.}", ERROR},
        {"he${XXX:-000}xx", "he000xx"},
        {"he${PWD:-000}xx", "he/homexx"},
        {"he${XXX:-$PWD}xx", "he/homexx"},
        {"he${XXX:-${PWD:-yyy}}xx", "he/homexx"},
        {"he${XXX:-${YYY:-yyy}}xx", "heyyyxx"},
        {"he${XXX:YYY}", ERROR},
        {"he${XXX?}", ERROR},
        {"he${XXX:?}", ERROR},
        {"he${PWD?}", "he/home"},
        {"he${PWD:?}", "he/home"},
        {"he${NULL?}", "he"},
        {"he${NULL:?}", ERROR},
        {"he${NULL-x}", "he"},
        {"he${NULL:-x}", "hex"},
        {"he${NULL+x}", "hex"},
        {"he${NULL:+x}", "he"},
        {"he${XXX:+${PWD}}xx", "hexx"},
        {"he${PWD:+${XXX}}xx", "hexx"},
        {"he${PWD:+${SHELL}}xx", "hebashxx"},
        {"he${XXX:+000}xx", "hexx"},
        {"he${PWD:+000}xx", "he000xx"},
        {"'he${XX}'", "he${XX}"},
        {"\"he${PWD}\"", "he/home"},
        {"\"he'$PWD'\"", "he'/home'"},
        {"'$PWD'", "$PWD"},
        {"'\\$PWD'", "\\$PWD"},
        {"'\"hello\"'", "\"hello\""},
        {"he${PWD", ERROR},
        {"he${PWD:=000}xx", ERROR},
        {"he${PWD:+${PWD}:}xx", "he/home:xx"},
        {"he${XXX:-\\$PWD:}xx", "he$PWD:xx"},
        {"he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"},
        {"안'녕'하세요", "안녕하세요"},
        {"안녕$KOREAN", "안녕한국어"},
        {"${{aaa}", ERROR},
        {"${aaa}}", "}"},
        {"${aaa", ERROR},
        {"${aaa:-bbb}}", "bbb}"},
        {"${aaa:-bbb", ERROR},
        {"${aaa:-${bbb:-ccc}}", "ccc"},
        {"${aaa:-bbb ${foo}", ERROR},
        {"${aaa:-bbb {foo}", "bbb {foo"},
        {"${:}", ERROR},
        {"${:-bbb}", ERROR},
        {"$1", ""},
        {"${1:-bbb}", "bbb"},
        {"$999aaa", "aaa"},
        {"${001:+bbb}aaa", "aaa"},
        {"$@@@", "@@"},
        {"${@:-bbb}aaa", "bbbaaa"},
        {"$#", ""},
        {"${#:-bbb}", "bbb"},
        {"$$", ""},
        {"$!", ""},
        {"${0:-bbb}", "bbb"},
        {"a b  c", "a b  c"},
        {"x$", "x$"},
    };

    @Test
    void processWordMatchesDocker() {
        for (String[] c : WORDS) {
            if (c[1].equals(ERROR)) {
                assertThrows(BerthException.InvalidArgument.class, () -> ShellLex.expandWord(c[0], ENV), c[0]);
            } else {
                assertEquals(c[1], ShellLex.expandWord(c[0], ENV), c[0]);
            }
        }
    }

    @Test
    void patternModifiers() {
        Map<String, String> env = Map.of("FILE", "dir/sub/file.tar.gz", "V", "aXbXc");
        assertEquals("sub/file.tar.gz", ShellLex.expandWord("${FILE#*/}", env));
        assertEquals("file.tar.gz", ShellLex.expandWord("${FILE##*/}", env));
        assertEquals("dir/sub/file.tar", ShellLex.expandWord("${FILE%.*}", env));
        assertEquals("dir/sub/file", ShellLex.expandWord("${FILE%%.*}", env));
        assertEquals("dir/sub/file.tar.gz", ShellLex.expandWord("${FILE#nomatch}", env));
        assertEquals("a_bXc", ShellLex.expandWord("${V/X/_}", env));
        assertEquals("a_b_c", ShellLex.expandWord("${V//X/_}", env));
        assertEquals("a", ShellLex.expandWord("${V/X*/}", env));
        assertEquals("", ShellLex.expandWord("${UNSET#x}", env));
        var e = assertThrows(BerthException.class, () -> ShellLex.expandWord("${V:#x}", env));
        assertEquals("failed to process \"${V:#x}\": unsupported modifier (:#) in substitution", e.getMessage());
    }

    @Test
    void errorMessagesUseDockersWording() {
        assertEquals("failed to process \"${X:?}\": X: is not allowed to be unset",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("${X:?}", Map.of())).getMessage());
        assertEquals("failed to process \"${X:?}\": X: is not allowed to be empty",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("${X:?}", Map.of("X", ""))).getMessage());
        assertEquals("failed to process \"${X?set X please}\": X: set X please",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("${X?set X please}", Map.of())).getMessage());
        assertEquals("failed to process \"${X\": syntax error: missing '}'",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("${X", Map.of())).getMessage());
        assertEquals("failed to process \"${}\": syntax error: bad substitution",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("${}", Map.of())).getMessage());
        assertEquals("failed to process \"'a\": unexpected end of statement while looking for matching single-quote",
                assertThrows(BerthException.class, () -> ShellLex.expandWord("'a", Map.of())).getMessage());
    }

    /** input, expected words joined with "," (ERROR for a failure), for ProcessWords. */
    @Test
    void processWordsSplitsLikeDocker() {
        Map<String, String> env = Map.of("hi", "hi", "space", "abc  def", "leading", "  ab c", "trailing", "ab c   ");
        String[][] cases = {
            {"hello", "hello"},
            {"hello${hi}bye", "hellohibye"},
            {"hello${space}bye", "helloabc,defbye"},
            {"hello\"${space}\"bye", "helloabc  defbye"},
            {"hello \"${space}\"bye", "hello,abc  defbye"},
            {"hello${leading}def", "hello,ab,cdef"},
            {"hello\"${leading}\" def", "hello  ab c,def"},
            {"hello${trailing}", "helloab,c"},
            {"hello${trailing}d", "helloab,c,d"},
            {"hello\"${trailing}\"d", "helloab c   d"},
            {"hello\" there  \"", "hello there  "},
            {"hello there     ", "hello,there"},
            {"hello\\ there", "hello there"},
            {"hello\\\" there", "hello\",there"},
            {"hello\"\\\\there\"", "hello\\there"},
            {"hello'\\\\there'", "hello\\\\there"},
            {"hello'$there'", "hello$there"},
            {"80/tcp 443", "80/tcp,443"},
            {"''", ""},
        };
        for (String[] c : cases) {
            assertEquals(c[1], String.join(",", ShellLex.expandWords(c[0], env)), c[0]);
        }
        assertThrows(BerthException.class, () -> ShellLex.expandWords("hello\" there", env));
        assertEquals(List.of(), ShellLex.expandWords("   ", env));
    }

    @Test
    void backtickEscape() {
        ShellLex lex = new ShellLex('`');
        assertEquals("C:\\dir\\$PWD", lex.processWord("C:\\dir\\`$PWD", ENV));
        assertEquals("a b", lex.processWord("a` b", ENV));
        assertEquals(List.of("a b", "c"), lex.processWords("a` b c", ENV));
    }

    @Test
    void heredocBodyExpansionKeepsQuotes() {
        Expander e = new Expander('\\', Map.of("NAME", "world"));
        assertEquals("hello 'world' \"world\"\n$NAME\n", e.heredoc("hello '$NAME' \"${NAME}\"\n\\$NAME\n"));
        // BuildKit's testCopyHeredocSpecialSymbols: escapes are processed in unquoted heredocs.
        assertEquals("\"quotes in file\"\n", e.heredoc("\"quotes in file\"\n"));
        assertEquals("\n", e.heredoc("\\\n"));
        assertEquals("\\\n", e.heredoc("\\\\\n"));
        assertEquals("$\n", e.heredoc("\\$\n"));
        // The escape directive does not apply to heredoc bodies.
        assertEquals("`world\n", new Expander('`', Map.of("NAME", "world")).heredoc("`$NAME\n"));
    }

    @Test
    void skipUnsetEnvLeavesReferences() {
        ShellLex lex = new ShellLex('\\').skipUnsetEnv(true);
        assertEquals("a $X ${Y} ${Z:-d} b", lex.processWord("a $X ${Y} ${Z:-d} $B", Map.of("B", "b")));
    }
}
