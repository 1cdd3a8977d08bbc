// Network namespaces: finding every one on the host, and resolving a query's `netns` value.
export { findNetworkNamespaces, type NamespaceScan, type NetworkNamespace, type ScanOptions } from './discover.js'
export { resolveNetnsSpec, type NetnsSpec, type ResolvedNetns } from './resolve.js'
export { NetnsError, type NetnsErrorReason } from './errors.js'
export { listNetnsNames, NETNS_RUN_DIR } from './names.js'
export { parseMountInfo, readMountInfo, type MountInfo } from './mountinfo.js'
export { closeNetns, openNetns, type NetnsRef, type NetnsTarget } from './target.js'
export { readNetnsText, readNetnsTextSync } from './files.js'
