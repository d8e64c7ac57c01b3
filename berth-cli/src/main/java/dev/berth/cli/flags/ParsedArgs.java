package dev.berth.cli.flags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The result of {@link FlagSpec#parse}: flag values by long name, and positional arguments. */
public final class ParsedArgs {
    final Map<String, String> values = new HashMap<>();
    final Map<String, List<String>> lists = new HashMap<>();
    final List<String> positionals = new ArrayList<>();
    boolean help;

    public boolean help() { return help; }

    /** True if the flag was given at all (cobra's {@code Changed}). */
    public boolean has(String name) { return values.containsKey(name) || lists.containsKey(name); }

    public boolean bool(String name) { return Boolean.parseBoolean(values.get(name)); }

    /** The boolean flag's value, or {@code def} when not given. */
    public boolean bool(String name, boolean def) { return values.containsKey(name) ? bool(name) : def; }

    /** The flag's value, or {@code def} when not given. */
    public String str(String name, String def) { return values.getOrDefault(name, def); }

    public String str(String name) { return values.get(name); }

    public long integer(String name, long def) {
        String v = values.get(name);
        return v == null ? def : Long.parseLong(v);
    }

    public List<String> list(String name) { return lists.getOrDefault(name, List.of()); }

    public List<String> positionals() { return positionals; }
}
