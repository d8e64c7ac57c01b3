package dev.berth.registry.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One resource scope of Docker's token flow, {@code type:name:actions}: e.g.
 * {@code repository:alice/app:pull,push} or {@code registry:catalog:*}. The same triple is a
 * token's {@code access} claim entry.
 */
public record Scope(String type, String name, Set<String> actions) {

    public Scope {
        if (type.isEmpty() || name.isEmpty()) throw new IllegalArgumentException("scope needs a type and a name");
        actions = Set.copyOf(new LinkedHashSet<>(actions));
    }

    /**
     * Parses {@code type[(class)]:name:action,action}. The name may contain colons (a
     * repository with a registry host and port), so the type ends at the first colon and the
     * actions start after the last one; a resource class in parentheses is dropped.
     */
    public static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last == first) throw new IllegalArgumentException("invalid scope \"" + text + "\": expected type:name:actions");
        String type = text.substring(0, first);
        int paren = type.indexOf('(');
        if (paren > 0 && type.endsWith(")")) type = type.substring(0, paren);
        Set<String> actions = new LinkedHashSet<>();
        for (String a : text.substring(last + 1).split(",")) if (!a.isBlank()) actions.add(a.strip());
        return new Scope(type, text.substring(first + 1, last), actions);
    }

    /** What a registry request needs: null for {@code base} (any valid token will do). */
    public static Scope required(String repository, String action) {
        return switch (action) {
            case "base" -> null;
            case "catalog" -> new Scope("registry", "catalog", Set.of("*"));
            case "pull" -> new Scope("repository", repository, Set.of("pull"));
            // as distribution: writing a repository needs pull too (uploads read back, mounts)
            case "push" -> new Scope("repository", repository, Set.of("pull", "push"));
            case "delete" -> new Scope("repository", repository, Set.of("delete"));
            default -> throw new IllegalArgumentException("unknown action " + action);
        };
    }

    /** The actions in a stable order: pull, push, delete, then the rest sorted. */
    public List<String> orderedActions() {
        List<String> out = new ArrayList<>();
        for (String a : List.of("pull", "push", "delete")) if (actions.contains(a)) out.add(a);
        actions.stream().filter(a -> !out.contains(a)).sorted().forEach(out::add);
        return out;
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + String.join(",", orderedActions());
    }
}
