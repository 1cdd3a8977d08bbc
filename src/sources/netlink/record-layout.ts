// Byte offsets of the native record, mirroring src-native/diag/record_layout.h.
// Integers are in host byte order; addresses in network order.

export const RECORD_ABI_VERSION = 1

export const R = {
  size: 0, // u32, whole record incl. tail, multiple of 8
  protocol: 4, // u8
  family: 5, // u8
  state: 6, // u8
  timer: 7, // u8
  retransmits: 8, // u8
  shutdown: 9, // u8
  tos: 10, // u8
  tclass: 11, // u8
  present: 12, // u16
  v6only: 14, // u8
  congestionLength: 15, // u8
  localPort: 16, // u16
  remotePort: 18, // u16
  ifindex: 20, // u32
  uid: 24, // u32
  inode: 28, // u32
  cookie: 32, // u64
  expiresMs: 40, // u32
  recvQ: 44, // u32
  sendQ: 48, // u32
  mark: 52, // u32
  cgroupId: 56, // u64
  localAddress: 64, // 16 bytes
  remoteAddress: 80, // 16 bytes
  sockopt: 96, // 2 raw bytes
  tcpInfoLength: 98, // u16
  classId: 100, // u32
  meminfoCount: 104, // u8
  meminfo: 108, // u32[9]
  headerSize: 144,
} as const

export const PRESENT = {
  shutdown: 1 << 0,
  v6only: 1 << 1,
  tos: 1 << 2,
  tclass: 1 << 3,
  mark: 1 << 4,
  cgroupId: 1 << 5,
  sockopt: 1 << 6,
  meminfo: 1 << 7,
  classId: 1 << 8,
  tcpInfo: 1 << 9,
  congestion: 1 << 10,
} as const
