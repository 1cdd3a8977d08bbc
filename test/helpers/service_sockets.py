#!/usr/bin/env python3
"""Holds the small services of the check tests and prints them as one JSON line
{pid, ports: {...}} before holding them until stdin closes. Each service listens on
127.0.0.1 at a port below the ephemeral range (20000-31999), so that a check of that
port sees its own sockets only; its clients live in this process too, as a server's
own host would hold outgoing connections to it (they must not be judged as the
service's).

    tuned     SO_REUSEADDR listener; 2 accepted connections set TCP_NODELAY=1,
              SO_KEEPALIVE=1, TCP_KEEPIDLE=60 after accept(), as servers do; a third
              connection still waits in the accept queue (nothing set yet)
    idle      SO_REUSEADDR listener, no connections
    untuned   listener; 1 accepted connection with nothing set
    mixed     listener; one accepted connection tuned, one not
    full      listen(1), never accepts, connected to until SYNs are dropped
    upstream  a listener whose clients (this process's outgoing connections) set
              SO_KEEPALIVE=1 and TCP_KEEPIDLE=30; its accepted side sets nothing
    window    a listener whose accepted connection never reads behind a 4 KiB buffer:
              the client (an outgoing connection) sees a zero window (>|)
    udp       a UDP socket bound with SO_BROADCAST=1 and SO_RCVBUF=65536
    closed    a port that was bound and closed: nothing serves it
"""
import socket

from sockets import S, T, bind_in_range, ready_and_hold, tcp_connect, tcp_listener, tcp_pair, zero_window_pair

PORTS = (20000, 31999)
held = []
ports = {}


def reuseaddr(s):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)


def tune(s):
    s.setsockopt(T, socket.TCP_NODELAY, 1)
    s.setsockopt(S, socket.SO_KEEPALIVE, 1)
    s.setsockopt(T, socket.TCP_KEEPIDLE, 60)


def service(label, backlog=16, configure=None):
    lst = tcp_listener("127.0.0.1", backlog, configure=configure, ports=PORTS)
    held.append(lst)
    ports[label] = lst.getsockname()[1]
    return lst


def accepted(lst, setup=None):
    c, a = tcp_pair(lst)
    if setup:
        setup(a)
    held.extend([c, a])
    return a


tuned = service("tuned", configure=reuseaddr)
accepted(tuned, tune)
accepted(tuned, tune)
held.append(tcp_connect("127.0.0.1", ports["tuned"]))  # waits in the accept queue

service("idle", configure=reuseaddr)

accepted(service("untuned"))

mixed = service("mixed")
accepted(mixed, tune)
accepted(mixed)

service("full", backlog=1)
for _ in range(16):
    c = tcp_connect("127.0.0.1", ports["full"], wait=False)
    held.append(c)


def keepalive_client(s):
    s.setsockopt(S, socket.SO_KEEPALIVE, 1)
    s.setsockopt(T, socket.TCP_KEEPIDLE, 30)


upstream = service("upstream")
for _ in range(2):
    c, a = tcp_pair(upstream, configure=keepalive_client)
    held.extend([c, a])

writer, reader, _ = zero_window_pair(service("window"))
held.extend([writer, reader])

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(S, socket.SO_BROADCAST, 1)
u.setsockopt(S, socket.SO_RCVBUF, 65536)
bind_in_range(u, "127.0.0.1", *PORTS)
held.append(u)
ports["udp"] = u.getsockname()[1]

gone = socket.socket()
bind_in_range(gone, "127.0.0.1", *PORTS)
ports["closed"] = gone.getsockname()[1]
gone.close()

ready_and_hold({"ports": ports})
