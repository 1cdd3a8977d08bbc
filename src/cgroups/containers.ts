// The container (or systemd unit) a cgroup v2 path names, by the naming conventions of
// the runtimes that made it. The leaf-most segment that names a container wins (podman's
// `.../libpod-ID.scope/container` and a container's own systemd below it keep its id);
// a Kubernetes pod uid is read from any segment naming a pod (a full uuid after `pod`).
//
//   docker      /docker/ID (cgroupfs driver)     /system.slice/docker-ID.scope (systemd driver)
//   containerd  .../cri-containerd-ID.scope (CRI, systemd driver)
//   CRI-O       .../crio-ID.scope, crio-conmon-ID.scope (its monitor), .../pod<UID>/crio-ID (cgroupfs)
//   podman      /machine.slice/libpod-ID.scope[/container], libpod-conmon-ID.scope, /libpod_parent/libpod-ID
//   Kubernetes  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<UID with _>.slice/<runtime scope>
//               /kubepods/burstable/pod<UID>/<ID> (cgroupfs driver: the runtime is not named)
//   LXC         /lxc.payload.NAME, /lxc.monitor.NAME, /lxc/NAME
//   systemd     the leaf-most .service or .scope when no container is named

export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'kubernetes' | 'lxc' | 'systemd'

export interface ContainerInfo {
  /** Who made the cgroup; 'kubernetes' when a pod's path does not name its runtime (cgroupfs driver). */
  runtime: ContainerRuntime
  /** The runtime's container id (64 hex for docker, containerd's CRI, CRI-O and podman); the container's name for LXC. */
  containerId?: string
  /** The Kubernetes pod's uid, with dashes. */
  podUid?: string
  /** The leaf-most systemd unit (`nginx.service`, `docker-ID.scope`), when the path has one. */
  unit?: string
  /** The cgroup of the runtime's monitor for the container (conmon, lxc.monitor), not the container's own processes. */
  monitor?: true
}

/** A container id as runtimes make them: hex, 64 digits (a short 12 is accepted for hand-made paths). */
const ID = '([0-9a-f]{64}|[0-9a-f]{12})'

/** One segment's rule: a pattern and what its match says. */
interface SegmentRule {
  pattern: RegExp
  runtime: ContainerRuntime
  /** The segment before it must be this (cgroupfs drivers name containers by a bare id under a parent). */
  parent?: RegExp
  monitor?: true
}

// Order matters where patterns overlap: the monitors before their containers.
const RULES: readonly SegmentRule[] = [
  { pattern: new RegExp(`^docker-${ID}\\.scope$`), runtime: 'docker' },
  { pattern: new RegExp(`^${ID}$`), runtime: 'docker', parent: /^docker$/ },
  { pattern: new RegExp(`^cri-containerd-${ID}\\.scope$`), runtime: 'containerd' },
  { pattern: new RegExp(`^crio-conmon-${ID}\\.scope$`), runtime: 'cri-o', monitor: true },
  { pattern: new RegExp(`^crio-${ID}(?:\\.scope)?$`), runtime: 'cri-o' },
  { pattern: new RegExp(`^libpod-conmon-${ID}\\.scope$`), runtime: 'podman', monitor: true },
  { pattern: new RegExp(`^libpod-${ID}(?:\\.scope)?$`), runtime: 'podman' },
  { pattern: new RegExp(`^${ID}$`), runtime: 'kubernetes', parent: /^pod[0-9a-f-]{36}$/ },
  { pattern: /^lxc\.monitor\.(.+)$/, runtime: 'lxc', monitor: true },
  { pattern: /^lxc\.payload\.(.+)$/, runtime: 'lxc' },
  { pattern: /^(.+)$/, runtime: 'lxc', parent: /^lxc$/ },
]

/** The pod uid of a kubepods segment: `kubepods-burstable-pod<uid_with_underscores>.slice` or `pod<uid>`. */
const POD_SLICE = /^kubepods(?:-[a-z]+)?-pod([0-9a-f_]{36})\.slice$/
const POD_DIR = /^pod([0-9a-f-]{36})$/
const UNIT = /^(.+\.(?:service|scope))$/

export function parseContainer(path: string): ContainerInfo | null {
  const segments = path.split('/').filter((s) => s.length > 0)
  let found: ContainerInfo | null = null
  let foundAt = -1
  for (let i = segments.length - 1; i >= 0 && found === null; i--) {
    const segment = segments[i] as string
    for (const rule of RULES) {
      const m = rule.pattern.exec(segment)
      if (m === null || (rule.parent !== undefined && !rule.parent.test(segments[i - 1] ?? ''))) continue
      found = { runtime: rule.runtime, containerId: m[1] as string }
      if (rule.monitor) found.monitor = true
      foundAt = i
      break
    }
  }
  const podUid = findPodUid(segments)
  // The unit is the leaf-most one at or above the container's segment: below it is the container's own systemd.
  const unitScope = found === null ? segments : segments.slice(0, foundAt + 1)
  const unit = [...unitScope].reverse().find((s) => UNIT.test(s))
  if (found === null) {
    if (podUid !== undefined) found = { runtime: 'kubernetes' }
    else if (unit !== undefined) found = { runtime: 'systemd' }
    else return null
  }
  if (podUid !== undefined) found.podUid = podUid
  if (unit !== undefined) found.unit = unit
  return found
}

function findPodUid(segments: readonly string[]): string | undefined {
  for (const segment of segments) {
    const slice = POD_SLICE.exec(segment)
    if (slice !== null) return (slice[1] as string).replaceAll('_', '-')
    const dir = POD_DIR.exec(segment)
    if (dir !== null) return dir[1] as string
  }
  return undefined
}
