// The metrics: names (without the prefix), help texts and labels. docs/metrics.md
// describes them for users.

export interface MetricDefinition {
  /** The name after the prefix. */
  name: string
  kind: 'gauge' | 'counter'
  help: string
  labelNames: string[]
}

const gauge = (name: string, help: string, labelNames: string[] = []): MetricDefinition => ({ name, kind: 'gauge', help, labelNames })
const counter = (name: string, help: string): MetricDefinition => ({ name, kind: 'counter', help, labelNames: [] })

/** The socket gauges without labels: NaN after a failed listing. */
export const UNLABELED_SOCKET_GAUGES = [
  'listeners',
  'accept_queue_full_listeners',
  'accept_queue_nearly_full_listeners',
  'accept_queue_max_fill_ratio',
  'accept_queue_unknown_limit_listeners',
]

/** Every metric, in the order they are registered: the per-port ones when ports are watched, the option ones when options are counted. */
export function metricDefinitions(watchingPorts: boolean, countingOptions: boolean, checking = false, groupLabel: string | null = null): MetricDefinition[] {
  const group = groupLabel === null ? [] : [groupLabel]
  return [
    gauge('sockets', 'Sockets by protocol, address family (4, 6) and kernel state (UDP: CLOSE unconnected, ESTABLISHED connected)', [...group, 'proto', 'family', 'state']),
    gauge('diag_sockets', 'TCP sockets with a diag flag raised: sendWindowZero (peer window 0), receiveWindowZero (our window 0), ackStalled (unacked data, no ACK for over 1 s)', [...group, 'flag']),
    gauge('diag_unknown_sockets', 'ESTABLISHED TCP sockets whose diag flag is unknown (the kernel or the query does not give it)', ['flag']),
    gauge('listeners', 'Listening TCP sockets'),
    gauge('accept_queue_full_listeners', 'Listeners whose accept queue is over its limit (recvQ > backlog): new connections are dropped'),
    gauge('accept_queue_nearly_full_listeners', 'Listeners not full with recvQ >= nearlyFullRatio x backlog'),
    gauge('accept_queue_max_fill_ratio', 'The largest accept queue length / limit among listeners with a known limit (above 1: full)'),
    gauge('accept_queue_unknown_limit_listeners', 'Listeners whose accept queue limit is unknown (recordings without the backlog option)'),
    ...(watchingPorts
      ? [
          gauge('port_sockets', 'Sockets of a watched port by protocol and state; side="local" when the local port is the watched one, "remote" for connections to it', ['port', 'proto', 'side', 'state']),
          gauge('port_accept_queue_length', 'Connections waiting in the accept queues of the listeners on a watched port (summed over SO_REUSEPORT listeners)', ['port', 'family']),
          gauge('port_accept_queue_limit', 'The accept queue limit of the listeners on a watched port (summed over SO_REUSEPORT listeners)', ['port', 'family']),
        ]
      : []),
    ...(countingOptions
      ? [
          gauge('option_sockets', 'Sockets by a socket option: value "1"/"0" for boolean options, "set"/"unset" for the others', ['option', 'value']),
          gauge('option_unknown_sockets', 'Sockets whose options could not be read, by error code (e.g. EPERM)', ['code']),
        ]
      : []),
    ...(checking
      ? [gauge('check_status', 'The verdict of each configured check (docs/health.md): 1 for its status (ok, fail, unknown), 0 for the others; unknown too when its listing failed', ['check', 'status'])]
      : []),
    gauge('listing_duration_seconds', 'How long the last listing took, in seconds'),
    gauge('listing_success', '1 when the last listing succeeded, 0 when it failed (then the labeled socket gauges have no series and the others are NaN)'),
    counter('listings_total', 'Socket listings made (one per scrape)'),
    counter('listing_errors_total', 'Socket listings that failed (the scrape still answers)'),
  ]
}
