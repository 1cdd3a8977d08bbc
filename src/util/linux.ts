// Kernel numbers every source shares (include/uapi/linux/{socket,in}.h,
// include/net/tcp_states.h).

export const AF_INET = 2
export const AF_INET6 = 10
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17

/** Kernel TCP state numbers (TCP_ESTABLISHED = 1 … TCP_BOUND_INACTIVE = 13). */
export const TCP_STATE = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  NEW_SYN_RECV: 12,
  BOUND_INACTIVE: 13,
} as const
