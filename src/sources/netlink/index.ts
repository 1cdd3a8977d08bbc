// The netlink source (NETLINK_SOCK_DIAG through the addon's dump cursor): the one
// module of this folder the rest of knetstat imports. listFromNetlink and
// netlinkBatches are the source; the rest is what the query (the filter program), the
// model (the types of decoded kernel structs) and tests need of it.

// The source.
export { listFromNetlink, MAX_LIST_ATTEMPTS } from './list.js'
export { netlinkBatches, STREAM_BATCH_BYTES, type DumpCursorBinding, type DumpState, type NetlinkReadOptions } from './batches.js'
export { dumpCounters } from './counters.js'
export { dumpRequests } from './requests.js'

// The kernel-side filter program a query compiles to.
export { compileFilter, MAX_BYTECODE } from './bytecode.js'

// Kernel structs as decoded, which the public model shows.
export type { DiagSockopt } from './sockopt.js'
export type { SocketMemInfo } from './mem-info.js'
export { readTcpInfo, TCP_INFO_KNOWN_SIZE, type TcpInfo } from './tcp-info.js'

// The records the addon writes and how they are read: the layout and the check of its
// version, the decoder and its parts, the request numbers.
export { checkRecordLayout, netlinkBinding } from './binding.js'
export { PRESENT, R, RECORD_ABI_VERSION } from './record-layout.js'
export { alignedViews, type AlignedViews } from './aligned-views.js'
export { EntryDecoder, readCgroupId, readCookieKey, readListedAttributes, RecordDecodeError, type EntryChunk, type EntryOptions } from './entries.js'
export { CookieSet } from './cookie-set.js'
export { ALL_STATES, extensionBit, INET_DIAG, stateMask } from './constants.js'
