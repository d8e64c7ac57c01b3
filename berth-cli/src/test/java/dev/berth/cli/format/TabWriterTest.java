package dev.berth.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TabWriterTest {
    @Test
    void dockerPsHeaderWithoutRows() {
        String out = TabWriter.docker().add("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n").render();
        assertEquals("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n", out);
    }

    @Test
    void columnsWidenToTheLongestCellPlusPadding() {
        String out = TabWriter.docker()
                .add("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n")
                .add("busybox\tlatest\t3f57d9401f8d\t2 weeks ago\t4.26MB\n").render();
        assertEquals("REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n"
                + "busybox      latest    3f57d9401f8d   2 weeks ago   4.26MB\n", out);
    }

    @Test
    void runesNotBytes() {
        String out = TabWriter.docker().add("\"sh -c 'while true;…\"\tx\n").add("a\ty\n").render();
        assertEquals("\"sh -c 'while true;…\"   x\na" + " ".repeat(23) + "y\n", out);
    }
}
