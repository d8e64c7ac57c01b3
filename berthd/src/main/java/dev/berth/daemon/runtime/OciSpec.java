package dev.berth.daemon.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Json;
import java.util.List;

/**
 * Builds an OCI runtime-spec config.json with Docker's defaults: the same namespaces,
 * capabilities, masked and read-only /proc paths, /dev setup and device rules as dockerd.
 * Pure data in, JSON out: unit-testable without root.
 */
public final class OciSpec {
    /** Docker's default capability set. */
    public static final List<String> DEFAULT_CAPS = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap");
    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /**
     * Adds a {@code createRuntime} hook to a built spec: runc runs it after the container's
     * namespaces and mounts exist and before its process can run, and fails the start when it
     * exits non-zero.
     */
    public static void addCreateRuntimeHook(ObjectNode spec, String path, List<String> args, int timeoutSeconds) {
        ObjectNode hooks = spec.has("hooks") ? (ObjectNode) spec.get("hooks") : spec.putObject("hooks");
        ArrayNode list = hooks.has("createRuntime") ? (ArrayNode) hooks.get("createRuntime") : hooks.putArray("createRuntime");
        ObjectNode h = list.addObject().put("path", path);
        strings(h.putArray("args"), args);
        h.put("timeout", timeoutSeconds);
    }

    /** What a container run needs from the daemon, already resolved. */
    public record Params(
            List<String> args, List<String> env, String cwd, int uid, int gid, List<Integer> additionalGids,
            boolean terminal, String hostname, String domainname, String rootfs,
            String hostsPath, String hostnamePath, String resolvConfPath,
            String netnsPath, boolean hostNetwork, String cgroupsPath, boolean seccomp) {}

    /**
     * The syscalls Docker's documentation lists as blocked by its default seccomp profile.
     * Docker's profile is an allowlist; this is the same policy written as a denylist (EPERM),
     * which keeps new harmless syscalls working. Names unknown to the kernel are skipped by runc.
     */
    public static final List<String> BLOCKED_SYSCALLS = List.of(
            "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
            "finit_module", "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl", "kcmp",
            "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr",
            "move_mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
            "fsopen", "fsconfig", "fsmount", "fspick", "perf_event_open", "pivot_root", "process_vm_readv",
            "process_vm_writev", "ptrace", "query_module", "quotactl", "quotactl_fd", "reboot", "request_key",
            "set_mempolicy", "setns", "settimeofday", "stime", "swapon", "swapoff", "sysfs", "_sysctl",
            "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old");
    /** clone flags that create namespaces: refused, as Docker refuses them without CAP_SYS_ADMIN. */
    private static final long[] NAMESPACE_FLAGS = {
            0x00020000L, 0x02000000L, 0x04000000L, 0x08000000L, 0x10000000L, 0x20000000L, 0x40000000L};

    private OciSpec() {}

    public static ObjectNode build(Params p) {
        ObjectNode spec = Json.obj();
        spec.put("ociVersion", "1.0.2");
        ObjectNode proc = spec.putObject("process");
        proc.put("terminal", p.terminal());
        ObjectNode user = proc.putObject("user");
        user.put("uid", p.uid());
        user.put("gid", p.gid());
        if (!p.additionalGids().isEmpty()) {
            ArrayNode g = user.putArray("additionalGids");
            p.additionalGids().forEach(g::add);
        }
        strings(proc.putArray("args"), p.args());
        strings(proc.putArray("env"), p.env());
        proc.put("cwd", p.cwd());
        ObjectNode caps = proc.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) strings(caps.putArray(set), DEFAULT_CAPS);
        proc.put("noNewPrivileges", false);
        proc.put("oomScoreAdj", 0);

        spec.putObject("root").put("path", p.rootfs()).put("readonly", false);
        spec.put("hostname", p.hostname());
        if (!p.domainname().isEmpty()) spec.put("domainname", p.domainname());

        ArrayNode mounts = spec.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        bind(mounts, "/etc/resolv.conf", p.resolvConfPath());
        bind(mounts, "/etc/hostname", p.hostnamePath());
        bind(mounts, "/etc/hosts", p.hostsPath());

        ObjectNode linux = spec.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        for (String t : List.of("mount", "pid", "ipc", "uts")) ns.addObject().put("type", t);
        if (!p.hostNetwork()) {
            ObjectNode net = ns.addObject().put("type", "network");
            if (p.netnsPath() != null) net.put("path", p.netnsPath());
        }
        linux.put("cgroupsPath", p.cgroupsPath());
        ObjectNode res = linux.putObject("resources");
        ArrayNode devs = res.putArray("devices");
        devs.addObject().put("allow", false).put("access", "rwm");
        device(devs, "c", null, null, "m");
        device(devs, "b", null, null, "m");
        device(devs, "c", 1, 3, "rwm");    // null
        device(devs, "c", 1, 8, "rwm");    // random
        device(devs, "c", 1, 7, "rwm");    // full
        device(devs, "c", 5, 0, "rwm");    // tty
        device(devs, "c", 1, 5, "rwm");    // zero
        device(devs, "c", 1, 9, "rwm");    // urandom
        device(devs, "c", 136, null, "rwm"); // pts
        device(devs, "c", 5, 2, "rwm");    // ptmx
        device(devs, "c", 10, 200, "rwm"); // tun
        if (p.seccomp()) linux.set("seccomp", seccomp());
        strings(linux.putArray("maskedPaths"), MASKED_PATHS);
        strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        return spec;
    }

    static ObjectNode seccomp() {
        ObjectNode s = Json.obj();
        s.put("defaultAction", "SCMP_ACT_ALLOW");
        s.putArray("architectures").add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32");
        ArrayNode rules = s.putArray("syscalls");
        ObjectNode blocked = rules.addObject();
        strings(blocked.putArray("names"), BLOCKED_SYSCALLS);
        blocked.put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1);
        for (long flag : NAMESPACE_FLAGS) {
            ObjectNode clone = rules.addObject();
            clone.putArray("names").add("clone");
            clone.put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1);
            clone.putArray("args").addObject().put("index", 0).put("value", flag).put("valueTwo", flag).put("op", "SCMP_CMP_MASKED_EQ");
        }
        // Like Docker: clone3 flags live in memory seccomp cannot read, so say "not implemented"
        // and libc falls back to clone, which the rules above can check.
        ObjectNode clone3 = rules.addObject();
        clone3.putArray("names").add("clone3");
        clone3.put("action", "SCMP_ACT_ERRNO").put("errnoRet", 38);
        return s;
    }

    private static void strings(ArrayNode a, List<String> values) { values.forEach(a::add); }

    private static void mount(ArrayNode mounts, String dest, String type, String source, String... options) {
        ObjectNode m = mounts.addObject().put("destination", dest).put("type", type).put("source", source);
        strings(m.putArray("options"), List.of(options));
    }

    private static void bind(ArrayNode mounts, String dest, String source) {
        if (source == null) return;
        ObjectNode m = mounts.addObject().put("destination", dest).put("type", "bind").put("source", source);
        strings(m.putArray("options"), List.of("rbind", "rprivate"));
    }

    private static void device(ArrayNode devs, String type, Integer major, Integer minor, String access) {
        ObjectNode d = devs.addObject().put("allow", true).put("type", type);
        if (major != null) d.put("major", major);
        if (minor != null) d.put("minor", minor);
        d.put("access", access);
    }
}
