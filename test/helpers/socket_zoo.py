#!/usr/bin/env python3
"""Opens real sockets in known states on loopback, prints them as one JSON line, and
holds them until stdin closes. Used by tests that check what the kernel reports.

Each socket is printed as {label, inode, local: [addr, port], remote: [addr, port]}.
Only loopback addresses are used.
"""
import os
import socket
import time

from sockets import S, inode, ready_and_hold, tcp_connect, tcp_listener, tcp_pair, udp_socket, zero_window_pair

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
        "inode": inode(sock),
        "local": [local[0], local[1]],
        "remote": [peer[0], peer[1]],
    })


def reuseaddr(s):
    s.setsockopt(S, socket.SO_REUSEADDR, 1)


def dualstack(s):
    reuseaddr(s)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)


def listener(addr, label, configure=reuseaddr):
    s = tcp_listener(addr, backlog=16, configure=configure)
    add(label, s)
    return s


def pair(lst, addr, label):
    c, a = tcp_pair(lst, addr)
    add(label + ".client", c)
    add(label + ".server", a)
    return c, a


# Listeners on IPv4, IPv6 and dual-stack IPv6 (accepting IPv4-mapped peers).
l4 = listener("127.0.0.1", "tcp4.listen")
l6 = listener("::1", "tcp6.listen")
ldual = listener("::", "tcp6.dual.listen", dualstack)

# Established pairs; the v4 one with unread data on both sides.
c4, a4 = pair(l4, "127.0.0.1", "tcp4.est")
c4.sendall(b"x" * 1000)
a4.sendall(b"y" * 700)
pair(l6, "::1", "tcp6.est")
# A v4 client to the dual-stack listener: the accepted side is IPv4-mapped IPv6.
pair(ldual, "127.0.0.1", "tcp6.mapped")

# Send-Q: a peer that never reads behind a small window; the unsent and
# unacknowledged bytes stay queued on the writer.
lq = listener("127.0.0.1", "tcp4.sendq.listen")
w, r, written = zero_window_pair(lq)
add("tcp4.sendq.writer", w)
add("tcp4.sendq.reader", r)

# FIN_WAIT2 / CLOSE_WAIT: the client shuts its side, the server never closes.
lh = listener("127.0.0.1", "tcp4.half.listen")
hc, ha = pair(lh, "127.0.0.1", "tcp4.half")
hc.shutdown(socket.SHUT_WR)

# TIME_WAIT: the client closes first, then the server.
lt = listener("127.0.0.1", "tcp4.tw.listen")
tc, ta = tcp_pair(lt)
tw_local = tc.getsockname()
tw_remote = tc.getpeername()
tc.close()
ta.recv(1)
ta.close()
report.append({"label": "tcp4.timewait", "inode": 0, "local": list(tw_local), "remote": list(tw_remote)})

# SYN_SENT: a listener that never accepts, with a full accept queue, drops new SYNs.
ls = tcp_listener("127.0.0.1", backlog=0)
held.append(ls)
report.append({"label": "tcp4.full.listen", "inode": inode(ls),
               "local": list(ls.getsockname()), "remote": ["0.0.0.0", 0]})
filler = tcp_connect("127.0.0.1", ls.getsockname()[1])
held.append(filler)
time.sleep(0.05)
syn = tcp_connect("127.0.0.1", ls.getsockname()[1], wait=False)
report.append({"label": "tcp4.synsent", "inode": inode(syn),
               "local": list(syn.getsockname()), "remote": ["127.0.0.1", ls.getsockname()[1]]})
held.append(syn)

# UDP: bound, and connected, on both families; one with unread datagrams.
u4 = udp_socket("127.0.0.1")
add("udp4.bound", u4)
u4c = udp_socket("127.0.0.1", connect_to=u4.getsockname())
add("udp4.connected", u4c)
u4c.send(b"d" * 100)
u6 = udp_socket("::1")
add("udp6.bound", u6)
u6c = udp_socket("::1", connect_to=u6.getsockname()[:2])
add("udp6.connected", u6c)

time.sleep(0.1)
ready_and_hold({"pid": os.getpid(), "uid": os.getuid(), "sendqWritten": written, "sockets": report})
