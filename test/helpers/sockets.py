"""What the socket holders share (test/helpers/*.py, test/churn/churn.py, bench/farm.py):
loopback listeners, connected pairs, UDP sockets, the socket options they set, and the
protocol with the parent process: one JSON line on stdout when ready, then hold the
sockets until stdin closes.

Scripts in test/helpers import it directly (their directory is on sys.path); others
add this directory first:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
"""
import ctypes
import errno
import json
import os
import random
import select
import signal
import socket
import struct
import sys

S, T = socket.SOL_SOCKET, socket.IPPROTO_TCP
# Missing from some Python builds' socket module: the Linux numbers.
SO_MARK = getattr(socket, "SO_MARK", 36)
IP_FREEBIND = getattr(socket, "IP_FREEBIND", 15)
IP_TRANSPARENT = getattr(socket, "IP_TRANSPARENT", 19)
TCP_FASTOPEN = getattr(socket, "TCP_FASTOPEN", 23)
TCP_NOTSENT_LOWAT = getattr(socket, "TCP_NOTSENT_LOWAT", 25)
TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", 18)


def timeval(ms):
    """A struct timeval of `ms` milliseconds (SO_RCVTIMEO, SO_SNDTIMEO)."""
    return struct.pack("ll", ms // 1000, (ms % 1000) * 1000)


def linger(on, seconds):
    """A struct linger (SO_LINGER)."""
    return struct.pack("ii", on, seconds)


def reset_on_close(s):
    """SO_LINGER 0: close(2) sends a RST and leaves no TIME_WAIT behind."""
    s.setsockopt(S, socket.SO_LINGER, linger(1, 0))


def nodelay(s):
    s.setsockopt(T, socket.TCP_NODELAY, 1)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def inode(s):
    return os.fstat(s.fileno()).st_ino


def bind_in_range(s, addr, low, high):
    """Binds to a random free port in [low, high] (1000 tries)."""
    for _ in range(1000):
        try:
            s.bind((addr, random.randint(low, high)))
            return
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise


def tcp_listener(addr="127.0.0.1", backlog=16, configure=None, ports=None):
    """A listening TCP socket on `addr` (IPv6 when it has a colon). `configure(s)` runs
    before bind; `ports` (low, high): a random port in that range, else any."""
    s = socket.socket(family_of(addr), socket.SOCK_STREAM)
    if configure:
        configure(s)
    if ports is None:
        s.bind((addr, 0))
    else:
        bind_in_range(s, addr, *ports)
    s.listen(backlog)
    return s


def tcp_connect(addr, port, configure=None, source=None, wait=True):
    """A TCP client connected to (addr, port); `configure(s)` runs before connect, `source`
    is an address to bind first. wait=False: a non-blocking connect left in progress."""
    c = socket.socket(family_of(addr), socket.SOCK_STREAM)
    if configure:
        configure(c)
    if source is not None:
        c.bind((source, 0))
    if wait:
        c.connect((addr, port))
    else:
        c.setblocking(False)
        try:
            c.connect((addr, port))
        except BlockingIOError:
            pass
    return c


def tcp_pair(lst, addr=None, configure=None, greeting=b"", source=None):
    """(client, accepted): a client connected to listener `lst` (at `addr`, default the
    listener's own address) and the socket `lst` accepted for it. `configure(s)` runs on
    the client before connect; `greeting` is sent before accept (what TCP_DEFER_ACCEPT
    waits for) and read on the accepted side."""
    local = lst.getsockname()
    c = tcp_connect(local[0] if addr is None else addr, local[1], configure=configure, source=source)
    if greeting:
        c.sendall(greeting)
    a, _ = lst.accept()
    got = b""
    while len(got) < len(greeting):
        got += a.recv(len(greeting) - len(got))
    return c, a


def zero_window_pair(lst):
    """(writer, reader, written): a pair whose reader never reads behind a 4 KiB receive
    buffer, the writer having written (non-blocking) until its buffers were full: the
    unsent and unacknowledged bytes stay queued on the writer (Send-Q), the writer sees a
    zero window, the reader advertises one."""
    w, r = tcp_pair(lst)
    r.setsockopt(S, socket.SO_RCVBUF, 4096)
    w.setblocking(False)
    written = 0
    try:
        while written < 8 << 20:
            written += w.send(b"z" * 65536)
    except BlockingIOError:
        pass
    return w, r, written


def udp_socket(addr="127.0.0.1", configure=None, connect_to=None):
    """A UDP socket bound to `addr` (any port); `configure(s)` runs before bind,
    `connect_to` (addr, port) connects it."""
    u = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    if configure:
        configure(u)
    u.bind((addr, 0))
    if connect_to is not None:
        u.connect(connect_to)
    return u


def say(obj):
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def hold_until_stdin_closes():
    sys.stdin.read()


def ready_and_hold(info):
    """The holder protocol: `info` as one JSON line, then hold until stdin closes."""
    say(info)
    hold_until_stdin_closes()


def stdin_closed():
    """Whether stdin has closed (without blocking)."""
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    return bool(ready) and sys.stdin.buffer.read1(4096) == b""


def die_with_parent():
    """PR_SET_PDEATHSIG: SIGKILL when the parent dies (and exit now if it has)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() == 1:
        sys.exit(0)
