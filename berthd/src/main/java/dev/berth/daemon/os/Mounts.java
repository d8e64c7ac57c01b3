package dev.berth.daemon.os;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Reads the mount table and measures directory trees. */
public final class Mounts {
    private Mounts() {}

    /** Mount points (decoded) from /proc/self/mountinfo. */
    public static List<String> mountPoints() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) out.add(unescape(f[4]));
            }
        } catch (IOException ignored) {
            // no /proc: nothing is mounted as far as we can tell
        }
        return out;
    }

    public static boolean isMounted(Path p) {
        return mountPoints().contains(p.toAbsolutePath().normalize().toString());
    }

    /** Mount points at or below {@code root}, deepest first (the order to unmount them). */
    public static List<String> under(Path root) {
        String r = root.toAbsolutePath().normalize().toString();
        List<String> out = new ArrayList<>();
        for (String m : mountPoints()) if (m.equals(r) || m.startsWith(r + "/")) out.add(m);
        out.sort((a, b) -> b.length() - a.length());
        return out;
    }

    /** A path field of /proc/self/mountinfo with its octal escapes ({@code \040}) decoded. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Bytes used by regular files below {@code root} (not following symlinks). */
    public static long du(Path root) {
        long[] total = {0};
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return 0;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
                @Override public FileVisitResult visitFileFailed(Path file, IOException exc) { return FileVisitResult.CONTINUE; }
            });
        } catch (IOException ignored) {
            // partial sum
        }
        return total[0];
    }
}
