#!/usr/bin/env python3
"""Holds loopback sockets for the health summary and metrics tests, prints them as one
JSON line {pid, ports: {...}, backlogs: {...}, waiting: {...}} and holds them until
stdin closes.

Listeners bind ports below the ephemeral range (20000-31999, picked at random): a
query on those ports sees these sockets (clients match by their remote port) and not
the connections of other jobs on the host, whose ephemeral ports may be anything.

    full     a listener with listen(2) that never accepts, connected to until the
             kernel drops SYNs: its accept queue is over the limit
    nearly   listen(5), never accepts, 4 connections waiting (4 >= 0.8 x 5)
    idle     listen(16), nothing waiting
    tuned    a listener and a connected pair, all with TCP_NODELAY=1 and SO_KEEPALIVE=1
    plain    a listener and a connected pair with nothing set
    window   a pair whose reader never reads behind a 4 KiB receive buffer: the writer
             sees a zero window (>|), the reader advertises one (|<)
"""
import errno
import json
import os
import random
import socket
import sys
import time

S, T = socket.SOL_SOCKET, socket.IPPROTO_TCP
held = []
ports = {}
backlogs = {}
waiting = {}


def listener(label, backlog):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    for _ in range(1000):
        try:
            s.bind(("127.0.0.1", random.randint(20000, 31999)))
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    s.listen(backlog)
    held.append(s)
    ports[label] = s.getsockname()[1]
    backlogs[label] = backlog
    return s


def connect_nowait(port):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held.append(c)
    return c


def pair(label, configure=None):
    lst = listener(label, 16)
    if configure:
        configure(lst)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if configure:
        configure(c)
    c.connect(("127.0.0.1", ports[label]))
    a, _ = lst.accept()
    if configure:
        configure(a)
    held.extend([c, a])
    return c, a


def tune(s):
    s.setsockopt(T, socket.TCP_NODELAY, 1)
    s.setsockopt(S, socket.SO_KEEPALIVE, 1)


full = listener("full", 2)
for _ in range(6):
    connect_nowait(ports["full"])
nearly = listener("nearly", 5)
for _ in range(4):
    connect_nowait(ports["nearly"])
waiting["nearly"] = 4
listener("idle", 16)
pair("tuned", tune)
pair("plain")

# The zero-window pair (as test/helpers/socket_zoo.py's Send-Q pair).
lw = listener("window", 16)
w = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
w.connect(("127.0.0.1", ports["window"]))
r, _ = lw.accept()
r.setsockopt(S, socket.SO_RCVBUF, 4096)
held.extend([w, r])
w.setblocking(False)
written = 0
try:
    while written < 8 << 20:
        written += w.send(b"z" * 65536)
except BlockingIOError:
    pass
ports["window.writer"] = w.getsockname()[1]
ports["window.reader"] = r.getsockname()[1]

time.sleep(0.3)
print(json.dumps({"pid": os.getpid(), "ports": ports, "backlogs": backlogs, "waiting": waiting}), flush=True)
sys.stdin.read()
