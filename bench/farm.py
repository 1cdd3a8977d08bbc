#!/usr/bin/env python3
"""One process of a benchmark socket farm: `pairs` established loopback connections
(both ends held here, so 2 sockets a pair), clients bound to their own source
address so several farms never compete for ephemeral ports. Prints one JSON line
when ready and holds the sockets until stdin closes, then resets them (no TIME_WAIT left behind).

usage: farm.py PAIRS SOURCE_ADDRESS
"""
import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "helpers"))
from sockets import ready_and_hold, reset_on_close, tcp_listener, tcp_pair  # noqa: E402

pairs = int(sys.argv[1])
source = sys.argv[2]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
need = 2 * pairs + 16
if need > hard:
    sys.exit(f"farm.py: {pairs} pairs need {need} fds, the limit is {hard}")
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))

listener = tcp_listener("127.0.0.1", backlog=4096)
port = listener.getsockname()[1]
held = [listener]
for i in range(pairs):
    held += tcp_pair(listener, source=source)
ready_and_hold({"pid": os.getpid(), "port": port, "sockets": 2 * pairs + 1})
# Reset instead of closing politely: a polite close leaves one TIME_WAIT socket per pair
# for a minute, and a big farm fills the host's TIME_WAIT table (tcp_max_tw_buckets), so
# other programs' connections could not enter TIME_WAIT meanwhile.
for s in held:
    try:
        reset_on_close(s)
        s.close()
    except OSError:
        pass
