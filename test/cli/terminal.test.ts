// The CLI's three ways of writing untrusted text: values (escaped, quoted), prose
// that may already hold escapes (raw controls escaped, escapes kept), and JSON (the
// value unchanged, the text safe).
import t from 'tap'
import { forTerminal, jsonForTerminal, quoted } from '../../src/cli/terminal.js'
import { escapeForDisplay } from '../../src/text/escape.js'
import { UNSAFE_FOR_TERMINAL } from '../helpers/hostile.js'

const HOSTILE = 'a\x1b[2J\u009b\u202e\u2066\u2028\x7f\ud800b\u{E0001}\u{1D173}"\\'

t.test('quoted: every unsafe character escaped, quotes and backslashes too', async (t) => {
  const q = quoted(HOSTILE)
  t.notMatch(q, UNSAFE_FOR_TERMINAL)
  t.match(q, /^"(?:[^"\\]|\\.)*"$/, 'one quoted string: every inner quote and backslash escaped')
  t.not(quoted('a"b'), quoted('a\\"b'), 'different values stay different')
  t.equal(q, `"${escapeForDisplay(HOSTILE).replace(/"/g, '\\"')}"`, 'escaped by the one rule (text/escape.ts)')
})

t.test('forTerminal: raw controls escaped, lines and earlier escapes kept', async (t) => {
  const out = forTerminal(`process 7 (\\x1b]0;X) said ${HOSTILE}\nsecond line`)
  t.notMatch(out, UNSAFE_FOR_TERMINAL)
  t.ok(out.startsWith('process 7 (\\x1b]0;X) said a\\x1b[2J\\x9b'), 'an escape already made is not doubled')
  t.equal(out.split('\n').length, 2, 'newlines stay line breaks')
})

t.test('jsonForTerminal: safe text, the same value', async (t) => {
  const json = JSON.stringify({ command: HOSTILE })
  const safe = jsonForTerminal(json)
  t.notMatch(safe, UNSAFE_FOR_TERMINAL)
  t.same(JSON.parse(safe), { command: HOSTILE }, 'parses back to the same value')
})
