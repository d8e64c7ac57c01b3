"""A scripted Engine API on a unix socket, for capturing what the real docker CLI sends and prints.

Answers HEAD/GET /_ping with Api-Version 1.47 (so the docker CLI negotiates down to Berth's API
version), POST .../containers/create with 201 {"Id":"x"}, and otherwise the first canned response
whose method matches and whose regex is found in the request target (path and query).
Every request is appended to a log as JSON: method, target, body.
"""
import gzip
import io
import json
import os
import re
import tarfile
import socketserver
import http.server


RANDOM_DOCKERFILE = re.compile(r"\.dockerfile\.[0-9a-f]{20}")


def normalize(text):
    """The random name docker gives a Dockerfile from stdin or from outside the context."""
    return RANDOM_DOCKERFILE.sub(".dockerfile.RANDOM", text)


def tar_listing(raw):
    """A build context as comparable text: one line per entry (name, type, mode, owner, size, link) and its content.

    Modification times are left out (docker stamps some entries with the time of the build)."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as t:
        for m in t.getmembers():
            content = t.extractfile(m).read().decode("latin-1") if m.isfile() else ""
            out.append("%s|%s|%o|%d:%d|%d|%s|%s" % (m.name, m.type.decode(), m.mode, m.uid, m.gid, m.size, m.linkname, content))
    return normalize("\n".join(out) + "\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake"

    def log_message(self, *args):
        pass

    def _read_body(self):
        if self.headers.get("Transfer-Encoding") == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _any(self):
        raw = self._read_body()
        if self.headers.get("Content-Type") == "application/x-tar":
            body = tar_listing(raw)
        else:
            body = raw.decode()
        srv = self.server
        srv.log.append({"method": self.command, "target": normalize(self.path), "body": body})
        path = self.path.split("?", 1)[0]
        status, out = 404, {"message": "page not found"}
        if path == "/_ping":
            status, out = 200, "OK"
        elif path.endswith("/containers/create"):
            status, out = 201, {"Id": "x", "Warnings": []}
        for method, rx, st, b in srv.responses:
            if method == self.command and re.search(rx, self.path):
                status, out = st, b
                break
        text = isinstance(out, str)
        data = out.encode() if text else json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Api-Version", "1.47")
        if status == 204:
            self.end_headers()
            return
        self.send_header("Content-Type", "text/plain" if text else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = _any


class FakeDaemon(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, sock, responses):
        if os.path.exists(sock):
            os.unlink(sock)
        super().__init__(sock, _Handler)
        self.responses = responses
        self.log = []
