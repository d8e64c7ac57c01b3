package dev.berth.daemon;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line logs on stderr, in the spirit of dockerd's: time, level, message. */
final class Logging {
    private Logging() {}

    static void setup(String level) {
        Level l = switch (level == null ? "info" : level) {
            case "debug" -> Level.FINE;
            case "warn" -> Level.WARNING;
            case "error", "fatal" -> Level.SEVERE;
            default -> Level.INFO;
        };
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) root.removeHandler(h);
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(l);
        h.setFormatter(new Formatter() {
            @Override public String format(LogRecord r) {
                String lvl = r.getLevel() == Level.SEVERE ? "error" : r.getLevel() == Level.WARNING ? "warning"
                        : r.getLevel() == Level.INFO ? "info" : "debug";
                StringBuilder sb = new StringBuilder().append("time=\"").append(Instant.ofEpochMilli(r.getMillis()))
                        .append("\" level=").append(lvl).append(" msg=\"").append(formatMessage(r)).append('"');
                if (r.getThrown() != null) sb.append(" error=\"").append(r.getThrown()).append('"');
                return sb.append('\n').toString();
            }
        });
        root.addHandler(h);
        // Debug is for Berth's own loggers; the JDK's (ProcessBuilder, NIO) stay at info.
        root.setLevel(l.intValue() < Level.INFO.intValue() ? Level.INFO : l);
        Logger.getLogger("dev.berth").setLevel(l);
        Logger.getLogger("berthd").setLevel(l);
    }
}
