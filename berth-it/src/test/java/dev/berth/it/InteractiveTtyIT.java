package dev.berth.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `run -it busybox sh` typed into a real terminal (tmux), with a window resize, for both CLIs. */
class InteractiveTtyIT {
    static BerthDaemon d;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/tmux")), "tmux is installed by bin/install-deps --test");
        d = new BerthDaemon().start();
        d.importBusybox();
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
    }

    private static Cmd.Result tmux(String session, String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "tmux";
        cmd[1] = "-L";
        cmd[2] = session; // a private tmux server per test
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Cmd.run(Map.of(), null, cmd);
    }

    private static String screenAfter(String session, String expected) throws Exception {
        String screen = "";
        for (int i = 0; i < 100; i++) {
            screen = tmux(session, "capture-pane", "-t", "t", "-p").out();
            if (screen.contains(expected)) return screen;
            Thread.sleep(100);
        }
        fail("screen never showed '" + expected + "':\n" + screen);
        return screen;
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "berth"})
    void shellIsInteractiveAndFollowsResizes(String cli) throws Exception {
        String session = "berth-it-" + cli;
        String client = cli.equals("docker")
                ? "DOCKER_HOST=" + d.host() + " /usr/local/bin/docker"
                : "BERTH_HOST=" + d.host() + " " + BerthDaemon.HOME.resolve("bin/berth");
        try {
            assertEquals(0, tmux(session, "new-session", "-d", "-s", "t", "-x", "100", "-y", "30",
                    "bash -c '" + client + " run -it --rm busybox sh; echo EXIT=$?; sleep 60'").code());
            screenAfter(session, "/ #");
            tmux(session, "send-keys", "-t", "t", "stty size; tty; echo $TERM", "Enter");
            String s1 = screenAfter(session, "xterm");
            assertTrue(s1.contains("30 100") && s1.contains("/dev/pts/0"), s1);
            tmux(session, "resize-window", "-t", "t", "-x", "120", "-y", "40");
            Thread.sleep(500);
            tmux(session, "send-keys", "-t", "t", "stty size", "Enter");
            screenAfter(session, "40 120");
            tmux(session, "send-keys", "-t", "t", "exit 7", "Enter");
            screenAfter(session, "EXIT=7");
        } finally {
            tmux(session, "kill-server");
        }
        assertEquals("", d.docker("ps", "-aq").out(), "--rm removed the container");
    }
}
