// "Did you mean" for mistyped names: the closest known words, none for hostile input.
import t from 'tap'
import { closestWords, didYouMean, editDistance } from '../../src/util/suggest.js'
import { unknownOptionMessage } from '../../src/options.js'

t.test('edit distance counts a swap of neighbours as one edit', async (t) => {
  t.equal(editDistance('TCP_NODLAY', 'TCP_NODELAY'), 1)
  t.equal(editDistance('SO_KEEPALVIE', 'SO_KEEPALIVE'), 1, 'transposition')
  t.equal(editDistance('', 'abc'), 3)
  t.equal(editDistance('same', 'same'), 0)
})

t.test('typos of option names suggest the option', async (t) => {
  const known = ['TCP_NODELAY', 'TCP_KEEPIDLE', 'TCP_KEEPCNT', 'SO_KEEPALIVE']
  t.same(closestWords('TCP_NODLAY', known), ['TCP_NODELAY'])
  t.same(closestWords('tcp_nodelay', known), ['TCP_NODELAY'], 'lower case')
  t.same(closestWords('TCP_KEEPCOUNT', known), ['TCP_KEEPCNT'])
  t.same(closestWords('SO_LINGER', known), [], 'nothing close')
  t.same(closestWords('x'.repeat(100_000), known), [], 'huge input is not compared')
  t.equal(didYouMean('TCP_NODLAY', known), ' (did you mean TCP_NODELAY?)')
  t.equal(didYouMean('zzz', known), '')
})

t.test('the unknown-option message names the typo and the option', async (t) => {
  const message = unknownOptionMessage('TCP_NODLAY')
  t.match(message, /^unknown socket option "TCP_NODLAY" \(did you mean TCP_NODELAY\?\); knetstat knows SO_REUSEADDR, /)
})
