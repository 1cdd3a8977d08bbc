// Cgroup attribution: a socket's cgroup id → its cgroup v2 path → the container or unit it names.
export { CgroupResolver, type CgroupAttribution, type CgroupId, type CgroupResolverOptions, type CgroupUnknownCode } from './resolve.js'
export { parseContainer, type ContainerInfo, type ContainerRuntime } from './containers.js'
export { findCgroup2Mount, cgroup2Mounts, type Cgroup2Mount } from './mounts.js'
export { processCgroupPath, parseProcCgroup } from './process-cgroup.js'
