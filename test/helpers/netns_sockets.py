"""Sockets in whatever network namespace this runs in (tests start it with
`ip netns exec NAME` or `unshare --net`): a TCP listener on the port given (argv[1])
with SO_KEEPALIVE, TCP_KEEPIDLE (argv[2] seconds) and SO_BINDTODEVICE=lo, a
connection to it whose client sets TCP_NODELAY, and a UDP socket on the same port.
Prints its pid, its namespace's inode and the sockets' inodes, then holds them until
stdin closes.
"""
import os
import socket
import subprocess

from sockets import S, T, inode, ready_and_hold, tcp_pair

port = int(os.sys.argv[1])
keepidle = int(os.sys.argv[2])
# A namespace made for the test has its loopback down.
subprocess.run(["ip", "link", "set", "lo", "up"], check=False, stderr=subprocess.DEVNULL)

lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lst.setsockopt(S, socket.SO_KEEPALIVE, 1)
lst.setsockopt(T, socket.TCP_KEEPIDLE, keepidle)
try:
    lst.setsockopt(S, socket.SO_BINDTODEVICE, b"lo")
    bound = True
except PermissionError:
    # Not CAP_NET_RAW over the namespace (an unprivileged user namespace can): skip it.
    bound = False
lst.bind(("127.0.0.1", port))
lst.listen(8)
client, accepted = tcp_pair(lst, configure=lambda c: c.setsockopt(T, socket.TCP_NODELAY, 1))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", port))

ready_and_hold({
    "pid": os.getpid(),
    "netns": os.stat("/proc/self/ns/net").st_ino,
    "bound": bound,
    "listener": inode(lst),
    "client": inode(client),
    "accepted": inode(accepted),
    "udp": inode(udp),
})
