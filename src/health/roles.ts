// Where a service's expectation is judged: on its listener(s) or on the connections
// they accepted. Servers set most options on each accepted socket (or on the listener,
// from which accepted sockets inherit them), so that is where they take effect and
// where a check must look; a few options only mean something on a listener.
import type { Proto } from '../model.js'

/** 'listener': the service's listening sockets; 'connections': the connections they accepted. */
export type Role = 'listener' | 'connections'

export const ROLES: readonly Role[] = ['listener', 'connections']

/**
 * The options judged on listeners by default: they govern binding and accepting
 * (address reuse, Fast Open and defer-accept queues, the v6-only switch, the bound
 * device, non-local binds). Every other option is judged on accepted connections.
 */
const LISTENER_OPTIONS: ReadonlySet<string> = new Set([
  'SO_REUSEADDR',
  'SO_REUSEPORT',
  'TCP_FASTOPEN',
  'TCP_DEFER_ACCEPT',
  'IPV6_V6ONLY',
  'SO_BINDTODEVICE',
  'IP_FREEBIND',
  'IP_TRANSPARENT',
])

/**
 * The role an expectation given without one is judged in. A UDP service has no
 * accepted connections: its bound socket carries every option, so all are judged there.
 */
export function defaultRole(option: string, proto: Proto): Role {
  if (proto === 'udp') return 'listener'
  return LISTENER_OPTIONS.has(option) ? 'listener' : 'connections'
}
