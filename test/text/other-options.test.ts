// Options this version does not know: at compile time SocketOptions takes only the
// names knetstat knows (`npm run typecheck` compiles test/, so every @ts-expect-error
// below must be an error), and at run time a newer module's option is kept, as text,
// in otherOptions and written back where it was.
import { test } from 'tap'
import { formatKnetstat, parseKnetstat, type SocketEntry, type SocketOptionName, type SocketOptions } from '../../src/index.js'
import { isKnownOption } from '../../src/options.js'
import { TCP_HEADER, UDP_HEADER } from '../helpers/knetstat-text.js'

const text = `${TCP_HEADER}\n     0      0 127.0.0.1:22            127.0.0.1:5000          ESTB      SO_REUSEADDR=1,SO_KEEPALIVE=0,TCP_NODELAY=1,TCP_DEFER_ACCEPT=0,SO_FUTURE=abc\n`

test('a misspelt option name does not compile; an unknown one is read from otherOptions', async (t) => {
  const entry = parseKnetstat(text)[0] as SocketEntry
  // @ts-expect-error TCP_NODLAY is no SocketOptions key (TCP_NODELAY is)
  t.equal(entry.options?.TCP_NODLAY, undefined)
  t.equal(entry.options?.TCP_NODELAY, true)
  const future: string | undefined = entry.otherOptions?.['SO_FUTURE']
  t.equal(future, 'abc')
  // Compiled, never called: otherOptions is read-only.
  const mutate = (e: SocketEntry): void => {
    // @ts-expect-error a readonly record
    if (e.otherOptions !== undefined) e.otherOptions['SO_FUTURE'] = 'x'
  }
  t.type(mutate, 'function')
  // @ts-expect-error nor can SocketOptions hold an unknown name
  const literal: SocketOptions = { SO_FUTURE: 'abc' }
  t.ok(literal)
  // @ts-expect-error any string is not a SocketOptionName
  const name: SocketOptionName = 'TCP_NODLAY' as string
  t.ok(name)
  // A name from outside (configuration, a command line) is narrowed by isKnownOption.
  const lookUp = (e: SocketEntry, n: string): unknown => (isKnownOption(n) ? e.options?.[n] : e.otherOptions?.[n])
  t.equal(lookUp(entry, 'TCP_NODELAY'), true)
  t.equal(lookUp(entry, 'SO_FUTURE'), 'abc')
})

test('SO_FUTURE=abc parses into otherOptions and formats back byte for byte', async (t) => {
  const [entry] = parseKnetstat(text)
  t.same(entry?.options, { SO_REUSEADDR: true, SO_KEEPALIVE: false, TCP_NODELAY: true, TCP_DEFER_ACCEPT: 0 })
  t.same(entry?.otherOptions, { SO_FUTURE: 'abc' })
  t.equal(formatKnetstat(parseKnetstat(text)), text)
})

test('otherOptions is there only when the line has an unknown option', async (t) => {
  const [entry] = parseKnetstat(text.replace(',SO_FUTURE=abc', ''))
  t.notOk('otherOptions' in (entry as SocketEntry))
})

test('an unknown option’s text is unescaped, and escaped again when written', async (t) => {
  const udp = `${UDP_HEADER}\n     0      0 127.0.0.1:53            0.0.0.0:*               SO_REUSEADDR=0,SO_BROADCAST=0,SO_FUTURE=a\\x2cb\\x3dc,SO_LATER=\n`
  const [entry] = parseKnetstat(udp)
  t.same(entry?.otherOptions, { SO_FUTURE: 'a,b=c', SO_LATER: '' }, 'in the order of the text')
  t.equal(formatKnetstat(parseKnetstat(udp)), udp)
})

test('the same unknown option twice is an error, as a known one is', async (t) => {
  t.throws(() => parseKnetstat(text.replace('SO_FUTURE=abc', 'SO_FUTURE=abc,SO_FUTURE=d')), { message: /option SO_FUTURE appears twice/ })
})
