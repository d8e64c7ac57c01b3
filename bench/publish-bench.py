#!/usr/bin/env python3
"""The client side of bench/publish-bench (the server is bench/publish-sink.c: port 80 reads
each connection to EOF and answers the byte count, ports 81-83 write "hi" and wait for the client
to close).

push HOST PORT MIB     sends MIB MiB through one connection, half-closes, waits for the
                       count; prints "<MiB/s> <seconds>".
conns HOST PORT N      N sequential connect / read the greeting / close, after N/10
                       warm-ups; prints "<connections/s> <seconds>".
wait HOST PORT         waits (up to 30 s) until HOST:PORT answers the greeting.
"""
import socket
import sys
import time

CHUNK = 1 << 20


def push(host, port, mib):
    data = memoryview(bytes(CHUNK))
    t0 = time.perf_counter()
    with socket.create_connection((host, port)) as s:
        for _ in range(mib):
            s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            b = s.recv(64)
            if not b:
                break
            reply += b
    dt = time.perf_counter() - t0
    if int(reply or b"-1") != mib * CHUNK:
        sys.exit(f"push: the server counted {reply!r}, expected {mib * CHUNK}")
    print(f"{mib / dt:.0f} {dt:.3f}")


def greet(host, port):
    """connect, read the 2-byte greeting, close first (see publish-sink.c)"""
    with socket.create_connection((host, port)) as s:
        got = b""
        while len(got) < 2:
            b = s.recv(16)
            if not b:
                break
            got += b
    if got != b"hi":
        raise OSError(f"greeting {got!r}")


def conns(host, port, n):
    for _ in range(max(n // 10, 1)):
        greet(host, port)
    t0 = time.perf_counter()
    for _ in range(n):
        greet(host, port)
    dt = time.perf_counter() - t0
    print(f"{n / dt:.0f} {dt:.3f}")


def wait(host, port):
    end = time.time() + 30
    while True:
        try:
            greet(host, port)
            return
        except OSError:
            if time.time() > end:
                sys.exit(f"wait: {host}:{port} does not answer")
            time.sleep(0.1)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "push":
        push(args[0], int(args[1]), int(args[2]))
    elif cmd == "conns":
        conns(args[0], int(args[1]), int(args[2]))
    elif cmd == "wait":
        wait(args[0], int(args[1]))
    else:
        sys.exit(__doc__)
