package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.time.Instant;
import java.util.Base64;

/**
 * What {@code HEAD /containers/{id}/archive} reports about a path (Docker's ContainerPathStat):
 * the base name, size, Go {@code os.FileMode} bits, mtime and, for a symlink, its target fully
 * resolved inside the container as an absolute path.
 */
public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
    // Go's os.FileMode type bits (io/fs): what the docker CLI decodes.
    public static final long MODE_DIR = 1L << 31;
    public static final long MODE_SYMLINK = 1L << 27;
    public static final long MODE_DEVICE = 1L << 26;
    public static final long MODE_NAMED_PIPE = 1L << 25;
    public static final long MODE_SOCKET = 1L << 24;
    public static final long MODE_SETUID = 1L << 23;
    public static final long MODE_SETGID = 1L << 22;
    public static final long MODE_CHAR_DEVICE = 1L << 21;
    public static final long MODE_STICKY = 1L << 20;

    /** The header dockerd sets on HEAD and GET archive answers. */
    public static final String HEADER = "X-Docker-Container-Path-Stat";

    /** Go's os.FileMode of a Unix st_mode, as os.Lstat computes it. */
    public static long goMode(int unixMode) {
        long m = unixMode & 0777;
        switch (unixMode & 0170000) {
            case 0060000 -> m |= MODE_DEVICE;
            case 0020000 -> m |= MODE_DEVICE | MODE_CHAR_DEVICE;
            case 0040000 -> m |= MODE_DIR;
            case 0010000 -> m |= MODE_NAMED_PIPE;
            case 0120000 -> m |= MODE_SYMLINK;
            case 0140000 -> m |= MODE_SOCKET;
            default -> { }
        }
        if ((unixMode & 02000) != 0) m |= MODE_SETGID;
        if ((unixMode & 04000) != 0) m |= MODE_SETUID;
        if ((unixMode & 01000) != 0) m |= MODE_STICKY;
        return m;
    }

    public boolean isDir() { return (mode & MODE_DIR) != 0; }

    public ObjectNode json() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("size", size);
        o.put("mode", mode);
        o.put("mtime", Times.rfc3339Nano(mtime));
        o.put("linkTarget", linkTarget);
        return o;
    }

    /** The header value: standard base64 of the JSON, as dockerd writes it. */
    public String header() {
        return Base64.getEncoder().encodeToString(Json.bytes(json()));
    }
}
