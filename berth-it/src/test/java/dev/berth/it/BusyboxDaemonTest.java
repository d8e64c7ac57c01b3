package dev.berth.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that share one berthd with the busybox image imported: started before
 * the class's tests, closed (with its roots) after them. Test classes run one at a time.
 */
abstract class BusyboxDaemonTest {
    static BerthDaemon d;

    @BeforeAll
    static void startDaemon() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        d = new BerthDaemon().start();
        d.importBusybox();
    }

    @AfterAll
    static void closeDaemon() throws Exception {
        if (d != null) d.close();
        d = null;
    }
}
