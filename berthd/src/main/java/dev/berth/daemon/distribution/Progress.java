package dev.berth.daemon.distribution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;

/** dockerd's JSON progress messages, one per line, so the docker CLI draws its bars. */
public final class Progress {
    private final OutputStream out;

    public Progress(OutputStream out) { this.out = out; }

    public void status(String status) { write(null, status, null, -1, -1); }

    public void status(String id, String status) { write(id, status, Json.obj(), -1, -1); }

    public void bytes(String id, String status, long current, long total) { write(id, status, null, current, total); }

    /** A result for the client (dockerd's {@code aux}: the pushed tag, digest and size). */
    public synchronized void aux(ObjectNode aux) {
        ObjectNode n = Json.obj();
        n.putObject("progressDetail");
        n.set("aux", aux);
        emit(n);
    }

    private synchronized void write(String id, String status, ObjectNode detail, long current, long total) {
        ObjectNode n = Json.obj();
        n.put("status", status);
        if (current >= 0) {
            ObjectNode d = n.putObject("progressDetail");
            d.put("current", current);
            if (total > 0) d.put("total", total);
            n.put("progress", bar(current, total));
        } else if (detail != null) {
            n.set("progressDetail", detail);
        }
        if (id != null) n.put("id", id);
        emit(n);
    }

    private void emit(ObjectNode n) {
        try {
            out.write(Json.line(n));
        } catch (IOException ignored) {
            // the client went away; the pull goes on
        }
    }

    private static String bar(long current, long total) {
        if (total <= 0) return "";
        int width = 50;
        int filled = (int) Math.min(width, current * width / total);
        return "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled) + "] "
                + human(current) + "/" + human(total);
    }

    private static String human(long b) {
        if (b < 1000) return b + "B";
        if (b < 1_000_000) return String.format("%.1fkB", b / 1000.0);
        if (b < 1_000_000_000) return String.format("%.1fMB", b / 1_000_000.0);
        return String.format("%.2fGB", b / 1_000_000_000.0);
    }
}
