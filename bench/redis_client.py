"""Bench: the Redis client's own CPU per command, against a bare socket in the same run.

    .venv/bin/python bench/redis_client.py [--calls 20000] [--rounds 3]

The portal makes two Redis round trips in a signed-in write (the session with the user, and
the closing pipeline: see portal/pagecache.py) and one in a signed-in page. This measures the
process CPU (time.process_time) per call of the installed redis-py for the three shapes the
portal sends (GET, MGET of two keys, a pipeline of five commands like a booking's closing
round trip), and the same commands written as RESP on a plain socket and read back with
hiredis, the least any client can spend. Run it before changing the redis pin in
pyproject.toml: 8.1 spent 1.3–1.6 times what 6.4 spends per command on this machine.
Uses database 13 of $REDIS_URL (default redis://127.0.0.1:6379/13), which other benches share:
it writes and removes only its own `bench:redis_client:` keys.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import time
import urllib.parse
from collections.abc import Callable

import hiredis
import redis


def pack(*commands: tuple) -> bytes:
    out = []
    for command in commands:
        out.append(f"*{len(command)}\r\n")
        for part in command:
            text = str(part)
            out.append(f"${len(text.encode())}\r\n{text}\r\n")
    return "".join(out).encode()


class BareClient:
    """RESP written by hand on one socket, replies parsed by hiredis: the floor."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379))
        self.reader = hiredis.Reader()
        self.call((("SELECT", (parts.path or "/0").strip("/") or "0"),))

    def call(self, commands: tuple) -> list:
        self.sock.sendall(pack(*commands))
        replies: list = []
        while len(replies) < len(commands):
            reply = self.reader.gets()
            if reply is False:
                self.reader.feed(self.sock.recv(65536))
                continue
            replies.append(reply)
        return replies


def cpu_per_call(function: Callable[[], object], calls: int) -> float:
    function()
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) / calls * 1e6


PIPELINE = (
    ("HINCRBY", "bench:redis_client:generations", "childcare_session", 1),
    ("HINCRBY", "bench:redis_client:generations", "childcare_booking", 1),
    ("HINCRBY", "bench:redis_client:generations", "notifications_notification", 1),
    ("DEL", "bench:redis_client:unread"),
    ("SET", "bench:redis_client:queued", 1, "NX", "EX", 60),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/13"))
    client = redis.Redis.from_url(url)
    bare = BareClient(url)
    client.set("bench:redis_client:a", b"x" * 200)
    client.set("bench:redis_client:b", b"y" * 300)

    def pipeline() -> None:
        pipe = client.pipeline(transaction=False)
        for command in PIPELINE:
            pipe.execute_command(*command)
        pipe.execute()

    shapes = {
        "GET": (
            lambda: client.get("bench:redis_client:a"),
            lambda: bare.call((("GET", "bench:redis_client:a"),)),
        ),
        "MGET of 2": (
            lambda: client.mget(["bench:redis_client:a", "bench:redis_client:b"]),
            lambda: bare.call((("MGET", "bench:redis_client:a", "bench:redis_client:b"),)),
        ),
        "pipeline of 5": (pipeline, lambda: bare.call(PIPELINE)),
    }
    print(f"redis-py {redis.__version__}, hiredis {hiredis.__version__}: CPU µs per call")
    try:
        for name, (with_client, with_socket) in shapes.items():
            ours, floor = [], []
            for _ in range(args.rounds):
                ours.append(cpu_per_call(with_client, args.calls))
                floor.append(cpu_per_call(with_socket, args.calls))
            ratios = [o / f for o, f in zip(ours, floor, strict=True)]
            print(
                f"  {name:14s} redis-py {min(ours):6.1f}–{max(ours):6.1f}, bare socket "
                f"{min(floor):5.1f}–{max(floor):5.1f}, ratio {min(ratios):.2f}–{max(ratios):.2f}"
                f" (median {statistics.median(ratios):.2f})"
            )
    finally:
        client.delete(*client.keys("bench:redis_client:*"))


if __name__ == "__main__":
    main()
