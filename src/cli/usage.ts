export const USAGE_LINE = 'Usage: knetstat [-tu46lpeO] [--state S] [--port P] [--sport P] [--dport P] [--src A] [--dst A]\n                [-N NS | --all-netns] [--cgroup] [--source SRC] [--format table|knetstat|--json|--ndjson]\n                [--color WHEN] [--watch [SEC]] [--proc-net DIR]\n       knetstat check --port P [--expect NAME=VALUE]... [--no-stalled] [--json]\n       knetstat record DIR\n'

export const HELP = `${USAGE_LINE}
Lists every TCP and UDP socket with netstat's columns, diag flags (>| |< >|<
zero windows, ># stalled ACK) and the socket options each process set. On a
terminal: one table (protocol column, fitted columns, a listener's backlog as its
Send-Q, the options the application set). Anywhere else (a pipe, a file): the text
of the knetstat kernel module's /proc/net/{tcp,tcp6,udp,udp6}stat files.

Filters (all sockets by default):
  -t, --tcp            TCP sockets          -u, --udp       UDP sockets
  -4, --ipv4           IPv4 sockets         -6, --ipv6      IPv6 sockets
  -l, --listening      TCP listeners and unconnected UDP sockets
  --state S[,S...]     kernel state names (ESTABLISHED, LISTEN, TIME_WAIT, ...; any case, - or _)
  --port P[,P...]      local or remote port, N or FROM-TO
  --sport P[,P...]     local port (also --local-port)
  --dport P[,P...]     remote port (also --remote-port)
  --address A[,A...]   local or remote address or network (127.0.0.1, ::1, 10.0.0.0/8)
  --src A[,A...]       local address or network (also --local-address)
  --dst A[,A...]       remote address or network (also --remote-address)
  -a, -n               accepted for habit: all sockets and numeric output are the default

Output:
  --format table|knetstat
                       the table (default on a terminal) or knetstat text (default
                       anywhere else: what scripts and recordings read)
  -p, --processes      the processes holding each socket: PID/name in the table,
                       users:(("cmd",pid=N,fd=N)) in knetstat text
  --cgroup             each socket's cgroup and the container it names (docker,
                       containerd, CRI-O, podman, Kubernetes, LXC) or systemd unit:
                       a Container column in the table, cgroup:PATH in knetstat text
  -e, --extended       tcp_info (rtt, cwnd, windows, retransmits) of connections;
                       with JSON: include tcpInfo
  -O, --all-options    every option the source reported, defaults too (the table
                       shows those the application set)
  --json               one JSON document (an array of sockets)
  --ndjson             one JSON object per line
  --watch [SEC]        redraw every SEC seconds (default 2); marks + new, - gone, ~ changed
  --color[=WHEN]       auto (default: on a terminal, unless NO_COLOR is set;
                       FORCE_COLOR=1 forces it), always, never

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
  -N, --netns NS       list the network namespace NS: an ip netns name, a path
                       (/run/netns/NAME, /proc/PID/ns/net) or a pid; needs root (or
                       owning its user namespace). A Netns column in the table,
                       netns:NAME in knetstat text
  --all-netns          list every network namespace on the host, one after the other;
                       one that cannot be read is said on stderr
  --proc-net DIR       replay a recording (see knetstat record) instead of this host;
                       also KNETSTAT_PROC_NET=DIR
  --max-recording-bytes N
                       refuse a recorded file larger than N bytes (256M, 2G; default 128M)

knetstat check --port P [--address A] [-u] [-4|-6] [-N NS] [--expect NAME=VALUE]...
  Judges a service: its listener(s) on local port P and the connections they
  accepted. Fails when nothing listens, an accept queue is full, an expectation is
  broken, or (--no-stalled) a connection is stalled; an idle service passes.
  --expect NAME=VALUE  an option each socket must have (1/0, 1500ms, 7s, numbers),
                       judged where servers set it: on the listener for
                       SO_REUSEADDR, SO_REUSEPORT, TCP_FASTOPEN, TCP_DEFER_ACCEPT,
                       IPV6_V6ONLY, SO_BINDTODEVICE, IP_FREEBIND, IP_TRANSPARENT; on
                       accepted connections for the others (UDP: the bound socket)
  --expect-listener NAME=VALUE, --expect-connections NAME=VALUE
                       judged on the listener / on the connections, whatever the default
  --no-stalled         a zero window or stalled ACK fails (default: a warning)
  --backlog N          the listen() backlog, for a recording (which carries none)
  --nearly-full R      warn when an accept queue is R of its limit (default 0.8)
  --remote-port P [--remote-address A]
                       instead of --port: this host's outgoing connections to P
  --json               the verdict as JSON
  What the check cannot know (options a source cannot decide or read, a
  recording's backlog) is UNKNOWN (exit 3) with what would tell it, never ok.
  e.g. knetstat check --port 5432 --expect TCP_NODELAY=1 --expect SO_KEEPALIVE=1 --no-stalled

knetstat record DIR
  Writes tcpstat, tcp6stat, udpstat, udp6stat of this host into DIR, as test fixtures.
  Files are mode 0600 (they hold every user's sockets); a symlink on the way to DIR
  owned by another user is refused (see docs/cli.md, "record as root").

Exit codes: 0 ok, 1 failure (or a failed check), 2 usage error, 3 check unknown.
  -h, --help           this help            -V, --version   the version
`
