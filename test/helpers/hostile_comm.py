#!/usr/bin/env python3
"""Renames itself (its comm, as prctl(PR_SET_NAME) would) to bytes given in hex, holds a
TCP listener with TCP_NODELAY set, prints {pid, port, inode, comm} as one JSON line
(comm as the kernel reads it back, hex), and holds it until stdin closes.

    hostile_comm.py HEX     e.g. 1b5d303b4f574e07 for ESC ] 0 ; O W N BEL
"""
import json
import os
import socket
import sys

name = bytes.fromhex(sys.argv[1])
with open("/proc/self/comm", "wb") as f:
    f.write(name)
with open("/proc/self/comm", "rb") as f:
    comm = f.read().rstrip(b"\n")

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
print(json.dumps({"pid": os.getpid(), "port": s.getsockname()[1], "inode": os.fstat(s.fileno()).st_ino, "comm": comm.hex()}), flush=True)
sys.stdin.read()
