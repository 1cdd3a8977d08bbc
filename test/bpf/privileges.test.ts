// Without CAP_BPF + CAP_PERFMON the bpf source says so and what to do; 'auto' moves on
// to pidfd. Run as uid 65534 with no capabilities.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { TS_LOADER } from '../helpers/child.js'
import { runAsNobody } from '../helpers/nobody.js'

const PROGRAM = fileURLToPath(new URL('../helpers/programs/bpf-refusal.ts', import.meta.url))

t.test('an unprivileged caller', async (t) => {
  const r = await runAsNobody([process.execPath, '--import', TS_LOADER, PROGRAM])
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { refusal: { code?: string; message: string } | null; sources: (string | null)[] }
  t.equal(out.refusal?.code, 'EPERM', 'options bpf rejects with EPERM')
  t.match(out.refusal?.message ?? '', /CAP_BPF and CAP_PERFMON, or root/, 'and says what is needed')
  t.match(out.refusal?.message ?? '', /options 'auto'/, 'and what to use instead')
  t.notOk(out.sources.includes('bpf'), `auto did not use bpf: ${JSON.stringify(out.sources)}`)
})

t.test('with CAP_BPF and CAP_PERFMON the source serves', async (t) => {
  const r = await runAsNobody([process.execPath, '--import', TS_LOADER, PROGRAM], { caps: ['bpf', 'perfmon'] })
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { refusal: unknown; sources: (string | null)[] }
  t.equal(out.refusal, null, 'options bpf lists')
  t.ok(out.sources.includes('bpf'), `auto used bpf: ${JSON.stringify(out.sources)}`)
})
