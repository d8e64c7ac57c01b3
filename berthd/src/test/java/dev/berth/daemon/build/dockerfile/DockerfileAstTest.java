package dev.berth.daemon.build.dockerfile;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The first pass in BuildKit's Node.Dump notation (this parser was checked against all of
 * BuildKit's parser/testfiles fixtures; these are our own cases in the same notation).
 */
class DockerfileAstTest {
    @Test
    void dumpMatchesBuildKitNotation() {
        String df = """
                FROM --platform=linux/amd64 busybox AS base
                ONBUILD RUN ["echo", "on build"]
                ENV a=1 b="2 3"
                ENV legacy value here
                LABEL "k"="v"
                HEALTHCHECK --interval=5s CMD ["true"]
                COPY --chown=1:1 ["a b", "/c"]
                ARG X Y=1
                EXPOSE 80  443/udp
                USER  me  too
                CMD echo "hi"\tthere
                FROBNICATE whatever
                """;
        String want = """
                (from ["--platform=linux/amd64"] "busybox" "AS" "base")
                (onbuild (run "echo" "on build"))
                (env "a" "1" "=" "b" "\\"2 3\\"" "=")
                (env "legacy" "value here" "")
                (label "\\"k\\"" "\\"v\\"" "=")
                (healthcheck ["--interval=5s"] "CMD" "true")
                (copy ["--chown=1:1"] "a b" "/c")
                (arg "X" "Y=1")
                (expose "80" "443/udp")
                (user "me  too")
                (cmd "echo \\"hi\\"\\tthere")
                (frobnicate)
                """;
        assertEquals(want, DockerfileParser.dump(df));
    }
}
