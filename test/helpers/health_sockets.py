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
import os
import socket
import time

from sockets import S, T, ready_and_hold, tcp_connect, tcp_listener, tcp_pair, zero_window_pair

held = []
ports = {}
backlogs = {}
waiting = {}


def listener(label, backlog):
    s = tcp_listener("127.0.0.1", backlog, ports=(20000, 31999))
    held.append(s)
    ports[label] = s.getsockname()[1]
    backlogs[label] = backlog
    return s


def connect_nowait(port):
    c = tcp_connect("127.0.0.1", port, wait=False)
    held.append(c)
    return c


def pair(label, configure=None):
    lst = listener(label, 16)
    if configure:
        configure(lst)
    c, a = tcp_pair(lst, configure=configure)
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

# The zero-window pair (as socket_zoo.py's Send-Q pair).
w, r, _ = zero_window_pair(listener("window", 16))
held.extend([w, r])
ports["window.writer"] = w.getsockname()[1]
ports["window.reader"] = r.getsockname()[1]

time.sleep(0.3)
ready_and_hold({"pid": os.getpid(), "ports": ports, "backlogs": backlogs, "waiting": waiting})
