// registerSocketMetrics refuses an option name knetstat does not know: a typo would
// otherwise make series that count every socket as unset.
import { Registry } from 'prom-client'
import t from 'tap'
import { registerSocketMetrics } from '../../src/prometheus.js'

t.test('an unknown option name is a TypeError that names the option meant', async (t) => {
  const registry = new Registry()
  // The type rejects it too; JavaScript callers meet the TypeError.
  // @ts-expect-error TCP_NODLAY is not a SocketOptionName
  t.throws(() => registerSocketMetrics(registry, { options: ['TCP_NODLAY'] }), {
    name: 'TypeError',
    message: /^options: unknown socket option "TCP_NODLAY" \(did you mean TCP_NODELAY\?\); knetstat knows /,
  })
  t.throws(() => registerSocketMetrics(registry, { options: ['tcp_nodelay' as never] }), { name: 'TypeError', message: /did you mean TCP_NODELAY\?/ }, 'whatever the case')
  t.throws(() => registerSocketMetrics(registry, { options: ['SO_KEEPALIVE', 'SO_FUTURE' as never] }), { name: 'TypeError', message: /"SO_FUTURE"/ }, 'one bad name among good ones')
  t.equal(registry.getMetricsAsArray().length, 0, 'nothing is registered')
})
