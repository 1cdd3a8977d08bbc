export const USAGE_LINE = 'Usage: knetstat [-tu46lpe] [--state S] [--port P] [--source SRC] [--json|--ndjson] [--watch [SEC]] [--proc-net DIR]\n       knetstat check [filters] --expect NAME=VALUE... [--no-stalled]\n       knetstat record DIR\n'

export const HELP = `${USAGE_LINE}
Prints every TCP and UDP socket as the knetstat kernel module's
/proc/net/{tcp,tcp6,udp,udp6}stat files do: netstat's columns, diag flags
(>| |< >|< zero windows, ># stalled ACK) and the socket options each process set.

Filters (all sockets by default):
  -t, --tcp            TCP sockets          -u, --udp       UDP sockets
  -4, --ipv4           IPv4 sockets         -6, --ipv6      IPv6 sockets
  -l, --listening      TCP listeners and unconnected UDP sockets
  --state S[,S...]     kernel state names (ESTABLISHED, LISTEN, TIME_WAIT, ...; any case, - or _)
  --port P[,P...]      local or remote port, N or FROM-TO
  -a, -n               accepted for habit: all sockets and numeric output are the default

Output:
  -p, --processes      append the processes holding each socket: users:(("cmd",pid=N,fd=N))
  -e, --extended       append tcp_info (rtt, cwnd, windows, retransmits); with JSON: include tcpInfo
  --json               one JSON document (an array of sockets)
  --ndjson             one JSON object per line
  --watch [SEC]        redraw every SEC seconds (default 2); marks + new, - gone, ~ changed
  Colour marks diag codes on a terminal only, never with NO_COLOR set.

Sources:
  --source auto|module|bpf|pidfd|netlink
                       where options come from: auto (default: module if loaded, else
                       bpf if permitted, else pidfd), module (the knetstat kernel
                       module's /proc/net/*stat: every socket; fails if not loaded),
                       bpf (a BPF socket iterator program: every socket, as exact as
                       the module; root or CAP_BPF+CAP_PERFMON, Linux >= 5.9 with
                       BTF), pidfd (pidfd_getfd + getsockopt: your own processes, all
                       with CAP_SYS_PTRACE), netlink (no options)
  --no-options         the same as --source netlink
  --proc-net DIR       replay a recording (see knetstat record) instead of this host;
                       also KNETSTAT_PROC_NET=DIR
  --max-recording-bytes N
                       refuse a recorded file larger than N bytes (256M, 2G; default 128M)

knetstat check [filters] [--expect NAME=VALUE]... [--no-stalled]
  Exits 1, naming each socket and what it breaks, when a selected socket lacks an
  expected option value (values as in the table: 1/0, 1500ms, 7s, numbers) or is
  stalled; also when no socket matches. TIME_WAIT and connection requests have no
  options and are not checked against --expect.
  e.g. knetstat check --port 5432 --expect TCP_NODELAY=1 --expect SO_KEEPALIVE=1 --no-stalled

knetstat record DIR
  Writes tcpstat, tcp6stat, udpstat, udp6stat of this host into DIR, as test fixtures.
  Files are mode 0600 (they hold every user's sockets); a symlink on the way to DIR
  owned by another user is refused (see docs/cli.md, "record as root").

Exit codes: 0 ok, 1 failure (or a failed check), 2 usage error.
  -h, --help           this help            -V, --version   the version
`
