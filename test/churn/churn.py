#!/usr/bin/env python3
"""Socket churn for test/churn: one process of the generator, on loopback only.

  churn.py hold PAIRS UDP   opens PAIRS established TCP pairs (client and accepted
                            socket both held here: 2 fds a pair) and UDP sockets
                            UDP, prints one JSON line when ready, holds them until
                            stdin closes.
  churn.py churn SEED RATE  opens and closes TCP connections, RATE a second (0: as
                            fast as it can)
                            (connect/accept/close on 127.0.0.1 and ::1; closes that
                            leave TIME_WAIT on either side, and RSTs through
                            SO_LINGER 0) and UDP sockets (bound, some connected);
                            prints one JSON line when ready, then a JSON line of
                            running totals every 250 ms, until stdin closes.

Every process stays well under 20,000 descriptors. It dies with its parent
(PR_SET_PDEATHSIG), and the test kills its process group as well.
"""
import collections
import os
import random
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from sockets import S, die_with_parent, reset_on_close, say, stdin_closed, tcp_listener, tcp_pair, udp_socket  # noqa: E402

MAX_FDS = 20000
ADDRESSES = ["127.0.0.1", "::1"]


def reuseaddr(s):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)


def listeners(each):
    return [tcp_listener(a, backlog=4096, configure=reuseaddr) for a in ADDRESSES for _ in range(each)]


def hold(pairs, udp):
    if pairs * 2 + udp + 64 > MAX_FDS:
        raise SystemExit(f"hold: {pairs} pairs and {udp} UDP sockets exceed {MAX_FDS} descriptors")
    lsts = listeners(4)
    held = []
    for i in range(pairs):
        held += tcp_pair(lsts[i % len(lsts)])
    for i in range(udp):
        addr = ADDRESSES[i % 2]
        held.append(udp_socket(addr, connect_to=(addr, 9) if i % 3 == 0 else None))
    say({"ready": True, "pid": os.getpid(), "tcp": pairs * 2, "udp": udp})
    while not stdin_closed():
        select.select([sys.stdin], [], [], 1.0)


def churn(seed, rate):
    rng = random.Random(seed)
    lsts = listeners(8)
    # Connections live a while (so dumps see every state) but the process never holds
    # more than LIVE pairs + UDP_LIVE sockets.
    live = collections.deque()
    udp_live = collections.deque()
    LIVE = 2000
    UDP_LIVE = 1000
    opened = failed = udp_opened = closes = 0
    kinds = collections.Counter()
    say({"ready": True, "pid": os.getpid()})
    started = last_report = time.monotonic()
    i = 0
    while True:
        i += 1
        if i % 64 == 0:
            now = time.monotonic()
            if now - last_report >= 0.25:
                last_report = now
                say({"t": now - started, "opened": opened, "failed": failed, "udp": udp_opened, "closes": dict(kinds)})
                if stdin_closed():
                    break
        if rate > 0 and i % 16 == 0:
            ahead = opened / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        lst = lsts[i % len(lsts)] if rng.random() < 0.5 else lsts[(i * 7) % 8]
        c = socket.socket(lst.family, socket.SOCK_STREAM)
        try:
            c.connect(lst.getsockname()[:2])
            a, _ = lst.accept()
        except OSError:
            failed += 1
            c.close()
            continue
        opened += 1
        if rng.random() < 0.3:
            try:
                c.send(b"x")
            except OSError:
                pass
        live.append((c, a))
        while len(live) > LIVE or (live and rng.random() < 0.5):
            c, a = live.popleft() if rng.random() < 0.8 else live.pop()
            kind = rng.randrange(4)
            kinds[("client-first", "server-first", "client-rst", "server-rst")[kind]] += 1
            if kind == 2:
                reset_on_close(c)
            elif kind == 3:
                reset_on_close(a)
            # The side closed first goes through FIN_WAIT to TIME_WAIT (unless RST).
            first, second = (c, a) if kind in (0, 2) else (a, c)
            first.close()
            second.close()
            closes += 1
        addr = ADDRESSES[i % 2]
        u = udp_socket(addr, connect_to=(addr, 9) if i % 2 == 0 else None)
        udp_opened += 1
        udp_live.append(u)
        while len(udp_live) > UDP_LIVE or (udp_live and rng.random() < 0.5):
            udp_live.popleft().close()
    say({"t": time.monotonic() - started, "opened": opened, "failed": failed, "udp": udp_opened, "closes": dict(kinds), "final": True})


def main():
    die_with_parent()
    if len(sys.argv) >= 2 and sys.argv[1] == "hold":
        hold(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    elif len(sys.argv) >= 2 and sys.argv[1] == "churn":
        churn(int(sys.argv[2]) if len(sys.argv) > 2 else 1, float(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
