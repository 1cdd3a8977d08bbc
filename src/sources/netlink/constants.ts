// Kernel numbers a DumpRequest is made of (include/uapi/linux/inet_diag.h); the
// families, protocols and states every source shares are in src/util/linux.ts.

/** Reply attributes (enum inet_diag_attr). */
export const INET_DIAG = {
  MEMINFO: 1,
  INFO: 2,
  VEGASINFO: 3,
  CONG: 4,
  TOS: 5,
  TCLASS: 6,
  SKMEMINFO: 7,
  SHUTDOWN: 8,
  DCTCPINFO: 9,
  PROTOCOL: 10,
  SKV6ONLY: 11,
  LOCALS: 12,
  PEERS: 13,
  PAD: 14,
  MARK: 15,
  BBRINFO: 16,
  CLASS_ID: 17,
  MD5SIG: 18,
  ULP_INFO: 19,
  SK_BPF_STORAGES: 20,
  CGROUP_ID: 21,
  SOCKOPT: 22,
} as const

/** The idiag_ext bit that asks for reply attribute `attribute` (only 1..8 can be asked for). */
export function extensionBit(attribute: number): number {
  if (!Number.isInteger(attribute) || attribute < 1 || attribute > 8) {
    throw new RangeError(`only INET_DIAG attributes 1..8 can be requested, not ${attribute}`)
  }
  return 1 << (attribute - 1)
}

/** idiag_states mask of every state. */
export const ALL_STATES = 0xffffffff

/** The idiag_states mask selecting `states` (kernel state numbers). */
export function stateMask(states: Iterable<number>): number {
  let mask = 0
  for (const state of states) {
    if (!Number.isInteger(state) || state < 0 || state > 31) throw new RangeError(`not a kernel state number: ${state}`)
    mask |= 1 << state
  }
  return mask >>> 0
}

/** idiag_timer values. */
export const DIAG_TIMER = {
  NONE: 0,
  RETRANSMIT: 1,
  KEEPALIVE: 2,
  TIME_WAIT: 3,
  ZERO_WINDOW_PROBE: 4,
} as const
