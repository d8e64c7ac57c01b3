package dev.berth.daemon.os;

import java.util.Locale;
import java.util.Map;

/**
 * Signal names and numbers as the Docker API spells them (Linux x86_64 numbering).
 *
 * <p>Accepted forms, case-insensitive, "SIG" prefix optional: a name ({@code SIGTERM},
 * {@code term}), a number from 1 to 64 ({@code 15}), or a real-time signal relative to
 * {@code RTMIN}/{@code RTMAX} ({@code SIGRTMIN+3}, {@code RTMAX-2}).
 */
public final class Signals {
    private Signals() {}

    /** Highest Linux signal number (_NSIG - 1). */
    public static final int MAX = 64;
    /** SIGRTMIN as seen by programs: glibc keeps kernel signals 32 and 33 for itself. */
    public static final int RTMIN = 34, RTMAX = MAX;

    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    /** Alternative names for the same numbers. */
    private static final Map<String, Integer> ALIASES = Map.of("IOT", 6, "CLD", 17, "POLL", 29, "UNUSED", 31);

    /**
     * The signal number for {@code s}.
     *
     * @throws IllegalArgumentException {@code Invalid signal: s} for anything else
     */
    public static int parse(String s) {
        if (s == null || s.isEmpty()) throw invalid(s);
        if (isDigits(s)) {
            int n = s.length() > 9 ? -1 : Integer.parseInt(s);
            if (n < 1 || n > MAX) throw invalid(s);
            return n;
        }
        String name = s.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(name)) return i;
        Integer alias = ALIASES.get(name);
        if (alias != null) return alias;
        int rt = parseRealtime(name);
        if (rt < 0) throw invalid(s);
        return rt;
    }

    /**
     * The canonical name of signal {@code n}: {@code SIGTERM}, {@code SIGRTMIN+3}, {@code SIGRTMAX-2};
     * {@code SIG32}/{@code SIG33} for the two numbers glibc reserves.
     *
     * @throws IllegalArgumentException if n is not between 1 and 64
     */
    public static String name(int n) {
        if (n < 1 || n > MAX) throw new IllegalArgumentException("Invalid signal: " + n);
        if (n < NAMES.length) return "SIG" + NAMES[n];
        if (n < RTMIN) return "SIG" + n;
        if (n == RTMIN) return "SIGRTMIN";
        if (n == RTMAX) return "SIGRTMAX";
        // Same split as strsignal/kill -l: the lower half counts up from RTMIN, the rest down from RTMAX.
        int mid = (RTMIN + RTMAX) / 2;
        return n <= mid ? "SIGRTMIN+" + (n - RTMIN) : "SIGRTMAX-" + (RTMAX - n);
    }

    /** RTMIN, RTMIN+n, RTMAX, RTMAX-n (already upper-cased, without SIG); -1 if not one of those. */
    private static int parseRealtime(String name) {
        int base, sign;
        String rest;
        if (name.startsWith("RTMIN")) {
            base = RTMIN;
            sign = 1;
            rest = name.substring(5);
        } else if (name.startsWith("RTMAX")) {
            base = RTMAX;
            sign = -1;
            rest = name.substring(5);
        } else {
            return -1;
        }
        if (rest.isEmpty()) return base;
        char op = rest.charAt(0);
        String digits = rest.substring(1);
        if (op != (sign > 0 ? '+' : '-') || !isDigits(digits) || digits.length() > 2) return -1;
        int n = base + sign * Integer.parseInt(digits);
        return n >= RTMIN && n <= RTMAX ? n : -1;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("Invalid signal: " + s);
    }
}
