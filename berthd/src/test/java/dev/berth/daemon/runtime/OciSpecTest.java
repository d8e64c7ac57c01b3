package dev.berth.daemon.runtime;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OciSpecTest {
    private static OciSpec.Params params(boolean hostNet, boolean seccomp) {
        return new OciSpec.Params(List.of("sh", "-c", "true"), List.of("PATH=/bin"), "/work", 33, 33, List.of(4, 5),
                true, "box", "", "/b/rootfs", "/c/hosts", "/c/hostname", "/c/resolv.conf", null, hostNet, "/berth/abc", seccomp);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void dockersDefaults() {
        JsonNode s = OciSpec.build(params(false, true));
        assertEquals(List.of("sh", "-c", "true"), texts(s.at("/process/args")));
        assertEquals(33, s.at("/process/user/uid").asInt());
        assertEquals(List.of("4", "5"), texts(s.at("/process/user/additionalGids")));
        assertTrue(s.at("/process/terminal").asBoolean());
        assertEquals(OciSpec.DEFAULT_CAPS, texts(s.at("/process/capabilities/bounding")));
        assertFalse(texts(s.at("/process/capabilities/effective")).contains("CAP_SYS_ADMIN"));
        List<String> ns = new ArrayList<>();
        s.at("/linux/namespaces").forEach(n -> ns.add(n.get("type").asText()));
        assertEquals(List.of("mount", "pid", "ipc", "uts", "network"), ns);
        List<String> dests = new ArrayList<>();
        s.at("/mounts").forEach(m -> dests.add(m.get("destination").asText()));
        assertTrue(dests.containsAll(List.of("/proc", "/dev", "/dev/pts", "/sys", "/dev/shm", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf")));
        assertTrue(texts(s.at("/linux/maskedPaths")).contains("/proc/kcore"));
        assertTrue(texts(s.at("/linux/readonlyPaths")).contains("/proc/sys"));
        assertEquals("/berth/abc", s.at("/linux/cgroupsPath").asText());
    }

    @Test
    void seccompBlocksDockersListAndNamespaceClones() {
        JsonNode sec = OciSpec.build(params(false, true)).at("/linux/seccomp");
        assertEquals("SCMP_ACT_ALLOW", sec.get("defaultAction").asText());
        List<String> blocked = texts(sec.at("/syscalls/0/names"));
        assertTrue(blocked.containsAll(List.of("unshare", "setns", "mount", "ptrace", "keyctl", "bpf", "kexec_load")));
        int cloneRules = 0;
        for (JsonNode r : sec.get("syscalls")) {
            if (texts(r.get("names")).equals(List.of("clone"))) {
                cloneRules++;
                assertEquals("SCMP_CMP_MASKED_EQ", r.at("/args/0/op").asText());
            }
            if (texts(r.get("names")).equals(List.of("clone3"))) assertEquals(38, r.get("errnoRet").asInt());
        }
        assertEquals(7, cloneRules);
        assertTrue(OciSpec.build(params(false, false)).at("/linux/seccomp").isMissingNode());
    }

    @Test
    void hostNetworkSharesTheHostNamespace() {
        List<String> ns = new ArrayList<>();
        OciSpec.build(params(true, true)).at("/linux/namespaces").forEach(n -> ns.add(n.get("type").asText()));
        assertFalse(ns.contains("network"));
    }
}
