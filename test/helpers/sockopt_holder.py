#!/usr/bin/env python3
"""Holds loopback sockets with socket options set to non-default values (or left at
their defaults), prints them as one JSON line, and holds them until stdin closes.

    sockopt_holder.py options   every option knetstat reads, set to a non-default value
    sockopt_holder.py plain     the same kinds of sockets with nothing set
    sockopt_holder.py holders   one socket held by a forked child too, one passed to
                                another process with SCM_RIGHTS
    sockopt_holder.py echo      a connected pair that keeps exchanging data; prints the
                                exchange count on each line of stdin

Each socket is printed as {label, inode, fd, port, family, defer?}.
"""
import json
import os
import socket
import struct
import sys
import threading

S, T = socket.SOL_SOCKET, socket.IPPROTO_TCP
SO_MARK = getattr(socket, "SO_MARK", 36)
IP_FREEBIND = getattr(socket, "IP_FREEBIND", 15)
IP_TRANSPARENT = getattr(socket, "IP_TRANSPARENT", 19)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_NOTSENT_LOWAT = getattr(socket, "TCP_NOTSENT_LOWAT", 25)
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", 18)

held = []
report = []


def add(label, s, **extra):
    held.append(s)
    item = {"label": label, "inode": os.fstat(s.fileno()).st_ino, "fd": s.fileno(),
            "port": s.getsockname()[1], "family": 6 if s.family == socket.AF_INET6 else 4}
    item.update(extra)
    report.append(item)


def timeval(ms):
    return struct.pack("ll", ms // 1000, (ms % 1000) * 1000)


def set_common(s, udp=False):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)
    s.setsockopt(S, socket.SO_REUSEPORT, 1)
    s.setsockopt(S, socket.SO_RCVBUF, 50000)
    s.setsockopt(S, socket.SO_SNDBUF, 32768)
    s.setsockopt(S, socket.SO_RCVTIMEO, timeval(1500))
    s.setsockopt(S, socket.SO_SNDTIMEO, timeval(2500))
    s.setsockopt(S, socket.SO_LINGER, struct.pack("ii", 1, 7))
    s.setsockopt(S, SO_MARK, 42)
    s.setsockopt(S, socket.SO_BINDTODEVICE, b"lo")
    s.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    if s.family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x20)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    else:
        s.setsockopt(socket.SOL_IP, socket.IP_TOS, 0x10)
    # After IP_TOS, which also sets the priority (rt_tos2priority).
    s.setsockopt(S, socket.SO_PRIORITY, 3)
    if udp:
        s.setsockopt(S, socket.SO_BROADCAST, 1)


def set_tcp(s, listener):
    s.setsockopt(S, socket.SO_KEEPALIVE, 1)
    s.setsockopt(T, socket.TCP_KEEPIDLE, 77)
    s.setsockopt(T, socket.TCP_KEEPCNT, 5)
    s.setsockopt(T, socket.TCP_KEEPINTVL, 13)
    s.setsockopt(T, TCP_USER_TIMEOUT, 4321)
    s.setsockopt(T, socket.TCP_NODELAY, 1)
    s.setsockopt(T, socket.TCP_DEFER_ACCEPT, 7)
    s.setsockopt(T, socket.TCP_CONGESTION, b"reno")
    s.setsockopt(T, TCP_NOTSENT_LOWAT, 16384)
    if listener:
        s.setsockopt(T, socket.TCP_MAXSEG, 1200)


def tcp_pair(family, addr, label, configure):
    lst = socket.socket(family, socket.SOCK_STREAM)
    if configure:
        set_common(lst)
        set_tcp(lst, listener=True)
    lst.bind((addr, 0))
    lst.listen(8)
    if configure:
        lst.setsockopt(T, TCP_FASTOPEN, 5)
    c = socket.socket(family, socket.SOCK_STREAM)
    if configure:
        set_common(c)
        set_tcp(c, listener=False)
    c.connect((addr, lst.getsockname()[1]))
    # TCP_DEFER_ACCEPT holds the connection back until data arrives.
    c.sendall(b"hello")
    a, _ = lst.accept()
    a.recv(5)
    defer = lst.getsockopt(T, socket.TCP_DEFER_ACCEPT)
    add(label + ".listen", lst, defer=defer)
    add(label + ".client", c, defer=c.getsockopt(T, socket.TCP_DEFER_ACCEPT))
    add(label + ".server", a)
    return lst, c, a


def udp(family, addr, label, configure):
    u = socket.socket(family, socket.SOCK_DGRAM)
    if configure:
        set_common(u, udp=True)
    u.bind((addr, 0))
    add(label, u)
    return u


mode = sys.argv[1] if len(sys.argv) > 1 else "options"
info = {"pid": os.getpid(), "uid": os.getuid()}

if mode in ("options", "plain"):
    configure = mode == "options"
    tcp_pair(socket.AF_INET, "127.0.0.1", "tcp4", configure)
    tcp_pair(socket.AF_INET6, "::1", "tcp6", configure)
    udp(socket.AF_INET, "127.0.0.1", "udp4", configure)
    udp(socket.AF_INET6, "::1", "udp6", configure)
elif mode == "holders":
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(8)
    add("forked", lst)
    passed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    passed.bind(("127.0.0.1", 0))
    add("passed", passed)
    # A forked child holds the listener (same fd number) until its stdin... until it is killed.
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        passed.close()
        os.close(w)
        os.read(r, 1)  # returns when the parent exits and the pipe's write end closes
        os._exit(0)
    os.close(r)
    info["forkedPid"] = child
    # Another process receives a duplicate of `passed` over a unix socket.
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    receiver = os.fork()
    if receiver == 0:
        ours.close()
        lst.close()
        passed.close()  # it holds only the duplicate it receives
        msg, fds, _, _ = socket.recv_fds(theirs, 16, 1)
        theirs.sendall(str(fds[0]).encode())
        theirs.recv(1)  # until the parent exits
        os._exit(0)
    theirs.close()
    socket.send_fds(ours, [b"x"], [passed.fileno()])
    info["receiverPid"] = receiver
    info["receivedFd"] = int(ours.recv(16).decode())
    held.extend([ours, w])
elif mode == "echo":
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(lst.getsockname())
    a, _ = lst.accept()
    c.setsockopt(T, socket.TCP_NODELAY, 1)
    add("echo.client", c)
    add("echo.server", a)
    count = [0]
    errors = []

    def pingpong():
        try:
            while True:
                c.sendall(b"ping")
                got = b""
                while len(got) < 4:
                    got += a.recv(4 - len(got))
                a.sendall(got)
                back = b""
                while len(back) < 4:
                    back += c.recv(4 - len(back))
                if back != b"ping":
                    errors.append("corrupt")
                count[0] += 1
        except OSError as e:
            errors.append(str(e))

    threading.Thread(target=pingpong, daemon=True).start()
    info["sockets"] = report
    print(json.dumps(info), flush=True)
    for _ in sys.stdin:
        print(json.dumps({"count": count[0], "errors": errors,
                          "nodelay": c.getsockopt(T, socket.TCP_NODELAY)}), flush=True)
    sys.exit(0)

info["sockets"] = report
print(json.dumps(info), flush=True)
sys.stdin.read()
