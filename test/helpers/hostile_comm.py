#!/usr/bin/env python3
"""Renames itself (its comm, as prctl(PR_SET_NAME) would) to bytes given in hex, holds a
TCP listener with TCP_NODELAY set, prints {pid, port, inode, comm} as one JSON line
(comm as the kernel reads it back, hex), and holds it until stdin closes.

    hostile_comm.py HEX     e.g. 1b5d303b4f574e07 for ESC ] 0 ; O W N BEL
"""
import os
import sys

from sockets import inode, nodelay, ready_and_hold, tcp_listener

name = bytes.fromhex(sys.argv[1])
with open("/proc/self/comm", "wb") as f:
    f.write(name)
with open("/proc/self/comm", "rb") as f:
    comm = f.read().rstrip(b"\n")

# Below the ephemeral range: a port query sees this listener, not another job's
# sockets that share an ephemeral port number on another address.
s = tcp_listener("127.0.0.1", backlog=1, configure=nodelay, ports=(20000, 31999))
ready_and_hold({"pid": os.getpid(), "port": s.getsockname()[1], "inode": inode(s), "comm": comm.hex()})
