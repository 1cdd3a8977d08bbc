// The mount table parser and the choice of cgroup2 mount, on text as the kernel writes it.
import t from 'tap'
import { cgroup2Mounts, findCgroup2Mount } from '../../src/cgroups/index.js'
import { parseMountInfo, unescapeMountField } from '../../src/netns/mountinfo.js'

const TABLE = [
  '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw',
  '41 26 0:37 /system.slice /mnt/sub rw,relatime - cgroup2 cgroup2 rw',
  '42 41 0:4 net:[4026532176] /run/netns/blue rw shared:2 master:1 - nsfs nsfs rw',
  '43 26 0:4 net:[4026532300] /tmp/with\\040space\\134x rw - nsfs nsfs rw',
  'garbage line',
  '44 26 0:50 / /short rw',
  '',
].join('\n')

t.test('fields, optional fields, escapes, malformed lines', async (t) => {
  const mounts = parseMountInfo(TABLE)
  t.equal(mounts.length, 7, 'the two malformed lines are skipped')
  t.same(mounts[5], { device: '0:4', root: 'net:[4026532176]', mountPoint: '/run/netns/blue', fsType: 'nsfs' }, 'optional fields before the dash')
  t.equal(mounts[6]?.mountPoint, '/tmp/with space\\x', 'octal escapes')
  t.equal(unescapeMountField('a\\011b\\012c'), 'a\tb\nc')
})

t.test('the whole-hierarchy cgroup2 mount is walked, a subtree mount after it', async (t) => {
  const mounts = parseMountInfo(TABLE)
  t.same(cgroup2Mounts(mounts), [
    { mountPoint: '/sys/fs/cgroup/unified', root: '/' },
    { mountPoint: '/mnt/sub', root: '/system.slice' },
  ])
  t.same(await findCgroup2Mount(mounts), { mountPoint: '/sys/fs/cgroup/unified', root: '/' })
  t.equal(await findCgroup2Mount(mounts.filter((m) => m.fsType !== 'cgroup2')), null, 'a v1-only table has none')
})
