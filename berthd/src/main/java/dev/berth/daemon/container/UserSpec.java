package dev.berth.daemon.container;

import dev.berth.daemon.errors.BerthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's {@code User} semantics: "name", "uid", "name:group", "uid:gid"; names resolved from
 * the image's /etc/passwd and /etc/group; supplementary groups from /etc/group membership.
 */
public record UserSpec(int uid, int gid, List<Integer> additionalGids) {
    public static UserSpec resolve(Path rootfs, String user) throws IOException {
        if (user == null || user.isEmpty()) user = "0";
        String userPart = user;
        String groupPart = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            userPart = user.substring(0, colon);
            groupPart = user.substring(colon + 1);
        }
        List<String[]> passwd = read(rootfs, "/etc/passwd");
        List<String[]> group = read(rootfs, "/etc/group");
        int uid;
        int gid = 0;
        String name = null;
        String[] pw = null;
        if (userPart.matches("\\d+")) {
            uid = Integer.parseInt(userPart);
            for (String[] e : passwd) if (e.length > 3 && e[2].equals(userPart)) { pw = e; break; }
        } else {
            for (String[] e : passwd) if (e.length > 3 && e[0].equals(userPart)) { pw = e; break; }
            if (pw == null) throw BerthException.invalid("unable to find user " + userPart + ": no matching entries in passwd file");
            uid = Integer.parseInt(pw[2]);
        }
        if (pw != null) {
            name = pw[0];
            gid = Integer.parseInt(pw[3]);
        }
        if (groupPart != null && !groupPart.isEmpty()) {
            if (groupPart.matches("\\d+")) {
                gid = Integer.parseInt(groupPart);
            } else {
                String[] g = null;
                for (String[] e : group) if (e.length > 2 && e[0].equals(groupPart)) { g = e; break; }
                if (g == null) throw BerthException.invalid("unable to find group " + groupPart + ": no matching entries in group file");
                gid = Integer.parseInt(g[2]);
            }
        }
        List<Integer> extra = new ArrayList<>();
        if (name != null && groupPart == null) {
            for (String[] e : group) {
                if (e.length > 3 && !e[3].isEmpty()) {
                    for (String member : e[3].split(",")) {
                        if (member.equals(name)) {
                            int g = Integer.parseInt(e[2]);
                            if (g != gid && !extra.contains(g)) extra.add(g);
                        }
                    }
                }
            }
        }
        return new UserSpec(uid, gid, extra);
    }

    private static List<String[]> read(Path rootfs, String file) throws IOException {
        Path p = RootPath.resolve(rootfs, file);
        List<String[]> out = new ArrayList<>();
        if (!Files.isRegularFile(p)) return out;
        for (String line : Files.readAllLines(p)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(line.split(":", -1));
        }
        return out;
    }
}
