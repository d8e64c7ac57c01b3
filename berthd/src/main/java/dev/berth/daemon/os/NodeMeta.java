package dev.berth.daemon.os;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** Copies a node's metadata (mode bits, owner, mtime) onto another, links not followed. */
public final class NodeMeta {
    private NodeMeta() {}

    public static void copy(Path from, Path to) throws IOException {
        copy(from, to, null, null, null);
    }

    /** Like {@link #copy(Path, Path)}, with the owner and/or mode bits given instead of copied where not null. */
    public static void copy(Path from, Path to, Integer uid, Integer gid, Integer mode) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:mode,uid,gid,lastModifiedTime", NOFOLLOW_LINKS);
        Posix.chmod(to.toString(), mode != null ? mode : (Integer) a.get("mode") & 07777);
        Posix.lchown(to.toString(), uid != null ? uid : (Integer) a.get("uid"), gid != null ? gid : (Integer) a.get("gid"));
        Posix.utimensNoFollow(to.toString(), ((FileTime) a.get("lastModifiedTime")).toMillis() * 1_000_000L);
    }
}
