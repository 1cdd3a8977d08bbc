#!/usr/bin/env python3
"""Holds loopback sockets with socket options set to non-default values (or left at
their defaults), prints them as one JSON line, and holds them until stdin closes.

    sockopt_holder.py options   every option knetstat reads, set to a non-default value
    sockopt_holder.py plain     the same kinds of sockets with nothing set
    sockopt_holder.py holders   one socket held by a forked child too, one passed to
                                another process with SCM_RIGHTS
    sockopt_holder.py echo      a connected pair that keeps exchanging data; prints the
                                exchange count on each line of stdin
    sockopt_holder.py defaults  options set to exactly what an unset socket reads (the
                                sysctl defaults; buffers to half of them, which the
                                kernel doubles), and one UDP buffer just off its default

Each socket is printed as {label, inode, fd, port, family, defer?, rcvbuf?, sndbuf?}
(rcvbuf/sndbuf: what the holder's own getsockopt reads back, the kernel's doubled size).
"""
import os
import socket
import sys
import threading

from sockets import (IP_FREEBIND, IP_TRANSPARENT, S, SO_MARK, T, TCP_FASTOPEN, TCP_NOTSENT_LOWAT, TCP_USER_TIMEOUT,
                     inode, linger, nodelay, ready_and_hold, say, tcp_listener, tcp_pair, timeval, udp_socket)

held = []
report = []


def add(label, s, **extra):
    held.append(s)
    item = {"label": label, "inode": inode(s), "fd": s.fileno(),
            "port": s.getsockname()[1], "family": 6 if s.family == socket.AF_INET6 else 4}
    item.update(extra)
    report.append(item)


def set_common(s, udp=False):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)
    s.setsockopt(S, socket.SO_REUSEPORT, 1)
    s.setsockopt(S, socket.SO_RCVBUF, 50000)
    s.setsockopt(S, socket.SO_SNDBUF, 32768)
    s.setsockopt(S, socket.SO_RCVTIMEO, timeval(1500))
    s.setsockopt(S, socket.SO_SNDTIMEO, timeval(2500))
    s.setsockopt(S, socket.SO_LINGER, linger(1, 7))
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


def set_listener(s):
    set_common(s)
    set_tcp(s, listener=True)


def set_client(s):
    set_common(s)
    set_tcp(s, listener=False)


def set_udp(s):
    set_common(s, udp=True)


def options_pair(addr, label, configure):
    """A listener, a client and the accepted socket; with `configure`, every option set
    on the listener and the client (the accepted socket inherits the listener's)."""
    lst = tcp_listener(addr, backlog=8, configure=set_listener if configure else None)
    if configure:
        lst.setsockopt(T, TCP_FASTOPEN, 5)
    # TCP_DEFER_ACCEPT holds the connection back until data arrives: the greeting.
    c, a = tcp_pair(lst, configure=set_client if configure else None, greeting=b"hello")
    defer = lst.getsockopt(T, socket.TCP_DEFER_ACCEPT)
    add(label + ".listen", lst, defer=defer)
    add(label + ".client", c, defer=c.getsockopt(T, socket.TCP_DEFER_ACCEPT))
    add(label + ".server", a)
    return lst, c, a


def udp(addr, label, configure):
    u = udp_socket(addr, configure=set_udp if configure else None)
    add(label, u)
    return u


mode = sys.argv[1] if len(sys.argv) > 1 else "options"
info = {"pid": os.getpid(), "uid": os.getuid()}

if mode in ("options", "plain"):
    configure = mode == "options"
    options_pair("127.0.0.1", "tcp4", configure)
    options_pair("::1", "tcp6", configure)
    udp("127.0.0.1", "udp4", configure)
    udp("::1", "udp6", configure)
elif mode == "defaults":
    def sysctl(name):
        with open("/proc/sys/net/" + name) as f:
            return [int(x) for x in f.read().split()]

    def buffers(s):
        return {"rcvbuf": s.getsockopt(S, socket.SO_RCVBUF), "sndbuf": s.getsockopt(S, socket.SO_SNDBUF)}

    def set_buffers(rcv, snd):
        def configure(s):
            s.setsockopt(S, socket.SO_RCVBUF, rcv)
            s.setsockopt(S, socket.SO_SNDBUF, snd)
        return configure

    rmem, wmem = sysctl("core/rmem_default")[0], sysctl("core/wmem_default")[0]
    u = udp_socket("127.0.0.1", configure=set_buffers(rmem // 2, wmem // 2))
    add("udp.half-default", u, **buffers(u))
    u = udp_socket("127.0.0.1", configure=set_buffers(rmem // 2 + 1000, wmem // 2 + 1000))
    add("udp.off-default", u, **buffers(u))

    def set_keepalive_to_sysctl(s):
        s.setsockopt(S, socket.SO_KEEPALIVE, 1)
        s.setsockopt(T, socket.TCP_KEEPIDLE, sysctl("ipv4/tcp_keepalive_time")[0])
        s.setsockopt(T, socket.TCP_KEEPCNT, sysctl("ipv4/tcp_keepalive_probes")[0])
        s.setsockopt(T, socket.TCP_KEEPINTVL, sysctl("ipv4/tcp_keepalive_intvl")[0])
        set_buffers(sysctl("ipv4/tcp_rmem")[1] // 2, sysctl("ipv4/tcp_wmem")[1] // 2)(s)
        s.setsockopt(T, socket.TCP_MAXSEG, 536)

    lst = tcp_listener("127.0.0.1", backlog=8, configure=set_keepalive_to_sysctl)
    add("tcp.listen-at-defaults", lst, **buffers(lst))
elif mode == "holders":
    lst = tcp_listener("127.0.0.1", backlog=8)
    add("forked", lst)
    passed = udp_socket("127.0.0.1")
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
    lst = tcp_listener("127.0.0.1", backlog=1)
    c, a = tcp_pair(lst)
    nodelay(c)
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
    say(info)
    for _ in sys.stdin:
        say({"count": count[0], "errors": errors, "nodelay": c.getsockopt(T, socket.TCP_NODELAY)})
    sys.exit(0)

info["sockets"] = report
ready_and_hold(info)
