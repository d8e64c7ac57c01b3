package dev.berth.cli.flags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's flag table, parsed the way cobra/pflag do: {@code --flag=value}, {@code --flag value},
 * {@code -f value}, {@code -fvalue}, combined short booleans ({@code -it}), {@code --} ends flags.
 * With {@code interspersed=false} (run, create) the first positional argument also ends flags,
 * so the container command keeps its own flags.
 */
public final class FlagSpec {
    public enum Kind { BOOL, STRING, LIST, INT }

    /** One flag; {@code shortName} is 0 when the flag has no one-letter form; {@code validator} may be null. */
    public record Flag(char shortName, String name, Kind kind, String valueName, String defaultValue, String help,
                       Validator validator) {}

    /**
     * Checks (and may normalise) each value as it is parsed, like a pflag {@code Value.Set}: a
     * rejected value is a usage error {@code invalid argument "V" for "--name" flag: <message>}.
     */
    @FunctionalInterface
    public interface Validator {
        /** The value to keep; throws {@link IllegalArgumentException} with docker's message to reject it. */
        String apply(String value);
    }

    private final List<Flag> flags = new ArrayList<>();
    private final Map<String, Flag> byLong = new HashMap<>();
    private final Map<Character, Flag> byShort = new HashMap<>();
    private boolean interspersed = true;

    public FlagSpec bool(char s, String name, String help) { return add(new Flag(s, name, Kind.BOOL, "", "false", help, null)); }

    /** A boolean that is true unless given as {@code --name=false} (help shows "(default true)"; read it with {@link ParsedArgs#bool(String, boolean)}). */
    public FlagSpec boolDefaultTrue(char s, String name, String help) { return add(new Flag(s, name, Kind.BOOL, "", "true", help, null)); }

    public FlagSpec string(char s, String name, String valueName, String def, String help) {
        return add(new Flag(s, name, Kind.STRING, valueName, def, help, null));
    }

    /** A single-valued flag whose value passes {@code validator} (which may normalise it, e.g. "64m" to bytes). */
    public FlagSpec string(char s, String name, String valueName, String def, String help, Validator validator) {
        return add(new Flag(s, name, Kind.STRING, valueName, def, help, validator));
    }

    public FlagSpec list(char s, String name, String valueName, String help) {
        return add(new Flag(s, name, Kind.LIST, valueName, null, help, null));
    }

    /** A repeatable flag whose every value passes {@code validator} when parsed. */
    public FlagSpec list(char s, String name, String valueName, String help, Validator validator) {
        return add(new Flag(s, name, Kind.LIST, valueName, null, help, validator));
    }

    public FlagSpec integer(char s, String name, String def, String help) {
        return add(new Flag(s, name, Kind.INT, "int", def, help, null));
    }

    /** Another long name for an existing flag (e.g. {@code --net} for {@code --network}). */
    public FlagSpec alias(String alias, String name) {
        byLong.put(alias, byLong.get(name));
        return this;
    }

    public FlagSpec stopAtFirstPositional() {
        interspersed = false;
        return this;
    }

    private FlagSpec add(Flag f) {
        flags.add(f);
        byLong.put(f.name(), f);
        if (f.shortName() != 0) byShort.put(f.shortName(), f);
        return this;
    }

    public List<Flag> flags() { return flags; }

    /** Parses {@code args}; a {@code --help} (or {@code -h} when not taken) sets {@link ParsedArgs#help()}. */
    public ParsedArgs parse(List<String> args) throws FlagException {
        ParsedArgs out = new ParsedArgs();
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i++);
            if (a.equals("--")) {
                while (i < args.size()) out.positionals.add(args.get(i++));
                break;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Flag f = byLong.get(name);
                if (f == null) {
                    if (name.equals("help")) { out.help = true; continue; }
                    throw new FlagException("unknown flag: --" + name);
                }
                if (f.kind() == Kind.BOOL) {
                    set(out, f, value == null ? "true" : value, "--" + name);
                } else {
                    if (value == null) {
                        if (i >= args.size()) throw new FlagException("flag needs an argument: --" + name);
                        value = args.get(i++);
                    }
                    set(out, f, value, "--" + name);
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    Flag f = byShort.get(c);
                    if (f == null) {
                        if (c == 'h') { out.help = true; continue; }
                        throw new FlagException("unknown shorthand flag: '" + c + "' in " + a);
                    }
                    String rest = a.substring(k + 1);
                    if (f.kind() == Kind.BOOL) {
                        if (rest.startsWith("=")) {
                            set(out, f, rest.substring(1), "-" + c);
                            break;
                        }
                        set(out, f, "true", "-" + c);
                        continue;
                    }
                    String value;
                    if (!rest.isEmpty()) value = rest.startsWith("=") ? rest.substring(1) : rest;
                    else if (i < args.size()) value = args.get(i++);
                    else throw new FlagException("flag needs an argument: '" + c + "' in -" + c);
                    set(out, f, value, "-" + c);
                    break;
                }
            } else {
                out.positionals.add(a);
                if (!interspersed) {
                    while (i < args.size()) out.positionals.add(args.get(i++));
                    break;
                }
            }
        }
        return out;
    }

    private static void set(ParsedArgs out, Flag f, String value, String given) throws FlagException {
        if (f.validator() != null) {
            try {
                value = f.validator().apply(value);
            } catch (IllegalArgumentException e) {
                throw new FlagException("invalid argument \"" + value + "\" for \"" + display(f) + "\" flag: " + e.getMessage());
            }
        }
        switch (f.kind()) {
            case BOOL -> {
                String v = value.toLowerCase();
                boolean b;
                if (v.equals("true") || v.equals("1") || v.equals("t")) b = true;
                else if (v.equals("false") || v.equals("0") || v.equals("f")) b = false;
                else throw new FlagException("invalid argument \"" + value + "\" for \"" + display(f)
                            + "\" flag: strconv.ParseBool: parsing \"" + value + "\": invalid syntax");
                out.values.put(f.name(), Boolean.toString(b));
            }
            case INT -> {
                try {
                    Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    throw new FlagException("invalid argument \"" + value + "\" for \"" + display(f)
                            + "\" flag: strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
                }
                out.values.put(f.name(), value.trim());
            }
            case STRING -> out.values.put(f.name(), value);
            case LIST -> out.lists.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(value);
        }
    }

    private static String display(Flag f) {
        return f.shortName() != 0 ? "-" + f.shortName() + ", --" + f.name() : "--" + f.name();
    }

    /** The "Options:" block of a command's help, aligned like cobra's. */
    public String usage() {
        List<String[]> rows = new ArrayList<>();
        int width = 0;
        for (Flag f : flags) {
            StringBuilder left = new StringBuilder();
            left.append(f.shortName() != 0 ? "  -" + f.shortName() + ", " : "      ");
            left.append("--").append(f.name());
            if (f.kind() != Kind.BOOL) left.append(' ').append(f.kind() == Kind.LIST ? f.valueName() : f.valueName());
            String help = f.help();
            if (f.kind() == Kind.BOOL && "true".equals(f.defaultValue())) help += " (default true)";
            if (f.kind() != Kind.BOOL && f.defaultValue() != null && !f.defaultValue().isEmpty()) {
                help += " (default " + (f.kind() == Kind.STRING ? "\"" + f.defaultValue() + "\"" : f.defaultValue()) + ")";
            }
            rows.add(new String[] {left.toString(), help});
            width = Math.max(width, left.length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(r[0]).append(" ".repeat(width - r[0].length() + 3)).append(r[1]).append('\n');
        }
        return sb.toString();
    }
}
