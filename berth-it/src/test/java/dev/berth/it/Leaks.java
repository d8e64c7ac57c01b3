package dev.berth.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a removed container must not leave behind: mounts, cgroups, processes, runtime state. */
public final class Leaks {
    private Leaks() {}

    public static List<String> mountsUnder(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        String r = root.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4];
            if (mp.startsWith(r)) out.add(mp);
        }
        return out;
    }

    /** cgroup directories named after the container, in any hierarchy. */
    public static List<String> cgroupsOf(String containerId) throws IOException, InterruptedException {
        Cmd.Result r = Cmd.run(Map.of(), null, "find", "/sys/fs/cgroup", "-maxdepth", "4", "-type", "d", "-name", containerId);
        List<String> out = new ArrayList<>();
        for (String l : r.out().split("\n")) if (!l.isBlank()) out.add(l);
        return out;
    }

    /** Processes whose cgroup or command line names the container (its init, children, runc). */
    public static List<Long> processesOf(String containerId) throws IOException {
        List<Long> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.matches("\\d+")) continue;
                try {
                    boolean inCgroup = Files.readString(p.resolve("cgroup")).contains(containerId);
                    boolean named = new String(Files.readAllBytes(p.resolve("cmdline"))).contains(containerId);
                    if ((inCgroup || named) && !isZombie(p)) out.add(Long.parseLong(n));
                } catch (IOException ignored) {
                    // exited meanwhile
                }
            }
        }
        return out;
    }

    private static boolean isZombie(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    }

    /** Everything a container may leak, as one human-readable list (empty when clean). */
    public static List<String> of(BerthDaemon d, String containerId) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String m : mountsUnder(d.dir)) if (m.contains(containerId)) out.add("mount " + m);
        for (String c : cgroupsOf(containerId)) out.add("cgroup " + c);
        for (Long p : processesOf(containerId)) out.add("process " + p);
        if (Files.exists(d.dataRoot.resolve("containers").resolve(containerId))) out.add("container dir");
        if (Files.exists(d.execRoot.resolve("containers").resolve(containerId))) out.add("bundle dir");
        if (Files.exists(d.execRoot.resolve("runc").resolve(containerId))) out.add("runc state");
        if (Files.exists(d.execRoot.resolve("netns").resolve(containerId))) out.add("netns file");
        return out;
    }

    static void unmountAll(Path root) throws IOException, InterruptedException {
        List<String> ms = mountsUnder(root);
        ms.sort((a, b) -> b.length() - a.length());
        for (String m : ms) Cmd.run(Map.of(), null, "umount", "-l", m);
    }
}
