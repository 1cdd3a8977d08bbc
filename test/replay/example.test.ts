// docs/testing.md's example test runs and passes: a health endpoint checked against
// recordings with a full accept queue and a stalled connection.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = fileURLToPath(new URL('../..', import.meta.url))

t.test('examples/testing/health.test.mjs passes under node --test', async (t) => {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'examples/testing/health.test.mjs'], { cwd: root, encoding: 'utf8' })
  t.equal(r.status, 0, r.stdout + r.stderr)
  t.match(r.stdout, /^# pass 2$/m, 'both example tests pass')
  t.match(r.stdout, /^# fail 0$/m)
})
