package dev.berth.api;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class DockerIgnoreTest {
    private static void check(String pattern, String path, boolean excluded) {
        assertEquals(excluded, DockerIgnore.parse(pattern).excluded(path),
                () -> "pattern " + pattern + " path " + path);
    }

    @Test
    void singlePatternsMatchLikeMoby() {
        Object[][] cases = {
            {"**", "file", true},
            {"**", "dir/file", true},
            {"**/", "file", true},
            {"**/**", "dir/file", true},
            {"dir/**", "dir/file", true},
            {"dir/**", "dir/dir2/file", true},
            {"**/dir", "dir", true},
            {"**/dir", "dir/file", true},
            {"**/dir2/*", "dir/dir2/file", true},
            {"**/dir2/**", "dir/dir2/dir3/file", true},
            {"**file", "file", true},
            {"**file", "dir/file", true},
            {"**file", "dir/dir/file", true},
            {"**/file", "dir/dir/file", true},
            {"**/file*", "dir/dir/file.txt", true},
            {"**/file*txt", "dir/dir/file.txt", true},
            {"**/**/*.txt", "dir/dir/file.txt", true},
            {"**/**/*.txt2", "dir/dir/file.txt", false},
            {"**/*.txt", "file.txt", true},
            {"a**/*.txt", "a/file.txt", true},
            {"a**/*.txt", "a/dir/dir/file.txt", true},
            {"a/*.txt", "a/dir/file.txt", false},
            {"a/*.txt", "a/file.txt", true},
            {"a/*.txt**", "a/file.txt", true},
            {"a[b-d]e", "ae", false},
            {"a[b-d]e", "ace", true},
            {"a[b-d]e", "aae", false},
            {"a[^b-d]e", "aze", true},
            {"a[^b-d]e", "ace", false},
            {".*", ".foo", true},
            {".*", "foo", false},
            {"abc.def", "abcdef", false},
            {"abc.def", "abc.def", true},
            {"abc.def", "abcZdef", false},
            {"abc?def", "abcZdef", true},
            {"abc?def", "abcdef", false},
            {"abc?def", "abc/def", false},
            {"a\\\\", "a\\", true},
            {"a\\*b", "a*b", true},
            {"a\\*b", "axb", false},
            {"**/foo/bar", "foo/bar", true},
            {"**/foo/bar", "dir/dir2/foo/bar", true},
            {"abc/**", "abc", false},
            {"abc/**", "abc/def/ghi", true},
            {"**/.foo", ".foo", true},
            {"**/.foo", "bar.foo", false},
            {"a(b)c/def", "a(b)c/def", true},
            {"a(b)c/def", "a(b)c/xyz", false},
            {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
            {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
            {"*", "a", true},
            {"*", "a/b", true}, // the parent "a" matches
            {"*.go", "x/y.go", false},
            {"*/*.go", "x/y.go", true},
            {"a^b", "a^b", true},
            {"[[]x", "[x", true},
            {"[\\]]x", "]x", true},
            {"x]", "x]", true},
        };
        for (Object[] c : cases) check((String) c[0], (String) c[1], (Boolean) c[2]);
    }

    @Test
    void aDirectoryPatternExcludesEverythingUnderIt() {
        DockerIgnore di = DockerIgnore.parse("node_modules\nbuild/out\n");
        assertTrue(di.excluded("node_modules"));
        assertTrue(di.excluded("node_modules/a/b/c.js"));
        assertFalse(di.excluded("src/node_modules")); // patterns are anchored at the root
        assertTrue(di.excluded("build/out/x"));
        assertFalse(di.excluded("build/output"));
        assertFalse(di.excluded("build"));
    }

    @Test
    void fileSyntaxCommentsBlankLinesWhitespaceLeadingSlashAndClean() {
        DockerIgnore di = DockerIgnore.parse("\uFEFF# a comment\n\n   \n  /foo/../bar/  \r\n ./baz\n #notacomment\n!  keep\n/\n");
        assertEquals(List.of("bar", "baz", "#notacomment", "!keep", "/"), di.patterns());
        assertTrue(di.excluded("bar"));
        assertTrue(di.excluded("baz/x"));
        assertTrue(di.excluded("#notacomment"));
        assertFalse(di.excluded("foo"));
        assertFalse(di.excluded("x")); // "/" matches nothing
    }

    @Test
    void lastMatchWinsWithExceptions() {
        DockerIgnore di = DockerIgnore.parse("*.md\n!README.md\nREADME-secret.md\n");
        assertTrue(di.excluded("CHANGES.md"));
        assertFalse(di.excluded("README.md"));
        assertTrue(di.excluded("README-secret.md"));

        DockerIgnore all = DockerIgnore.parse("**\n!util/docker/web\n");
        assertFalse(all.excluded("util/docker/web/foo"));
        assertFalse(all.excluded("util/docker/web"));
        assertTrue(all.excluded("util/docker/other"));
        assertTrue(all.excluded("util"));

        DockerIgnore again = DockerIgnore.parse("**\n!util/docker/web\nutil/docker/web/foo");
        assertTrue(again.excluded("util/docker/web/foo"));
        assertFalse(again.excluded("util/docker/web/bar"));

        DockerIgnore whl = DockerIgnore.parse("**\n!dist/*.whl");
        assertFalse(whl.excluded("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"));
        assertTrue(whl.excluded("dist/other.tar.gz"));
    }

    @Test
    void exceptionsInsideExcludedDirectoriesAndMayReinclude() {
        DockerIgnore di = DockerIgnore.parse("docs\n!docs/keep.md\n");
        assertTrue(di.excluded("docs"));
        assertTrue(di.excluded("docs/other.md"));
        assertFalse(di.excluded("docs/keep.md"));
        assertTrue(di.mayReinclude("docs"));
        assertFalse(di.mayReinclude("src"));
        assertFalse(di.mayReinclude("docs/sub")); // "docs/keep.md" cannot be below docs/sub

        DockerIgnore glob = DockerIgnore.parse("*\n!*/keep\n");
        assertTrue(glob.mayReinclude("a"));
        assertTrue(glob.mayReinclude("a/keep"));
        assertFalse(glob.mayReinclude("a/other"));
        assertFalse(glob.excluded("a/keep"));

        DockerIgnore deep = DockerIgnore.parse("vendor\n!**/LICENSE\n");
        assertTrue(deep.mayReinclude("vendor/x/y"));
        assertFalse(deep.excluded("vendor/x/LICENSE"));
        assertTrue(deep.excluded("vendor/x/main.go"));

        assertFalse(DockerIgnore.parse("docs\n").mayReinclude("docs"));
        assertFalse(DockerIgnore.none().mayReinclude("docs"));
    }

    @Test
    void keepingTheBuildFiles() {
        DockerIgnore di = DockerIgnore.parse("*\n");
        DockerIgnore kept = di.keeping(".dockerignore", "Dockerfile", "sub/x");
        assertEquals(List.of("*", "!.dockerignore", "!Dockerfile", "!sub/x"), kept.patterns());
        assertFalse(kept.excluded("Dockerfile"));
        assertFalse(kept.excluded(".dockerignore"));
        assertTrue(kept.excluded("other"));
        assertTrue(di.excluded("Dockerfile")); // the original is unchanged
        assertEquals(List.of("docs"), DockerIgnore.parse("docs").keeping("Dockerfile").patterns());
    }

    @Test
    void rootAndEmptyAreNeverExcluded() {
        DockerIgnore di = DockerIgnore.parse("**\n");
        assertFalse(di.excluded(""));
        assertFalse(di.excluded("."));
        assertTrue(di.excluded("Dockerfile"));
        assertFalse(DockerIgnore.none().excluded("anything"));
        assertTrue(DockerIgnore.none().patterns().isEmpty());
    }

    @Test
    void badPatternsAreRejectedWithTheLine() {
        for (String bad : List.of("[", "a[", "[]", "[]a]", "[a-]", "[z-a]", "[-a]", "x\\", "[\\")) {
            var e = assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("ok\n" + bad), bad);
            assertTrue(e.getMessage().contains("line 2"), e.getMessage());
            assertTrue(e.getMessage().contains("syntax error in pattern"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> DockerIgnore.parse("!"));
        assertEquals("illegal exclusion pattern: \"!\"", e.getMessage());
        assertEquals(List.of("[a-c\\]]"), DockerIgnore.parse("[a-c\\]]").patterns());
    }

    @Test
    void cleanIsGoFilepathClean() {
        assertEquals(".", DockerIgnore.clean(""));
        assertEquals("a/c", DockerIgnore.clean("a/b/../c/"));
        assertEquals("../a", DockerIgnore.clean("../a"));
        assertEquals("/a", DockerIgnore.clean("/../a"));
        assertEquals("/", DockerIgnore.clean("//"));
        assertEquals("a", DockerIgnore.clean("./a/."));
    }
}
