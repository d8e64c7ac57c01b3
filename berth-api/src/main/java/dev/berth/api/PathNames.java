package dev.berth.api;

import java.util.ArrayList;
import java.util.List;

/** Slash-separated names from untrusted input (tar entries, COPY sources, cp paths), resolved lexically. */
public final class PathNames {
    private PathNames() {}

    /**
     * The components of {@code name} once "", "." and ".." are resolved lexically
     * ("/./a//b/../c/" → [a, c]; "/" → []), or null when ".." climbs above the root.
     */
    public static List<String> components(String name) {
        List<String> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (out.isEmpty()) return null;
                out.removeLast();
            } else {
                out.add(part);
            }
        }
        return out;
    }
}
