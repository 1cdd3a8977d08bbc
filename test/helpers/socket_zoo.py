#!/usr/bin/env python3
"""Opens real sockets in known states on loopback, prints them as one JSON line, and
holds them until stdin closes. Used by tests that check what the kernel reports.

Each socket is printed as {label, inode, local: [addr, port], remote: [addr, port]}.
Only loopback addresses are used.
"""
import json
import os
import socket
import sys
import time

held = []
report = []


def add(label, sock, remote=None):
    held.append(sock)
    local = sock.getsockname()
    try:
        peer = sock.getpeername()
    except OSError:
        peer = remote or ("", 0)
    report.append({
        "label": label,
        "inode": os.fstat(sock.fileno()).st_ino,
        "local": [local[0], local[1]],
        "remote": [peer[0], peer[1]],
    })


def listener(family, addr, label, backlog=16):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6 and addr == "::":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((addr, 0))
    s.listen(backlog)
    add(label, s)
    return s


def connect(family, addr, port):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, port))
    return c


def pair(family, lst, addr, label):
    c = connect(family, addr, lst.getsockname()[1])
    a, _ = lst.accept()
    add(label + ".client", c)
    add(label + ".server", a)
    return c, a


def settle(predicate, seconds=5.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# Listeners on IPv4, IPv6 and dual-stack IPv6 (accepting IPv4-mapped peers).
l4 = listener(socket.AF_INET, "127.0.0.1", "tcp4.listen")
l6 = listener(socket.AF_INET6, "::1", "tcp6.listen")
ldual = listener(socket.AF_INET6, "::", "tcp6.dual.listen")

# Established pairs; the v4 one with unread data on both sides.
c4, a4 = pair(socket.AF_INET, l4, "127.0.0.1", "tcp4.est")
c4.sendall(b"x" * 1000)
a4.sendall(b"y" * 700)
pair(socket.AF_INET6, l6, "::1", "tcp6.est")
# A v4 client to the dual-stack listener: the accepted side is IPv4-mapped IPv6.
pair(socket.AF_INET, ldual, "127.0.0.1", "tcp6.mapped")

# Send-Q: a peer that never reads behind a small window; the unsent and
# unacknowledged bytes stay queued on the writer.
lq = listener(socket.AF_INET, "127.0.0.1", "tcp4.sendq.listen")
w = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
w.connect(("127.0.0.1", lq.getsockname()[1]))
r, _ = lq.accept()
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
w.setblocking(False)
written = 0
try:
    while written < 8 << 20:
        written += w.send(b"z" * 65536)
except BlockingIOError:
    pass
add("tcp4.sendq.writer", w)
add("tcp4.sendq.reader", r)

# FIN_WAIT2 / CLOSE_WAIT: the client shuts its side, the server never closes.
lh = listener(socket.AF_INET, "127.0.0.1", "tcp4.half.listen")
hc, ha = pair(socket.AF_INET, lh, "127.0.0.1", "tcp4.half")
hc.shutdown(socket.SHUT_WR)

# TIME_WAIT: the client closes first, then the server.
lt = listener(socket.AF_INET, "127.0.0.1", "tcp4.tw.listen")
tc = connect(socket.AF_INET, "127.0.0.1", lt.getsockname()[1])
ta, _ = lt.accept()
tw_local = tc.getsockname()
tw_remote = tc.getpeername()
tc.close()
ta.recv(1)
ta.close()
report.append({"label": "tcp4.timewait", "inode": 0, "local": list(tw_local), "remote": list(tw_remote)})

# SYN_SENT: a listener that never accepts, with a full accept queue, drops new SYNs.
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.bind(("127.0.0.1", 0))
ls.listen(0)
held.append(ls)
report.append({"label": "tcp4.full.listen", "inode": os.fstat(ls.fileno()).st_ino,
               "local": list(ls.getsockname()), "remote": ["0.0.0.0", 0]})
filler = connect(socket.AF_INET, "127.0.0.1", ls.getsockname()[1])
held.append(filler)
time.sleep(0.05)
syn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
syn.setblocking(False)
try:
    syn.connect(("127.0.0.1", ls.getsockname()[1]))
except BlockingIOError:
    pass
report.append({"label": "tcp4.synsent", "inode": os.fstat(syn.fileno()).st_ino,
               "local": list(syn.getsockname()), "remote": ["127.0.0.1", ls.getsockname()[1]]})
held.append(syn)

# UDP: bound, and connected, on both families; one with unread datagrams.
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u4.bind(("127.0.0.1", 0))
add("udp4.bound", u4)
u4c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u4c.bind(("127.0.0.1", 0))
u4c.connect(u4.getsockname())
add("udp4.connected", u4c)
u4c.send(b"d" * 100)
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u6.bind(("::1", 0))
add("udp6.bound", u6)
u6c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u6c.bind(("::1", 0))
u6c.connect(u6.getsockname()[:2])
add("udp6.connected", u6c)

time.sleep(0.1)
print(json.dumps({"pid": os.getpid(), "uid": os.getuid(), "sendqWritten": written, "sockets": report}), flush=True)
sys.stdin.read()
