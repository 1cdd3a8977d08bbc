// parseContainer over the paths runtimes make, as they appear in /proc/PID/cgroup's
// `0::` line and under /sys/fs/cgroup (docs/netns.md, "Containers").
import t from 'tap'
import { parseContainer, type ContainerInfo } from '../../src/cgroups/index.js'

const ID = '3c4a1b8e9f0d2c7a6b5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a19080'
const ID2 = '34dc0b5e626f2c5c4c5170e34b10e7654ce36f0fcd532739f4445baabea03376'
const UID = '74c13223-5a00-11e9-b385-42010a80018d'
const UID_ = UID.replaceAll('-', '_')

const cases: [string, ContainerInfo | null][] = [
  // docker
  [`/docker/${ID}`, { runtime: 'docker', containerId: ID }],
  [`/system.slice/docker-${ID}.scope`, { runtime: 'docker', containerId: ID, unit: `docker-${ID}.scope` }],
  // a container running its own systemd: the container's id, its own units not taken for the host's
  [`/system.slice/docker-${ID}.scope/init.scope`, { runtime: 'docker', containerId: ID, unit: `docker-${ID}.scope` }],
  [`/docker/${ID}/system.slice/nginx.service`, { runtime: 'docker', containerId: ID }],
  // rootless docker, under the user's manager
  [`/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`, { runtime: 'docker', containerId: ID, unit: `docker-${ID}.scope` }],
  // Kubernetes, systemd driver: QoS slices, pod uid with underscores, the runtime's scope
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
    { runtime: 'containerd', containerId: ID, podUid: UID, unit: `cri-containerd-${ID}.scope` },
  ],
  [
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`,
    { runtime: 'cri-o', containerId: ID, podUid: UID, unit: `crio-${ID}.scope` },
  ],
  [`/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope`, { runtime: 'docker', containerId: ID, podUid: UID, unit: `docker-${ID}.scope` }],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${ID}.scope`,
    { runtime: 'cri-o', containerId: ID, podUid: UID, unit: `crio-conmon-${ID}.scope`, monitor: true },
  ],
  // the pod's own cgroup: a pod, no container
  [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`, { runtime: 'kubernetes', podUid: UID }],
  // Kubernetes, cgroupfs driver: the runtime is not in the path (k3s, older kubeadm)
  [`/kubepods/besteffort/pod${UID}/${ID2}`, { runtime: 'kubernetes', containerId: ID2, podUid: UID }],
  [`/kubepods/pod${UID}/${ID2}`, { runtime: 'kubernetes', containerId: ID2, podUid: UID }],
  [`/kubepods/burstable/pod${UID}/crio-${ID}`, { runtime: 'cri-o', containerId: ID, podUid: UID }],
  // podman: root with systemd (crun's split: /container), conmon, cgroupfs, rootless
  [`/machine.slice/libpod-${ID}.scope`, { runtime: 'podman', containerId: ID, unit: `libpod-${ID}.scope` }],
  [`/machine.slice/libpod-${ID}.scope/container`, { runtime: 'podman', containerId: ID, unit: `libpod-${ID}.scope` }],
  [`/machine.slice/libpod-conmon-${ID}.scope`, { runtime: 'podman', containerId: ID, unit: `libpod-conmon-${ID}.scope`, monitor: true }],
  [`/libpod_parent/libpod-${ID}`, { runtime: 'podman', containerId: ID }],
  [
    `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
    { runtime: 'podman', containerId: ID, unit: `libpod-${ID}.scope` },
  ],
  // LXC 4+ and before
  ['/lxc.payload.web1', { runtime: 'lxc', containerId: 'web1' }],
  ['/lxc.payload.web1/system.slice/ssh.service', { runtime: 'lxc', containerId: 'web1' }],
  ['/lxc.monitor.web1', { runtime: 'lxc', containerId: 'web1', monitor: true }],
  ['/lxc/web1', { runtime: 'lxc', containerId: 'web1' }],
  // systemd: the leaf-most service or scope
  ['/system.slice/nginx.service', { runtime: 'systemd', unit: 'nginx.service' }],
  ['/user.slice/user-1000.slice/session-3.scope', { runtime: 'systemd', unit: 'session-3.scope' }],
  ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-2345.scope', { runtime: 'systemd', unit: 'app-gnome-firefox-2345.scope' }],
  ['/init.scope', { runtime: 'systemd', unit: 'init.scope' }],
  // nothing to name
  ['/', null],
  ['', null],
  ['/system.slice', null],
  ['/user.slice/user-1000.slice', null],
  // near misses: not a container
  [`/docker/${ID}x`, null],
  [`/system.slice/docker-${ID.slice(0, 20)}.scope`, { runtime: 'systemd', unit: `docker-${ID.slice(0, 20)}.scope` }],
  [`/other/${ID}`, null],
  [`/docker/${ID.toUpperCase()}`, null],
  [`/kubepods.slice/pod${UID}/${ID2}`, { runtime: 'kubernetes', containerId: ID2, podUid: UID }],
  // a custom --cgroup-root: the pod directory alone says Kubernetes
  [`/custom/pod${UID}/${ID2}`, { runtime: 'kubernetes', containerId: ID2, podUid: UID }],
]

for (const [path, expected] of cases) {
  t.same(parseContainer(path), expected, path === '' ? '(empty)' : path)
}
