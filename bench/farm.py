#!/usr/bin/env python3
"""One process of a benchmark socket farm: `pairs` established loopback connections
(both ends held here, so 2 sockets a pair), clients bound to their own source
address so several farms never compete for ephemeral ports. Prints one JSON line
when ready and holds the sockets until stdin closes, then resets them (no TIME_WAIT left behind).

usage: farm.py PAIRS SOURCE_ADDRESS
"""
import json
import os
import resource
import socket
import struct
import sys

pairs = int(sys.argv[1])
source = sys.argv[2]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
need = 2 * pairs + 16
if need > hard:
    sys.exit(f"farm.py: {pairs} pairs need {need} fds, the limit is {hard}")
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(4096)
port = listener.getsockname()[1]
held = [listener]
for i in range(pairs):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.bind((source, 0))
    c.connect(("127.0.0.1", port))
    a, _ = listener.accept()
    held.append(c)
    held.append(a)
print(json.dumps({"pid": os.getpid(), "port": port, "sockets": 2 * pairs + 1}), flush=True)
sys.stdin.read()
# Reset instead of closing politely: a polite close leaves one TIME_WAIT socket per pair
# for a minute, and a big farm fills the host's TIME_WAIT table (tcp_max_tw_buckets), so
# other programs' connections could not enter TIME_WAIT meanwhile.
RESET = struct.pack("ii", 1, 0)
for s in held:
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
        s.close()
    except OSError:
        pass
