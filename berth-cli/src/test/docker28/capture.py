#!/usr/bin/env python3
"""Captures the real docker CLI's requests and output for the cases Berth's CLI must match.

    python3 capture.py [docker-binary [suite...]]     (default /usr/local/bin/docker, every suite)

For each suite it starts fake_daemon.FakeDaemon on a temp unix socket with the suite's canned
responses, runs docker once per case (HOME and DOCKER_CONFIG point at an empty directory, so no
user config applies), and writes ../resources/docker28/<suite>.json:

    {"docker": version, "responses": [[method, regex, status, body]...],
     "cases": [{"args", "stdin", "code", "out", "err", "requests": [{"method", "target", "body"}]}]}

The requests exclude docker's /_ping. The Java tests (Docker28FixturesTest) replay every case
through berth against the same canned responses and compare. Re-run after changing a case list;
cases must not depend on Go map iteration order (docker prints such maps in random order).
Tar request bodies (build contexts) are stored as listings (fake_daemon.tar_listing), and docker's
random `.dockerfile.<hex>` names as `.dockerfile.RANDOM`.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

from fake_daemon import FakeDaemon

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "docker28")

LONG_ID = "9f2d4a4cd1c1d1b9b1c0e4cfb4b43a6b10b7cf2de1d1a86e2b9a8c1e3e4f5a6b"

BRIDGE = {
    "Name": "bridge", "Id": LONG_ID, "Created": "2025-01-02T03:04:05.123456789Z", "Scope": "local",
    "Driver": "bridge", "EnableIPv4": True, "EnableIPv6": False,
    "IPAM": {"Driver": "default", "Options": None, "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]},
    "Internal": False, "Attachable": False, "Ingress": False, "ConfigFrom": {"Network": ""}, "ConfigOnly": False,
    "Containers": {"c0ffee": {"Name": "web", "EndpointID": "e1", "MacAddress": "02:42:ac:11:00:02",
                              "IPv4Address": "172.17.0.2/16", "IPv6Address": ""}},
    "Options": {"com.docker.network.bridge.default_bridge": "true"}, "Labels": {},
}


def net(name, nid, driver="bridge", **extra):
    n = {"Name": name, "Id": nid * 64 if len(nid) == 1 else nid, "Created": "2025-01-02T03:04:05Z", "Scope": "local",
         "Driver": driver, "EnableIPv4": driver == "bridge", "EnableIPv6": False, "Internal": False, "Labels": {}}
    n.update(extra)
    return n


NETWORK_RESPONSES = [
    ["GET", r"/networks/bridge$", 200, BRIDGE],
    ["GET", r"/networks/n2$", 200, net("n2", "7", Labels={"team": "a"})],
    ["GET", r"/networks/missing$", 404, {"message": "network missing not found"}],
    ["GET", r"/networks(\?.*)?$", 200, [
        net("zeta", "1", Internal=True, Created="2025-01-02T03:04:05.5Z", Labels={"team": "a"}),
        dict(BRIDGE, Containers={}),
        net("host", "2", driver="host"),
        net("net10", "3", Labels=None),
        net("net9", "4", Labels=None, EnableIPv6=True),
        net("none", "5", driver="null"),
    ]],
    ["POST", r"/networks/create$", 201, {"Id": "6" * 64, "Warning": ""}],
    ["DELETE", r"/networks/missing$", 404, {"message": "network missing not found"}],
    ["DELETE", r"/networks/inuse$", 403, {"message": "error while removing network: network inuse has active endpoints"}],
    ["DELETE", r"/networks/", 204, ""],
    ["POST", r"/networks/prune\?filters=.*label", 200, {"NetworksDeleted": None}],
    ["POST", r"/networks/prune", 200, {"NetworksDeleted": ["n1", "n2"]}],
    ["POST", r"/networks/missing/(dis)?connect$", 404, {"message": "network missing not found"}],
    ["POST", r"/networks/.*/(dis)?connect$", 200, ""],
]


def network_cases():
    c = []
    for a in (["ls"], ["ls", "--no-trunc"], ["ls", "-q"], ["ls", "-q", "--no-trunc"], ["list", "--format", "table"],
              ["ls", "--format", "json"], ["ls", "--format", "table{{.Name}}"],
              ["ls", "--format", '{{.Name}}:{{.IPv4}}:{{.IPv6}}:{{.Internal}}:{{.Labels}}:{{.CreatedAt}}:{{.Label "team"}}'],
              ["ls", "--format", "table {{.ID}}\t{{.IPv6}}\t{{.Internal}}\t{{.Labels}}\t{{.CreatedAt}}\t{{.IPv4}}"],
              ["ls", "-f", "name=n", "-f", "driver=bridge"], ["ls", "--filter", "label=team=a"],
              ["inspect", "bridge"], ["inspect", "bridge", "n2"], ["inspect", "missing"],
              ["inspect", "-f", "{{.Name}}", "bridge", "missing"], ["inspect", "--format", "json", "bridge", "n2"],
              ["inspect", "-f", "{{json .IPAM}} {{range $id, $c := .Containers}}{{$c.Name}}={{$c.IPv4Address}}{{end}}", "bridge"],
              ["rm", "a", "b", "missing", "inuse"], ["rm", "-f", "missing", "a"], ["remove", "a"],
              ["prune", "-f"], ["prune", "--force", "--filter", "until=1h"], ["prune", "-f", "--filter", "label=x"],
              ["connect", "n1", "c1"],
              ["connect", "--alias", "a", "--alias", "b,c", "--ip", "10.0.0.9", "--driver-opt", "k=v", "--gw-priority", "5", "n1", "c1"],
              ["connect", "missing", "c1"],
              ["disconnect", "n1", "c1"], ["disconnect", "-f", "n1", "c1"], ["disconnect", "missing", "c1"],
              ["create", "n1"], ["create", "-d", "bridge", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--gateway", "10.5.0.1", "--ip-range", "10.5.1.0/24", "n1"],
              ["create", "--internal", "--attachable", "--label", "b=2", "--label", "a", "-o", "com.docker.network.bridge.name=br0",
               "-o", "x=y", "--opt", "z", "--ipv6", "n1"],
              ["create", "--ipv6=false", "--ipv4=false", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--aux-address", "a=10.5.0.7", "--ipam-opt", "x=1", "--ipam-driver", "foo", "n1"],
              ["create", "--scope", "local", "--ingress", "--config-only", "--config-from", "other", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--gateway", "10.5.0.1/24", "n1"],
              ["create", "--subnet", "2001:db8::/64", "--gateway", "2001:db8::1", "n1"],
              ["create", "--subnet", "bad", "n1"],
              ["create", "--gateway", "10.5.0.1", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--gateway", "10.7.0.1", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--gateway", "010.5.0.1", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--gateway", "10.5.0.1,10.5.0.2", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--ip-range", "bad", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--ip-range", "10.6.0.0/24", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--subnet", "10.5.1.0/24", "n1"],
              ["create", "--subnet", "bad", "--gateway", "1.2.3.4", "n1"],
              ["create", "--subnet", "10.5.0.0/16", "--aux-address", "a=10.6.0.7", "n1"],
              ["create", "--label", "=x", "n1"]):
        c.append({"args": ["network"] + a, "stdin": ""})
    for stdin in ("y\n", "n\n", ""):
        c.append({"args": ["network", "prune"], "stdin": stdin})
    return c


CREATE_RESPONSES = [
    ["POST", r"/containers/x/wait", 200, {"StatusCode": 0}],
    ["POST", r"/containers/x/start$", 204, ""],
]


def create_cases():
    bodies = [
        [], ["-p", "8080:80"], ["-p", "127.0.0.1:8080:80/udp"], ["-p", "80"], ["-p", "127.0.0.1::80"],
        ["-p", "8000-8001:80-81"], ["-p", "8000-8010:80"], ["-p", "[::1]:8080:80"], ["-p", "::1:8080:80"],
        ["-p", "[::1]::80"], ["-p", "80/sctp"], ["-p", "80/TCP"], ["-p", ":80"], ["-p", "0:80"], ["-p", "80-81/udp"],
        ["-p", "8080:0"], ["-p", "8080:80", "-p", "8081:80", "--publish", "9090:90/udp"],
        ["-p", "published=8080,target=80"], ["-p", "target=80,protocol=udp"],
        ["--publish=127.0.0.1:8000-8001:80-81/udp"],
        ["-P", "--expose", "80", "--expose", "7000-7001/udp"], ["-P"], ["--publish-all", "-p", "80"],
        ["--expose", "80/xyz"], ["--expose", "0"], ["--expose", "90", "-p", "8080:90"],
        ["--ip", "10.1.2.3"], ["--ip", "10.1.2.3", "--network", "n1"], ["--ip", "bad"],
        ["--mac-address", "02:42:ac:11:00:02"], ["--mac-address", "02-42-AC-11-00-02"],
        ["--network", "n1"], ["--net", "n1"], ["--network", "host"], ["--network", "none"],
        ["--network", "container:x"], ["--network", "bridge"],
        ["--network-alias", "a", "--network-alias", "b", "--network", "n1"], ["--net-alias", "x", "--net", "n1"],
        ["--network", "n1", "--network", "n2"], ["--network", "name=n1,alias=x,ip=10.0.0.5", "--network", "n2"],
        ["--network", "name=N1,Alias=X,mac-address=02:42:ac:11:00:02,driver-opt=a=b,gw-priority=3"],
        ["--network", "n1", "--mac-address", "02:42:ac:11:00:02", "--ip", "10.0.0.2", "--network-alias", "x"],
        ["--ip", "1.2.3.4", "--network", "host"],
        ["--dns", "8.8.8.8", "--dns", "::0001", "--dns", "1.1.1.1 ", "--dns-search", "example.com",
         "--dns-search", ".", "--dns-search", "Example.COM.", "--dns-option", "ndots:2", "--dns-opt", "x"],
        ["--add-host", "a:1.2.3.4", "--add-host", "b=host-gateway", "--add-host", "c:host-gateway",
         "--add-host", "d:::1", "--add-host", "e=[::1]", "--add-host", "[f]:1.2.3.4"],
        ["-h", "myhost"], ["--hostname", "a.b.c"],
        ["-l", "b=2", "-l", "a=1", "-l", "c"],
        ["-i", "-t", "-e", "A=1", "--entrypoint", "", "-w", "/w", "-u", "1:2", "--rm", "--init", "-a", "stdout",
         "--name", "n1"],
    ]
    errors = [
        ["-p", "8080:80000"], ["-p", "abc:80"], ["-p", "8000-8001:80-82"], ["-p", "80/xyz"], ["-p", "1.2.3:80:80"],
        ["-p", "="], ["-p", "8080:"], ["-p", ""], ["-p", "127.0.0.1:8080:80:90"], ["-p", "65536:80"],
        ["-p", "8001-8000:80"], ["-p", "8000:80-81"], ["-p", "127.0.0.1:80"], ["-p", "1.2.3.4.5:80:80"],
        ["-p", "localhost:80:80"], ["-p", "a=b,c"],
        ["--expose", "abc"], ["--expose", "80-70"], ["--expose", "80:90"], ["--expose", "100000"],
        ["--mac-address", "bad"], ["--add-host", "bad"], ["--add-host", "a:bad"], ["--add-host", "a"],
        ["--add-host", "=1.2.3.4"], ["--dns", "bad"], ["--dns-search", "bad..x"],
        ["--network", "n1", "--network", "n1"], ["--network", "host", "--network", "n1"],
        ["--network-alias", "a"], ["--network-alias", "a", "--network", "host"],
        ["--network", "bridge", "--network-alias", "a"],
        ["--network", "name=n1,alias=a", "--network-alias", "b"],
        ["--network", "name=n1,ip=1.2.3.4", "--ip", "1.2.3.5"],
        ["--network", "name=n1,foo=bar"], ["--network", "alias=x"], ["--network", "name=n1,gw-priority=x"],
        ["--network", "n1", "--mac-address", "zz"],
        ["-l", "=x"], ["-l", "a b=c"],
    ]
    c = [{"args": ["create"] + a + ["busybox"], "stdin": ""} for a in bodies + errors]
    c.append({"args": ["run", "-d", "-p", "8080:80", "--network", "n1", "--ip", "10.0.0.2", "busybox", "top"], "stdin": ""})
    c.append({"args": ["run", "-p", "abc:80", "busybox"], "stdin": ""})
    c.append({"args": ["container", "create", "-p", "80-81:80", "busybox"], "stdin": ""})
    return c


CONTAINER_JSON = {"Id": "cid", "Name": "/c", "NetworkSettings": {"Ports": {
    "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
    "9/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9000"}],
    "100/tcp": [{"HostIp": "127.0.0.1", "HostPort": "10000"}],
    "53/udp": [{"HostIp": "", "HostPort": "5353"}],
    "443/tcp": None, "82/sctp": []}}}


def summary(name, ports):
    return {"Id": name * 4, "Names": ["/" + name], "Image": "busybox", "ImageID": "sha256:bb", "Command": "sh",
            "Created": 1700000000, "State": "running", "Status": "Up 1 minute", "Labels": {}, "Mounts": [],
            "NetworkSettings": {"Networks": {}}, "Ports": ports}


def p(priv, typ="tcp", ip=None, pub=None):
    d = {"PrivatePort": priv, "Type": typ}
    if ip is not None:
        d["IP"] = ip
        d["PublicPort"] = pub if pub is not None else priv
    return d


PORT_RESPONSES = [
    ["GET", r"/containers/json", 200, [
        summary("web", [p(81, ip="0.0.0.0", pub=8001), p(80, ip="0.0.0.0", pub=8000), p(80, ip="::", pub=8000),
                        p(81, ip="::", pub=8001)]),
        summary("same", [p(8000, ip="0.0.0.0"), p(8001, ip="0.0.0.0"), p(8002, ip="0.0.0.0"), p(8004, ip="0.0.0.0"),
                         p(90), p(91), p(93), p(53, "udp"), p(7000, "udp", "127.0.0.1"), p(8000, ip="::"),
                         p(5000, ip="::1", pub=6000)]),
        summary("none", []),
        summary("mixed", [p(80), p(81, "udp"), p(82), p(81), p(80, "udp", "0.0.0.0"), p(81, "udp", "0.0.0.0"),
                          p(83, "udp", "0.0.0.0"), p(84, "udp", "0.0.0.0"), p(82, ip="0.0.0.0", pub=9000)]),
        summary("plain", [p(8080, ip="0.0.0.0", pub=80), p(443), p(8080, ip="::", pub=80)]),
    ]],
    ["GET", r"/containers/c/json$", 200, CONTAINER_JSON],
    ["GET", r"/containers/empty/json$", 200, {"Id": "eid", "Name": "/empty", "NetworkSettings": {"Ports": {}}}],
    ["GET", r"/containers/nullports/json$", 200, {"Id": "nid", "Name": "/nullports", "NetworkSettings": {"Ports": None}}],
    ["GET", r"/containers/missing/json$", 404, {"message": "No such container: missing"}],
]


def port_cases():
    c = [{"args": ["ps", "--format", "{{.Names}}|{{.Ports}}"], "stdin": ""},
         {"args": ["ps", "--format", "table {{.Names}}\t{{.Ports}}"], "stdin": ""}]
    for a in (["c"], ["c", "80"], ["c", "80/tcp"], ["c", "443"], ["c", "443/tcp"], ["c", "81"], ["c", "81/tcp"],
              ["c", "53/udp"], ["c", "53"], ["c", "82/sctp"], ["c", "abc"], ["c", "70000"], ["c", "80/xyz"],
              ["c", "/tcp"], ["c", "80/"], ["c", "9"], ["empty"], ["nullports"], ["missing"], ["missing", "80"]):
        c.append({"args": ["port"] + a, "stdin": ""})
    c.append({"args": ["container", "port", "c", "100"], "stdin": ""})
    return c


FILES_RESPONSES = [
    ["GET", r"/containers/c/changes$", 200, [{"Path": "/etc", "Kind": 0}, {"Path": "/etc/new", "Kind": 1},
                                             {"Path": "/tmp/gone", "Kind": 2}]],
    ["GET", r"/containers/empty/changes$", 200, None],
    ["GET", r"/containers/missing/changes$", 404, {"message": "No such container: missing"}],
    ["POST", r"/commit\?.*container=missing", 404, {"message": "No such container: missing"}],
    ["POST", r"/commit\?", 201, {"Id": "sha256:" + "a" * 64}],
    ["GET", r"/containers/missing/export$", 404, {"message": "No such container: missing"}],
]


def files_cases():
    c = []
    for a in (["diff", "c"], ["diff", "empty"], ["diff", "missing"], ["container", "diff", "c"], ["diff"], ["diff", "a", "b"],
              ["commit", "c"], ["commit", "c", "app:v1"], ["commit", "c", "localhost:5000/team/app"],
              ["commit", "-a", "Ann <ann@example.com>", "-m", "a message", "-c", 'CMD ["cat", "/x"]', "-c", "ENV A=b", "c", "repo"],
              ["commit", "--pause=false", "c"], ["commit", "-p=false", "c", "app"], ["commit", "missing"],
              ["commit", "c", "app@sha256:" + "b" * 64], ["commit"], ["commit", "c", "a", "b"], ["container", "commit", "c"],
              ["export", "missing"], ["export", "-o", "/nonexistent/dir/out.tar", "c"], ["export"],
              ["cp", "a"], ["cp", "a", "b"], ["cp", "c1:/a", "c2:/b"], ["cp", "", "c:/x"], ["cp", "c:/x", ""], ["container", "cp", "a", "b"]):
        c.append({"args": a, "stdin": ""})
    return c


IMAGE_ID = "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"
BUILD_OK = "".join(json.dumps(m) + "\r\n" for m in [
    {"stream": "Step 1/2 : FROM busybox\n"}, {"stream": " ---> 3f57d9401f8d\n"},
    {"stream": "Step 2/2 : LABEL a=b\n"}, {"stream": " ---> Running in 0123456789ab\n"},
    {"stream": " ---> 3f57d9401f8d\n"}, {"aux": {"ID": IMAGE_ID}},
    {"stream": "Successfully built 3f57d9401f8d\n"}, {"stream": "Successfully tagged x:latest\n"}])
BUILD_FAIL = "".join(json.dumps(m) + "\r\n" for m in [
    {"stream": "Step 1/2 : FROM busybox\n"}, {"stream": " ---> 3f57d9401f8d\n"},
    {"stream": "Step 2/2 : RUN exit 3\n"}, {"stream": " ---> Running in 0123456789ab\n"},
    {"errorDetail": {"code": 3, "message": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"},
     "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"}])
BUILD_QUIET = "".join(json.dumps(m) + "\r\n" for m in [{"stream": IMAGE_ID + "\n"}, {"aux": {"ID": IMAGE_ID}}])

BUILD_RESPONSES = [
    ["POST", r"/build\?.*t=fail", 200, BUILD_FAIL],
    ["POST", r"/build\?.*t=gone", 404, {"message": "pull access denied for gone, repository does not exist"}],
    ["POST", r"/build\?.*q=1", 200, BUILD_QUIET],
    ["POST", r"/build/prune\?all=1", 200, {"CachesDeleted": ["abc", "def"], "SpaceReclaimed": 123456789}],
    ["POST", r"/build/prune", 200, {"CachesDeleted": None, "SpaceReclaimed": 0}],
    ["POST", r"/build\?", 200, BUILD_OK],
]


def stdin_tar():
    """A context tar on stdin (ASCII only, so that it fits in the JSON fixture)."""
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in (("Dockerfile", b"FROM busybox\n"), ("sub/Dockerfile", b"FROM busybox\nLABEL a=b\n"), ("a.txt", b"hi\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue().decode("ascii")


def build_cases():
    dockerfile = "FROM busybox\nLABEL a=b\n"
    c = [{"args": a, "stdin": dockerfile} for a in (
        ["build"], ["build", "a", "b"], ["build", "-t", "Foo", "-"], ["build", "-t", "a:b:c", "-"],
        ["build", "-t", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "-"],
        ["build", "--build-arg", "=x", "-"], ["build", "--label", "=x", "-"], ["build", "-m", "xyz", "-"],
        ["build", "--shm-size", "1q", "-"], ["build", "--ulimit", "bad", "-"], ["build", "--ulimit", "nofile=2:1", "-"],
        ["build", "--secret", "id=x", "-"], ["build", "--output", "type=local", "-"],
        ["build", "-f", "-", "-"], ["build", "no-such-context-dir"], ["build", "-f", "Dockerfile.dev", "-"],
        ["build", "-t", "x", "-"], ["build", "-t", "fail", "-"], ["build", "-t", "gone", "-"], ["build", "-q", "-"],
        ["build", "-q", "-t", "fail", "-"], ["build", "-q", "-t", "gone", "-"], ["image", "build", "--iidfile", "", "-"],
        ["image", "build", "--no-cache", "--pull", "--rm=false", "--force-rm", "--target", "t", "--network", "host",
         "--platform", "Linux/AMD64", "--add-host", "h:1.2.3.4", "--shm-size", "64m", "-m", "1g", "--memory-swap", "-1",
         "--label", "b=2", "--label", "a", "--build-arg", "A=1", "--build-arg", "NOT_IN_THE_ENVIRONMENT",
         "--ulimit", "nofile=1024:2048", "--cpu-shares", "5", "--cpu-period", "100", "--cpu-quota", "50",
         "--cpuset-cpus", "0", "--cpuset-mems", "0", "--cgroup-parent", "p", "--security-opt", "a,b",
         "--cache-from", "c1,c2", "--isolation", "default", "-t", "x", "-t", "y:1", "-"],
        ["build", "--network", "default", "--rm", "-"])]
    tar = stdin_tar()
    c += [{"args": a, "stdin": tar} for a in (["builder", "build", "-"], ["build", "-f", "sub/Dockerfile", "-"])]
    c += [{"args": ["builder", "prune"] + a, "stdin": ""} for a in (
        ["-f"], ["-a", "-f", "--filter", "until=24h", "--keep-storage", "1g"], ["--keep-storage", "x", "-f"], ["x"])]
    c += [{"args": ["builder", "prune", "-a"], "stdin": s} for s in ("y\n", "n\n")]
    return c


SUITES = {
    "files": (FILES_RESPONSES, files_cases),
    "network": (NETWORK_RESPONSES, network_cases),
    "create": (CREATE_RESPONSES, create_cases),
    "port": (PORT_RESPONSES, port_cases),
    "build": (BUILD_RESPONSES, build_cases),
}


def run_suite(docker, name, responses, cases, version):
    tmp = tempfile.mkdtemp(prefix="docker28-")
    sock = os.path.join(tmp, "d.sock")
    server = FakeDaemon(sock, responses)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "DOCKER_CONFIG": os.path.join(tmp, "cfg"),
           "DOCKER_HOST": "unix://" + sock, "TZ": "UTC"}
    out = []
    for case in cases:
        server.log.clear()
        r = subprocess.run([docker] + case["args"], input=case["stdin"].encode(), capture_output=True, env=env)
        reqs = [q for q in server.log if not q["target"].startswith("/_ping")]
        out.append(dict(case, code=r.returncode, out=r.stdout.decode(), err=r.stderr.decode(), requests=reqs))
    server.shutdown()
    os.unlink(sock)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"docker": version, "responses": responses, "cases": out}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(name, len(out), "cases")


def main():
    docker = sys.argv[1] if len(sys.argv) > 1 else "/usr/local/bin/docker"
    version = subprocess.run([docker, "--version"], capture_output=True, text=True).stdout.strip()
    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[2:]
    for name, (responses, cases) in SUITES.items():
        if only and name not in only:
            continue
        run_suite(docker, name, responses, cases(), version)


if __name__ == "__main__":
    main()
