// CookieSet (src/sources/netlink/cookie-set.ts): the set the decoder keeps a dump's cookies in,
// against a plain Set of the same cookies.
import fc from 'fast-check'
import t from 'tap'
import { CookieSet } from '../../src/sources/netlink/index.js'

t.test('adds each cookie once, through growth, cookie 0 included', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.oneof(fc.constant(0), fc.nat(50), fc.integer({ min: 0, max: 0xffffffff })), fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffffffff }))), { maxLength: 3000 }),
      (cookies) => {
        const set = new CookieSet()
        const model = new Set<string>()
        for (const [a, b] of cookies) {
          const key = `${a}:${b}`
          if (set.add(a, b) !== !model.has(key)) return false
          model.add(key)
        }
        return set.size === model.size && cookies.every(([a, b]) => !set.add(a, b))
      },
    ),
  )
  t.end()
})

t.test('200,000 sequential cookies: all kept, none twice', (t) => {
  const set = new CookieSet()
  let fresh = 0
  for (let i = 1; i <= 200_000; i++) if (set.add(5_000_000 + i * 3, 0)) fresh++
  for (let i = 1; i <= 200_000; i++) if (set.add(5_000_000 + i * 3, 0)) fresh++
  t.equal(fresh, 200_000)
  t.equal(set.size, 200_000)
  t.end()
})
