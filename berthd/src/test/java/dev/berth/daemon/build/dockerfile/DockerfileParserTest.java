package dev.berth.daemon.build.dockerfile;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.daemon.build.dockerfile.Instruction.*;
import dev.berth.daemon.errors.BerthException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {
    private static Dockerfile parse(String text) { return DockerfileParser.parse(text); }

    /** The instructions of the only (or last) stage. */
    private static List<Instruction> body(String text) { return parse(text).stages().getLast().instructions(); }

    private static Instruction one(String line) { return body("FROM scratch\n" + line + "\n").getFirst(); }

    private static String error(String text) {
        return assertThrows(BerthException.InvalidArgument.class, () -> parse(text)).getMessage();
    }

    private static final Expander NO_VARS = new Expander('\\', Map.of());

    @Test
    void stagesMetaArgsNamesAndPlatform() {
        Dockerfile df = parse("""
                ARG BASE=alpine
                ARG TAG
                FROM --platform=$BUILDPLATFORM ${BASE}:${TAG:-3} AS Builder
                RUN make
                from scratch
                COPY --from=builder /out /out
                FROM builder as Final
                """);
        assertEquals(2, df.metaArgs().size());
        assertEquals(new ArgDef("BASE", "alpine"), df.metaArgs().getFirst().args().getFirst());
        assertEquals(new ArgDef("TAG", null), df.metaArgs().get(1).args().getFirst());
        assertEquals(3, df.stages().size());
        Stage b = df.stages().getFirst();
        assertEquals("builder", b.name());
        assertEquals(0, b.index());
        assertEquals("${BASE}:${TAG:-3}", b.from().image());
        assertEquals("$BUILDPLATFORM", b.from().platform());
        assertEquals(3, b.from().line());
        assertEquals("FROM --platform=$BUILDPLATFORM ${BASE}:${TAG:-3} AS Builder", b.from().original());
        assertEquals(List.of("RUN make"), b.instructions().stream().map(Instruction::original).toList());
        assertNull(df.stages().get(1).name());
        assertEquals("final", df.stages().get(2).name());
        assertSame(b, df.stage("BUILDER"));
        assertSame(df.stages().get(1), df.stage("1"));
        assertNull(df.stage("nope"));
        assertEquals('\\', df.escape());
        assertNull(df.syntax());

        From expanded = b.from().expand(new Expander('\\', Map.of("BASE", "alpine", "BUILDPLATFORM", "linux/amd64")));
        assertEquals("alpine:3", expanded.image());
        assertEquals("linux/amd64", expanded.platform());
        assertEquals("builder", expanded.stageName());
    }

    @Test
    void keywordsAreCaseInsensitiveAndKeepTheirOriginalText() {
        List<Instruction> ins = body("FROM x\nrun echo hi\n  Cmd [\"a\"]   \n");
        assertEquals("RUN", ins.getFirst().keyword());
        assertEquals("run echo hi", ins.getFirst().original());
        assertEquals(2, ins.getFirst().line());
        assertEquals("Cmd [\"a\"]", ins.get(1).original());
        assertEquals(3, ins.get(1).line());
    }

    @Test
    void parserDirectives() {
        Dockerfile df = parse("# syntax=docker/dockerfile:1\n# check=skip=all\n#escape=`\nFROM x\nRUN dir c:\\ `\n  && echo hi\n");
        assertEquals("docker/dockerfile:1", df.syntax());
        assertEquals('`', df.escape());
        Run run = (Run) df.stages().getFirst().instructions().getFirst();
        assertEquals("dir c:\\   && echo hi", run.script());
        assertEquals(5, run.line());

        // Directives after a comment, an empty line or an instruction are plain comments.
        Dockerfile late = parse("# a comment\n# escape=`\nFROM image\nENV GOPATH \\\n\\go");
        assertEquals('\\', late.escape());
        Env env = (Env) late.stages().getFirst().instructions().getFirst();
        assertEquals(List.of(new KeyValue("GOPATH", "\\go")), env.pairs());
        assertEquals('\\', parse("\n# escape=`\nFROM x\n").escape());
        assertEquals('\\', parse("FROM x\n# escape=`\n").escape());
        // Unknown directives end the directive section.
        assertEquals('\\', parse("# foo=bar\n# escape=`\nFROM x\n").escape());
        // Case-insensitive, spaces allowed.
        assertEquals('`', parse("#   ESCAPE =  `  \nFROM x\n").escape());

        // With the backtick escape a backslash is an ordinary character, in ENV values too.
        Dockerfile win = parse("# escape=`\nFROM x\nENV P=C:\\Windows `\n  Q=\"a`\"b\"\nCOPY <<EOF C:\\dest\\\nx\nEOF\n");
        Env winEnv = (Env) win.stages().getFirst().instructions().getFirst();
        assertEquals(List.of(new KeyValue("P", "C:\\Windows"), new KeyValue("Q", "a\"b")),
                winEnv.expand(win.expander(Map.of())).pairs());
        Copy winCopy = (Copy) win.stages().getFirst().instructions().get(1);
        assertEquals("C:\\dest\\", winCopy.expand(win.expander(Map.of())).dest());
        assertEquals("x\n", winCopy.heredocs().getFirst().content());

        assertEquals("dockerfile parse error on line 2: only one escape parser directive can be used",
                error("# escape=`\n# escape=\\\nFROM x\n"));
        assertEquals("dockerfile parse error on line 1: invalid escape token 'x' does not match ` or \\",
                error("# escape=x\nFROM x\n"));
    }

    @Test
    void continuationsCommentsAndEmptyLines() {
        Dockerfile df = parse("""
                FROM ubuntu:14.04
                RUN echo hello\\
                  world\\
                  goodnight  \\
                  moon\\
                  light\\
                ning
                RUN echo hello  \\
                world
                RUN echo hi \\
                 \\
                 world \\
                \\
                 good\\
                \\
                night
                RUN echo hello \\
                # this is a comment

                # this is a comment with a blank line surrounding it

                this is some more useful stuff
                RUN echo a \\
                    # indented comment
                    b
                """);
        List<String> scripts = df.stages().getFirst().instructions().stream().map(i -> ((Run) i).script()).toList();
        assertEquals(List.of(
                "echo hello  world  goodnight    moon  lightning",
                "echo hello  world",
                "echo hi   world  goodnight",
                "echo hello this is some more useful stuff",
                "echo a     b"), scripts);
        List<Integer> lines = df.stages().getFirst().instructions().stream().map(Instruction::line).toList();
        assertEquals(List.of(2, 8, 10, 17, 23), lines);
        assertEquals(List.of("Empty continuation line found in: RUN echo hello this is some more useful stuff"),
                df.warnings());
        // A continuation at the end of the file just ends the instruction.
        assertEquals("echo hi", ((Run) body("FROM x\nRUN echo hi\\").getFirst()).script());
        // "\\\\" at the end is not a continuation; "\\ " with trailing blanks is.
        assertEquals("echo a\\\\", ((Run) body("FROM x\nRUN echo a\\\\\nRUN b").getFirst()).script());
        assertEquals("echo ab", ((Run) body("FROM x\nRUN echo a\\  \t\nb").getFirst()).script());
        assertEquals("FROM x", parse("\uFEFFFROM x\r\n").stages().getFirst().from().original());
    }

    @Test
    void runCmdEntrypointShellForms() {
        Run shell = (Run) one("RUN echo \"$HOME\" && ls");
        assertFalse(shell.execForm());
        assertEquals("echo \"$HOME\" && ls", shell.script());
        assertEquals(List.of(), shell.args());

        Run exec = (Run) one("RUN [\"echo\", \"a b\", \"\\u00e9\\n\"]");
        assertTrue(exec.execForm());
        assertEquals(List.of("echo", "a b", "é\n"), exec.args());
        assertNull(exec.script());
        assertSame(exec, exec.expand(NO_VARS));

        // Not valid JSON: shell form, as Docker does.
        assertEquals("[\"echo\", 'hi']", ((Run) one("RUN [\"echo\", 'hi']")).script());
        assertEquals("[\"a\"] x", ((Run) one("RUN [\"a\"] x")).script());
        assertEquals("[\"unterminated", ((Cmd) one("CMD [\"unterminated")).command());
        assertEquals("dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of"
                + " strings only", error("FROM x\nCMD [\"a\", 1]\n"));

        Cmd cmd = (Cmd) one("CMD [\"nginx\", \"-g\", \"daemon off;\"]");
        assertTrue(cmd.execForm());
        assertEquals(List.of("nginx", "-g", "daemon off;"), cmd.args());
        Cmd cmdShell = (Cmd) one("CMD echo $HOME");
        assertEquals("echo $HOME", cmdShell.command());
        assertSame(cmdShell, cmdShell.expand(new Expander('\\', Map.of("HOME", "/root"))));

        Entrypoint ep = (Entrypoint) one("ENTRYPOINT [\"/bin/tini\", \"--\"]");
        assertEquals(List.of("/bin/tini", "--"), ep.args());
        Entrypoint epShell = (Entrypoint) one("ENTRYPOINT exec nginx");
        assertFalse(epShell.execForm());
        assertEquals("exec nginx", epShell.command());
        Entrypoint reset = (Entrypoint) one("ENTRYPOINT []");
        assertTrue(reset.execForm());
        assertEquals(List.of(), reset.args());

        Shell sh = (Shell) one("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]");
        assertEquals(List.of("/bin/bash", "-o", "pipefail", "-c"), sh.shell());
        assertEquals("dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form",
                error("FROM x\nSHELL /bin/bash -c\n"));
        assertEquals("dockerfile parse error on line 2: SHELL requires at least one argument",
                error("FROM x\nSHELL []\n"));
    }

    @Test
    void envAndLabelForms() {
        Env legacy = (Env) one("ENV name  value with  spaces");
        assertEquals(List.of(new KeyValue("name", "value with  spaces")), legacy.pairs());
        Env quotedLegacy = ((Env) one("ENV A \"hello world\"")).expand(NO_VARS);
        assertEquals(List.of(new KeyValue("A", "hello world")), quotedLegacy.pairs());

        Env env = (Env) one("ENV a=1 b=\"two words\" c=three\\ words d='it''s' e=\"a\\\"b\" f= g=\"\"");
        assertEquals(List.of(
                new KeyValue("a", "1"),
                new KeyValue("b", "\"two words\""),
                new KeyValue("c", "three\\ words"),
                new KeyValue("d", "'it''s'"),
                new KeyValue("e", "\"a\\\"b\""),
                new KeyValue("f", ""),
                new KeyValue("g", "\"\"")), env.pairs());
        assertEquals(List.of(
                new KeyValue("a", "1"),
                new KeyValue("b", "two words"),
                new KeyValue("c", "three words"),
                new KeyValue("d", "its"),
                new KeyValue("e", "a\"b"),
                new KeyValue("f", ""),
                new KeyValue("g", "")), env.expand(NO_VARS).pairs());

        Env multi = (Env) body("FROM x\nENV name=value \\\n    name2=\"value2a \\\n           value2b\" \\\n"
                + "    name3=\"value3a\\n\\\"value3b\\\"\"\n").getFirst();
        assertEquals(List.of(new KeyValue("name", "value"), new KeyValue("name2", "value2a            value2b"),
                new KeyValue("name3", "value3a\\n\"value3b\"")), multi.expand(NO_VARS).pairs());

        Env withVars = ((Env) one("ENV PATH=$PATH:/opt/bin HOME_=${HOME}x")).expand(
                new Expander('\\', Map.of("PATH", "/usr/bin", "HOME", "/root")));
        assertEquals(List.of(new KeyValue("PATH", "/usr/bin:/opt/bin"), new KeyValue("HOME_", "/rootx")),
                withVars.pairs());

        Label label = (Label) one("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 desc=\"multi\\\nline\"");
        assertEquals(List.of(new KeyValue("com.example.vendor", "ACME Inc"), new KeyValue("version", "1.0"),
                new KeyValue("desc", "multiline")), label.expand(NO_VARS).pairs());
        Label legacyLabel = (Label) one("LABEL maintainer foo@bar.com");
        assertEquals(List.of(new KeyValue("maintainer", "foo@bar.com")), legacyLabel.pairs());

        assertEquals("dockerfile parse error on line 2: ENV must have two arguments", error("FROM x\nENV onlyname\n"));
        assertEquals("dockerfile parse error on line 2: LABEL must have two arguments", error("FROM x\nLABEL k\n"));
        assertEquals("dockerfile parse error on line 2: ENV requires at least one argument", error("FROM x\nENV\n"));
        assertEquals("dockerfile parse error on line 2: Syntax error - can't find = in \"b\". Must be of the form:"
                + " name=value", error("FROM x\nENV a=1 b\n"));
        assertEquals("dockerfile parse error on line 2: ENV names can not be blank", error("FROM x\nENV =x\n"));
    }

    @Test
    void argForms() {
        Arg arg = (Arg) one("ARG A B=2 C=\"x y\" D=");
        assertEquals(List.of(new ArgDef("A", null), new ArgDef("B", "2"), new ArgDef("C", "\"x y\""),
                new ArgDef("D", "")), arg.args());
        assertEquals(List.of(new ArgDef("A", null), new ArgDef("B", "2"), new ArgDef("C", "x y"), new ArgDef("D", "")),
                arg.expand(NO_VARS).args());
        Arg fromEnv = ((Arg) one("ARG V=${BASE}-dev")).expand(new Expander('\\', Map.of("BASE", "1.2")));
        assertEquals("1.2-dev", fromEnv.args().getFirst().defaultValue());
        assertEquals("dockerfile parse error on line 2: ARG requires at least one argument", error("FROM x\nARG\n"));
        assertEquals("dockerfile parse error on line 2: ARG names can not be blank", error("FROM x\nARG =1\n"));
    }

    @Test
    void simpleInstructions() {
        assertEquals("/app dir", ((Workdir) one("WORKDIR /app dir")).path());
        assertEquals("/srv/v1", ((Workdir) one("WORKDIR /srv/$V")).expand(new Expander('\\', Map.of("V", "v1"))).path());
        assertEquals("nobody:nogroup", ((User) one("USER ${U:-nobody}:nogroup")).expand(NO_VARS).user());
        assertEquals("SIGQUIT", ((Stopsignal) one("STOPSIGNAL $SIG")).expand(
                new Expander('\\', Map.of("SIG", "SIGQUIT"))).signal());
        assertEquals("Jane <jane@example.com>", ((Maintainer) one("MAINTAINER Jane <jane@example.com>")).maintainer());

        Expose expose = (Expose) one("EXPOSE 8080 80/tcp $PORTS");
        assertEquals(List.of("$PORTS", "80/tcp", "8080"), expose.ports()); // Docker sorts them
        assertEquals(List.of("53/udp", "9000", "80/tcp", "8080"),
                expose.expand(new Expander('\\', Map.of("PORTS", "53/udp 9000"))).ports());

        Volume vol = (Volume) one("VOLUME /data $EXTRA");
        assertEquals(List.of("/data", "/x"), vol.expand(new Expander('\\', Map.of("EXTRA", "/x"))).paths());
        Volume json = (Volume) one("VOLUME [\"/var/log\", \"$V\"]");
        assertEquals(List.of("/var/log", "/v"), json.expand(new Expander('\\', Map.of("V", "/v"))).paths());

        assertEquals("dockerfile parse error on line 2: WORKDIR requires exactly one argument", error("FROM x\nWORKDIR\n"));
        assertEquals("dockerfile parse error on line 2: USER requires exactly one argument", error("FROM x\nUSER\n"));
        assertEquals("dockerfile parse error on line 2: EXPOSE requires at least one argument", error("FROM x\nEXPOSE\n"));
        assertEquals("dockerfile parse error on line 2: VOLUME requires at least one argument", error("FROM x\nVOLUME\n"));
        assertEquals("dockerfile parse error on line 2: VOLUME specified can not be an empty string",
                error("FROM x\nVOLUME [\"/a\", \" \"]\n"));
        assertEquals("dockerfile parse error on line 2: STOPSIGNAL requires exactly one argument",
                error("FROM x\nSTOPSIGNAL\n"));
        assertEquals("dockerfile parse error on line 2: MAINTAINER requires exactly one argument",
                error("FROM x\nMAINTAINER\n"));
    }

    @Test
    void copyAndAddFlagsAndForms() {
        Copy copy = (Copy) one("COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md"
                + " --exclude=tmp a b/ /dest/");
        assertEquals(List.of("a", "b/"), copy.sources());
        assertEquals("/dest/", copy.dest());
        assertEquals("build", copy.from());
        assertEquals("app:app", copy.chown());
        assertEquals("0755", copy.chmod());
        assertTrue(copy.link());
        assertTrue(copy.parents());
        assertEquals(List.of("*.md", "tmp"), copy.excludes());

        Copy plain = (Copy) one("COPY . .");
        assertNull(plain.from());
        assertNull(plain.chown());
        assertFalse(plain.link());
        assertEquals(List.of(), plain.heredocs());

        Copy json = (Copy) one("COPY [\"a file\", \"$X\", \"/d/\"]");
        Copy expanded = json.expand(new Expander('\\', Map.of("X", "other")));
        assertEquals(List.of("a file", "other"), expanded.sources());
        assertEquals("/d/", expanded.dest());

        Copy vars = ((Copy) one("COPY --chown=$U:$U ${SRC} $DEST")).expand(
                new Expander('\\', Map.of("U", "1000", "SRC", "app.jar", "DEST", "/opt/app.jar")));
        assertEquals("1000:1000", vars.chown());
        assertEquals(List.of("app.jar"), vars.sources());
        assertEquals("/opt/app.jar", vars.dest());
        var e = assertThrows(BerthException.class, () -> ((Copy) one("COPY --from=$STAGE a b")).expand(NO_VARS));
        assertTrue(e.getMessage().startsWith("variable expansion is not supported for --from"), e.getMessage());

        Add addJson = (Add) one("ADD [\"src dir/\", \"${D}\"]");
        assertEquals(List.of("src dir/"), addJson.sources());
        assertEquals("/d", addJson.expand(new Expander('\\', Map.of("D", "/d"))).dest());

        Add add = (Add) one("ADD --checksum=sha256:abc --keep-git-dir=true --chmod=644 https://example.com/x.tgz /x/");
        assertEquals(List.of("https://example.com/x.tgz"), add.sources());
        assertEquals("sha256:abc", add.checksum());
        assertEquals(Boolean.TRUE, add.keepGitDir());
        assertNull(add.unpack());
        assertEquals("644", add.chmod());
        Add addFalse = (Add) one("ADD --keep-git-dir=false --unpack=False a b");
        assertEquals(Boolean.FALSE, addFalse.keepGitDir());
        assertEquals(Boolean.FALSE, addFalse.unpack());
        // Quoted flag values.
        assertEquals("a b", ((Copy) one("COPY --chown=\"a b\" x y")).chown());

        assertEquals("dockerfile parse error on line 2: COPY requires at least two arguments, but only one was"
                + " provided. Destination could not be determined", error("FROM x\nCOPY a\n"));
        assertEquals("dockerfile parse error on line 2: ADD requires at least two arguments, but only one was"
                + " provided. Destination could not be determined", error("FROM x\nADD a\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --foo", error("FROM x\nCOPY --foo=bar a b\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --from", error("FROM x\nADD --from=a a b\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --checksum",
                error("FROM x\nCOPY --checksum=x a b\n"));
        assertEquals("dockerfile parse error on line 2: duplicate flag specified: --from",
                error("FROM x\nCOPY --from=a --from=b a b\n"));
        assertEquals("dockerfile parse error on line 2: missing a value on flag: --chown",
                error("FROM x\nCOPY --chown a b\n"));
        assertEquals("dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe",
                error("FROM x\nCOPY --link=maybe a b\n"));
        assertEquals("dockerfile parse error on line 2: missing a value on flag: --link",
                error("FROM x\nCOPY --link= a b\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --platform",
                error("FROM x\nRUN --platform=linux true\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --foo", error("FROM x\nENV --foo a=b\n"));
        // "--" ends the flags.
        assertEquals(List.of("--x"), ((Copy) one("COPY -- --x /d")).sources());
    }

    @Test
    void runFlags() {
        Run run = (Run) one("RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none"
                + " --security=insecure pip install x");
        assertEquals(List.of("type=cache,target=/root/.cache", "type=secret,id=tok"), run.mounts());
        assertEquals("none", run.network());
        assertEquals("insecure", run.security());
        assertEquals("pip install x", run.script());
        assertNull(((Run) one("RUN true")).network());
        assertEquals("dockerfile parse error on line 2: invalid network mode \"bridge\"",
                error("FROM x\nRUN --network=bridge true\n"));
        assertEquals("dockerfile parse error on line 2: 'from' doesn't support variable expansion, define alias"
                + " stage instead", error("FROM x\nRUN --mount=from=$STAGE,target=/x true\n"));
        assertEquals("dockerfile parse error on line 2: security \"root\" is not valid",
                error("FROM x\nRUN --security=root true\n"));
    }

    @Test
    void healthcheck() {
        Healthcheck hc = (Healthcheck) one("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s"
                + " --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1");
        assertFalse(hc.none());
        assertEquals(List.of("CMD-SHELL", "curl -f http://localhost/ || exit 1"), hc.test());
        assertEquals(Duration.ofSeconds(30), hc.interval());
        assertEquals(Duration.ofSeconds(90), hc.timeout());
        assertEquals(Duration.ofMillis(1500), hc.startPeriod());
        assertEquals(Duration.ofMillis(500), hc.startInterval());
        assertEquals(3, hc.retries());

        Healthcheck exec = (Healthcheck) one("HEALTHCHECK cmd [\"/bin/check\", \"-v\"]");
        assertEquals(List.of("CMD", "/bin/check", "-v"), exec.test());
        assertEquals(Duration.ZERO, exec.interval());
        assertEquals(0, exec.retries());

        Healthcheck none = (Healthcheck) one("HEALTHCHECK NONE");
        assertTrue(none.none());
        assertEquals(List.of("NONE"), none.test());

        assertEquals("dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments",
                error("FROM x\nHEALTHCHECK NONE x\n"));
        assertEquals("dockerfile parse error on line 2: Unknown type \"FOO\" in HEALTHCHECK (try CMD)",
                error("FROM x\nHEALTHCHECK FOO x\n"));
        assertEquals("dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD",
                error("FROM x\nHEALTHCHECK CMD\n"));
        assertEquals("dockerfile parse error on line 2: HEALTHCHECK requires at least one argument",
                error("FROM x\nHEALTHCHECK\n"));
        assertEquals("dockerfile parse error on line 2: Interval \"interval\" cannot be less than 1ms",
                error("FROM x\nHEALTHCHECK --interval=10us CMD true\n"));
        assertEquals("dockerfile parse error on line 2: time: missing unit in duration \"10\"",
                error("FROM x\nHEALTHCHECK --timeout=10 CMD true\n"));
        assertEquals("dockerfile parse error on line 2: time: unknown unit \"x\" in duration \"10x\"",
                error("FROM x\nHEALTHCHECK --timeout=10x CMD true\n"));
        assertEquals("dockerfile parse error on line 2: --retries cannot be negative (-1)",
                error("FROM x\nHEALTHCHECK --retries=-1 CMD true\n"));
        assertEquals("dockerfile parse error on line 2: unknown flag: --foo",
                error("FROM x\nHEALTHCHECK --foo=1 CMD true\n"));
        assertEquals(Duration.ofMinutes(90), ((Healthcheck) one("HEALTHCHECK --interval=1h30m CMD true")).interval());
        assertEquals(Duration.ZERO, ((Healthcheck) one("HEALTHCHECK --interval=0 CMD true")).interval());
    }

    @Test
    void runHeredocs() {
        Dockerfile df = parse("FROM x\nRUN <<EOF\necho \"$HOME\"\n\tindented\nEOF\nRUN echo after\n");
        Run run = (Run) df.stages().getFirst().instructions().getFirst();
        assertEquals("echo \"$HOME\"\n\tindented\n", run.script());
        assertEquals(List.of(new Heredoc("EOF", "echo \"$HOME\"\n\tindented\n", true, false, 0)), run.heredocs());
        assertEquals("RUN <<EOF", run.original());
        Run after = (Run) df.stages().getFirst().instructions().get(1);
        assertEquals(6, after.line());

        assertNull(run.shebangScript());
        Run py = (Run) body("FROM x\nRUN <<-PY\n\t#!/usr/bin/env python3\n\tprint(1)\n\tPY\n").getFirst();
        assertEquals(new Heredoc("PY", "#!/usr/bin/env python3\nprint(1)\n", true, true, 0), py.shebangScript());
        assertEquals("<<-PY", py.commandLine());
        assertNull(((Run) body("FROM x\nRUN python3 <<PY\n#!x\nPY\n").getFirst()).shebangScript());

        Run chomp = (Run) body("FROM x\nRUN <<-EOT\n\techo a\n\t\techo b\n\tEOT\n").getFirst();
        assertEquals("echo a\necho b\n", chomp.script());
        assertEquals("\techo a\n\t\techo b\n", chomp.heredocs().getFirst().content());
        assertTrue(chomp.heredocs().getFirst().chomp());

        Run quoted = (Run) body("FROM x\nRUN <<\"EOF\"\necho $X\nEOF\n").getFirst();
        assertFalse(quoted.heredocs().getFirst().expand());
        assertEquals("EOF", quoted.heredocs().getFirst().name());
        Run single = (Run) body("FROM x\nRUN <<'EOF'\necho $X\nEOF\n").getFirst();
        assertFalse(single.heredocs().getFirst().expand());

        // Several heredocs on one line: the shell gets the line and the bodies with their terminators.
        Run two = (Run) body("FROM x\nRUN cat <<A > /a && cat 3<<-B >/b\nhello\nA\n\tworld\n\tB\nRUN true\n").getFirst();
        assertEquals(2, two.heredocs().size());
        assertEquals(new Heredoc("A", "hello\n", true, false, 0), two.heredocs().getFirst());
        assertEquals(new Heredoc("B", "\tworld\n", true, true, 3), two.heredocs().get(1));
        assertEquals("cat <<A > /a && cat 3<<-B >/b\nhello\nA\n\tworld\nB", two.script());

        // A heredoc after a continued line; "<<" inside quotes is not a heredoc.
        Run cont = (Run) body("FROM x\nRUN python3 \\\n  <<EOF\nprint(1)\nEOF\n").getFirst();
        assertEquals("python3   <<EOF\nprint(1)\nEOF", cont.script());
        Run notDoc = (Run) body("FROM x\nRUN echo '<<EOF'\nRUN true\n").getFirst();
        assertEquals(List.of(), notDoc.heredocs());
        // Exec form never has heredocs.
        Run execDoc = (Run) body("FROM x\nRUN [\"cat\", \"<<EOF\"]\nRUN true\n").getFirst();
        assertEquals(List.of(), execDoc.heredocs());

        assertEquals("dockerfile parse error on line 2: unterminated heredoc", error("FROM x\nRUN <<EOF\necho hi\n"));
        assertEquals("dockerfile parse error on line 2: unterminated heredoc",
                error("FROM x\nRUN <<A <<B\na\nA\nb\n"));
    }

    @Test
    void copyHeredocs() {
        Copy copy = (Copy) body("FROM x\nCOPY <<EOF /etc/greeting\nhello $NAME\nEOF\n").getFirst();
        assertEquals(List.of(), copy.sources());
        assertEquals("/etc/greeting", copy.dest());
        assertEquals(List.of(new Heredoc("EOF", "hello $NAME\n", true, false, 0)), copy.heredocs());
        Copy expanded = copy.expand(new Expander('\\', Map.of("NAME", "world")));
        assertEquals("hello world\n", expanded.heredocs().getFirst().content());

        Copy literal = (Copy) body("FROM x\nCOPY <<-'EOF' /s.sh\n\techo $NAME\n\tEOF\n").getFirst();
        assertEquals("echo $NAME\n", literal.heredocs().getFirst().content()); // <<- strips tabs for files
        assertEquals("echo $NAME\n", literal.expand(new Expander('\\', Map.of("NAME", "w"))).heredocs().getFirst()
                .content());

        Copy two = (Copy) body("FROM x\nCOPY <<one.txt <<two.txt file3 /dir/\n1\none.txt\n2\ntwo.txt\n").getFirst();
        assertEquals(List.of("file3"), two.sources());
        assertEquals(List.of("one.txt", "two.txt"), two.heredocs().stream().map(Heredoc::name).toList());
        assertEquals(List.of("1\n", "2\n"), two.heredocs().stream().map(Heredoc::content).toList());

        Add add = (Add) body("FROM x\nADD <<EOF /f\nx\nEOF\n").getFirst();
        assertEquals("x\n", add.heredocs().getFirst().content());

        assertEquals("dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination",
                error("FROM x\nCOPY a <<EOF\nx\nEOF\n"));
    }

    @Test
    void onbuild() {
        Onbuild ob = (Onbuild) one("ONBUILD RUN echo \"$X\"");
        assertEquals("RUN echo \"$X\"", ob.expression());
        assertSame(ob, ob.expand(new Expander('\\', Map.of("X", "y"))));
        Onbuild lower = (Onbuild) one("onbuild   copy . /app");
        assertEquals("copy . /app", lower.expression());
        Run trigger = (Run) DockerfileParser.parseInstruction(ob.expression());
        assertEquals("echo \"$X\"", trigger.script());

        Onbuild doc = (Onbuild) body("FROM x\nONBUILD RUN <<EOF\necho hi\nEOF\n").getFirst();
        assertEquals("RUN <<EOF\necho hi\nEOF", doc.expression());
        Run docTrigger = (Run) DockerfileParser.parseInstruction(doc.expression());
        assertEquals("echo hi\n", docTrigger.script());

        assertEquals("dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                error("FROM x\nONBUILD ONBUILD RUN x\n"));
        assertEquals("dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger",
                error("FROM x\nONBUILD from y\n"));
        assertEquals("dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger",
                error("FROM x\nONBUILD MAINTAINER y\n"));
        assertEquals("dockerfile parse error on line 2: ONBUILD requires at least one argument",
                error("FROM x\nONBUILD\n"));
        // The trigger's own syntax is checked by the first pass, as Docker does.
        assertEquals("dockerfile parse error on line 2: ENV must have two arguments", error("FROM x\nONBUILD ENV a\n"));
    }

    @Test
    void parseInstructionForTriggers() {
        Cmd cmd = (Cmd) DockerfileParser.parseInstruction("CMD [\"sh\"]");
        assertEquals(List.of("sh"), cmd.args());
        Env env = (Env) DockerfileParser.parseInstruction("ENV A=b");
        assertEquals(List.of(new KeyValue("A", "b")), env.pairs());
        assertEquals(1, env.line());
        assertInstanceOf(Expose.class, DockerfileParser.parseInstruction("expose 80"));
        assertEquals("unknown instruction: BOGUS",
                assertThrows(BerthException.class, () -> DockerfileParser.parseInstruction("BOGUS x")).getMessage());
        assertEquals("ENV must have two arguments",
                assertThrows(BerthException.class, () -> DockerfileParser.parseInstruction("ENV a")).getMessage());
        assertEquals("onbuild trigger should be a single expression",
                assertThrows(BerthException.class, () -> DockerfileParser.parseInstruction("CMD a\nCMD b"))
                        .getMessage());
        assertEquals("file with no instructions",
                assertThrows(BerthException.class, () -> DockerfileParser.parseInstruction("  ")).getMessage());
    }

    @Test
    void commitChanges() {
        List<Instruction> ins = DockerfileParser.parseChanges(List.of("CMD [\"sh\"]", "ENV A=b C=d", "expose 80",
                "LABEL x=y", "USER nobody", "WORKDIR /w", "VOLUME /v", "STOPSIGNAL 9", "ENTRYPOINT []",
                "HEALTHCHECK NONE", "ONBUILD RUN x"));
        assertEquals(11, ins.size());
        assertEquals(List.of(1, 2, 3), ins.subList(0, 3).stream().map(Instruction::line).toList());
        assertEquals(List.of(), DockerfileParser.parseChanges(List.of()));
        assertEquals("FROM is not a valid change command",
                assertThrows(BerthException.class, () -> DockerfileParser.parseChanges(List.of("FROM x"))).getMessage());
        assertEquals("run is not a valid change command",
                assertThrows(BerthException.class, () -> DockerfileParser.parseChanges(List.of("CMD a", "run x")))
                        .getMessage());
        assertEquals("ENV must have two arguments",
                assertThrows(BerthException.class, () -> DockerfileParser.parseChanges(List.of("ENV a"))).getMessage());
    }

    @Test
    void structuralErrorsNameTheLine() {
        assertEquals("dockerfile parse error on line 3: unknown instruction: FOO", error("FROM x\n\nFOO bar\n"));
        assertEquals("dockerfile parse error on line 2: unknown instruction: cpy", error("FROM x\ncpy a b\n"));
        assertEquals("file with no instructions", error(""));
        assertEquals("file with no instructions", error("# only\n# comments\n\n"));
        assertEquals("dockerfile parse error on line 2: no build stage in current context",
                error("ARG A\nRUN true\nFROM x\n"));
        assertEquals("dockerfile parse error on line 1: no build stage in current context", error("RUN true\n"));
        assertEquals("No image was generated. Is your Dockerfile empty?", error("ARG A=1\n"));
        assertEquals("dockerfile parse error on line 1: FROM requires either one or three arguments",
                error("FROM a b\n"));
        assertEquals("dockerfile parse error on line 1: FROM requires either one or three arguments", error("FROM\n"));
        assertEquals("dockerfile parse error on line 1: invalid name for build stage: \"1st\", name can't start with"
                + " a number or contain symbols", error("FROM a AS 1st\n"));
        assertEquals("dockerfile parse error on line 1: unknown flag: --foo", error("FROM --foo=x a\n"));
        assertEquals("dockerfile parse error on line 3: base stage name already used",
                error("FROM a AS base\nRUN x\nFROM b AS BASE\n"));
        // The error names the first line of a continued instruction.
        assertEquals("dockerfile parse error on line 2: ENV must have two arguments", error("FROM x\nENV \\\n  a\n"));
    }
}
