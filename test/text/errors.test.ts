// Bad text is rejected with a KnetstatParseError that names the line and column and
// quotes the offending token: never a crash, a silent skip or a partial result.
import { test } from 'tap'
import { formatKnetstat, KnetstatParseError, parseKnetstat } from '../../src/index.js'
import { MAX_LINE_LENGTH } from '../../src/text/limits.js'
import { TCP_HEADER, UDP_HEADER } from '../helpers/knetstat-text.js'

const TCP = `${TCP_HEADER}\n`
const UDP = `${UDP_HEADER}\n`
const OPTS = 'SO_REUSEADDR=1,SO_REUSEPORT=0,SO_KEEPALIVE=0,TCP_NODELAY=0,TCP_DEFER_ACCEPT=0'
const line = (rest: string): string => `     0      0 127.0.0.1:22            127.0.0.1:5000          ${rest}\n`

// `column` is a number, or the token the column must point at (its first occurrence in the line).
const cases: { what: string; text: string; line: number; column: number | string; message: RegExp }[] = [
  { what: 'empty text', text: '', line: 1, column: 1, message: /missing header: found an empty line/ },
  { what: 'no header', text: line(`ESTB      ${OPTS}`), line: 1, column: 1, message: /missing header: found "     0      0 127/ },
  { what: 'netstat header', text: 'Proto Recv-Q Send-Q Local Address\n', line: 1, column: 1, message: /missing header: found "Proto Recv-Q/ },
  { what: 'CRLF', text: TCP.replace('\n', '\r\n'), line: 1, column: '\r', message: /carriage return/ },
  { what: 'too few columns', text: TCP + '     0      0 127.0.0.1:22\n', line: 2, column: 27, message: /wrong column count: 3 fields; a TCP line is Recv-Q Send-Q Local Foreign Stat/ },
  { what: 'too many columns', text: TCP + line(`ESTB >#   ${OPTS} extra`), line: 2, column: 'extra', message: /wrong column count: 8 fields, starting at "extra"/ },
  { what: 'empty line', text: TCP + '\n' + line(`ESTB      ${OPTS}`), line: 2, column: 1, message: /wrong column count: 0 fields/ },
  { what: 'UDP with a state', text: UDP + line(`CLSD      ${OPTS} x`), line: 2, column: 'SO_REUSEADDR=1', message: /wrong column count: 7 fields, starting at "SO_REUSEADDR=1/ },
  { what: 'bad queue', text: TCP + '    -1      0 127.0.0.1:22            127.0.0.1:5000          ESTB\n', line: 2, column: '-1', message: /bad Recv-Q "-1"/ },
  { what: 'queue with leading zero', text: TCP + '    01      0 127.0.0.1:22            127.0.0.1:5000          ESTB\n', line: 2, column: '01', message: /bad Recv-Q "01"/ },
  { what: 'bad port', text: TCP + '     0      0 127.0.0.1:65536         127.0.0.1:5000          ESTB\n', line: 2, column: '65536', message: /bad port "65536" in "127.0.0.1:65536"/ },
  { what: 'port 0 instead of *', text: TCP + '     0      0 127.0.0.1:0             127.0.0.1:5000          ESTB\n', line: 2, column: 25, message: /bad port "0".*or \* for none/ },
  { what: 'no port', text: TCP + '     0      0 localhost               127.0.0.1:5000          ESTB\n', line: 2, column: 'localhost', message: /bad address "localhost": expected address:port/ },
  { what: 'bad IPv4', text: TCP + '     0      0 127.0.0.256:22          127.0.0.1:5000          ESTB\n', line: 2, column: '127.0.0.256', message: /bad address "127.0.0.256": not an IPv4 dotted quad/ },
  { what: 'bad IPv6', text: TCP + '     0      0 ::1::2:22               ::1:5000                ESTB\n', line: 2, column: '::1::2', message: /bad address "::1::2": not an IPv6 address/ },
  { what: 'mixed families in a line', text: TCP + '     0      0 ::1:22                  127.0.0.1:5000          ESTB\n', line: 2, column: '127.0.0.1:5000', message: /foreign address "127.0.0.1:5000" is IPv4 but the local one is IPv6/ },
  { what: 'mixed families in a file', text: TCP + line('TIMW') + '     0      0 ::1:22                  ::1:5000                TIMW\n', line: 3, column: 1, message: /IPv6 socket in a table of IPv4 sockets/ },
  { what: 'family against the hint', text: TCP + line('TIMW'), line: 2, column: 1, message: /IPv4 socket in a table of IPv6 sockets/ },
  { what: 'unknown state', text: TCP + line(`OPEN      ${OPTS}`), line: 2, column: 'OPEN', message: /unknown state code "OPEN"; expected one of ESTB, SYNS, SYNR/ },
  { what: 'unknown diag', text: TCP + line(`ESTB <>   ${OPTS}`), line: 2, column: '<>', message: /unknown diag code "<>"/ },
  { what: 'option without =', text: TCP + line('ESTB      SO_REUSEADDR=1,TCP_NODELAY'), line: 2, column: 'TCP_NODELAY', message: /option "TCP_NODELAY" has no "="/ },
  { what: 'empty option', text: TCP + line('ESTB      SO_REUSEADDR=1,,TCP_NODELAY=1'), line: 2, column: ',TCP', message: /empty option/ },
  { what: 'bool of the wrong type', text: TCP + line('ESTB      SO_REUSEADDR=yes'), line: 2, column: 'yes', message: /bad value "yes" for SO_REUSEADDR: expected 0 or 1/ },
  { what: 'ms without unit', text: TCP + line('ESTB      SO_RCVTIMEO=1500'), line: 2, column: '1500', message: /bad value "1500" for SO_RCVTIMEO: expected milliseconds such as 1500ms/ },
  { what: 's with the wrong unit', text: TCP + line('ESTB      SO_LINGER=7ms'), line: 2, column: '7ms', message: /bad value "7ms" for SO_LINGER: expected seconds such as 7s/ },
  { what: 'negative int', text: TCP + line('ESTB      TCP_KEEPIDLE=-5'), line: 2, column: '-5', message: /bad value "-5" for TCP_KEEPIDLE: expected a non-negative integer/ },
  { what: 'lower-case name', text: TCP + line('ESTB      so_reuseaddr=1'), line: 2, column: 'so_reuseaddr', message: /bad option name "so_reuseaddr"/ },
  { what: 'duplicate option', text: TCP + line('ESTB      SO_REUSEADDR=1,SO_REUSEADDR=0'), line: 2, column: 'SO_REUSEADDR=0', message: /option SO_REUSEADDR appears twice/ },
  { what: 'options out of order', text: TCP + line('ESTB      TCP_NODELAY=1,SO_REUSEADDR=1'), line: 2, column: 'SO_REUSEADDR=1', message: /option SO_REUSEADDR is out of order: it comes before TCP_NODELAY/ },
  { what: 'module option after a newer one', text: TCP + line('ESTB      TCP_FUTURE=1,TCP_NODELAY=1'), line: 2, column: 'TCP_NODELAY', message: /TCP_NODELAY is out of order/ },
  { what: 'bad escape in a string', text: TCP + line('ESTB      TCP_CONGESTION=a\\x2'), line: 2, column: 'a\\x2', message: /bad value "a\\x5cx2" for TCP_CONGESTION/ },
  { what: 'header proto against the hint', text: UDP, line: 1, column: 1, message: /header is that of a UDP table, but a TCP table was expected/ },
]

test('each kind of bad input names its line, column and token', async (t) => {
  for (const c of cases) {
    const hint = c.what === 'family against the hint' ? { family: 6 as const } : c.what.includes('hint') ? { proto: 'tcp' as const } : {}
    let error: unknown
    try {
      parseKnetstat(c.text, hint)
    } catch (e) {
      error = e
    }
    t.type(error, KnetstatParseError, `${c.what}: KnetstatParseError`)
    const parseError = error as KnetstatParseError
    t.match(parseError.message, c.message, `${c.what}: message`)
    const lineText = c.text.split('\n')[c.line - 1] ?? ''
    const column = typeof c.column === 'number' ? c.column : lineText.indexOf(c.column) + 1
    t.ok(column > 0, `${c.what}: the token is in the line`)
    t.equal(parseError.line, c.line, `${c.what}: line`)
    t.equal(parseError.column, column, `${c.what}: column`)
    t.match(parseError.message, new RegExp(`^line ${c.line}, column ${column}: `), `${c.what}: message starts with where`)
    t.equal(parseError.code, 'ERR_KNETSTAT_PARSE')
  }
})

test('an error can be attributed to a file', async (t) => {
  try {
    parseKnetstat(TCP + line('OPEN'))
    t.fail('should throw')
  } catch (e) {
    const inFile = (e as KnetstatParseError).inFile('/tmp/rec/tcpstat')
    t.match(inFile.message, /^\/tmp\/rec\/tcpstat: line 2, column 63: unknown state code "OPEN"/)
    t.equal(inFile.file, '/tmp/rec/tcpstat')
    t.equal(inFile.line, 2)
  }
})

test('arguments of the wrong type are TypeErrors', async (t) => {
  t.throws(() => parseKnetstat(42 as never), TypeError)
  t.throws(() => parseKnetstat(TCP, { proto: 'sctp' as never }), { name: 'TypeError', message: /hint\.proto must be 'tcp' or 'udp'/ })
  t.throws(() => parseKnetstat(TCP, { family: 5 as never }), { name: 'TypeError', message: /hint\.family must be 4 or 6/ })
})

test('a line longer than any knetstat line is rejected where it passes the limit', async (t) => {
  const long = TCP + line('ESTB      SO_REUSEADDR=1').replace('\n', ',X'.repeat(MAX_LINE_LENGTH) + '\n')
  t.throws(() => parseKnetstat(long), {
    name: 'KnetstatParseError',
    line: 2,
    column: MAX_LINE_LENGTH + 1,
    message: /^line 2, column 16385: line longer than 16384 characters/,
  })
  // One character under the limit is still a line (here a bad one, for its own reason).
  const justUnder = TCP + line('ESTB      SO_REUSEADDR=1').replace('\n', '') + ',X=' + 'y'.repeat(MAX_LINE_LENGTH - 96) + '\n'
  const under = justUnder.split('\n')[1] as string
  t.ok(under.length <= MAX_LINE_LENGTH)
  t.doesNotThrow(() => parseKnetstat(justUnder), 'a long unknown option within the limit parses')
})

test('a huge first line is a missing header quoted in escaped, clipped form', async (t) => {
  const error = (() => {
    try {
      parseKnetstat('\x1b]0;pwned\x07\u202e' + 'A'.repeat(MAX_LINE_LENGTH * 2))
    } catch (e) {
      return e as KnetstatParseError
    }
  })()
  t.type(error, KnetstatParseError)
  t.match(error?.message, /^line 1, column 1: missing header: found "\\x1b]0;pwned\\x07\\u\{202e\}A+…"/)
  t.ok((error?.message.length ?? Infinity) < 300, 'the message stays short')
  t.notMatch(error?.message, /[\x00-\x1f\x7f\u202e]/, 'no raw control or bidi character')
})

test('quoted tokens are escaped: no control or bidi character reaches the message', async (t) => {
  const hostile = TCP + line('ESTB      SO_REUSEADDR=\x1b[31m\u202egnp.exe')
  t.throws(() => parseKnetstat(hostile), { message: /bad value "\\x1b\[31m\\u\{202e\}gnp.exe" for SO_REUSEADDR/ })
  const manyFields = TCP + line('ESTB >#   SO_REUSEADDR=1' + ' x'.repeat(8000))
  t.throws(() => parseKnetstat(manyFields), { message: /wrong column count: 8007 fields, starting at "x"/ }, 'fields past the limit are counted, not kept')
})

test('formatKnetstat refuses to write a line parseKnetstat would refuse to read', async (t) => {
  const entry = parseKnetstat(TCP + line('ESTB      SO_REUSEADDR=1'))[0]
  if (entry === undefined) throw new Error('fixture line did not parse')
  entry.options = { ...entry.options, TCP_CONGESTION: 'c'.repeat(MAX_LINE_LENGTH) }
  t.throws(() => formatKnetstat([entry]), { name: 'TypeError', message: /entries\[0\]\.options make a line of \d+ characters; knetstat text allows 16384/ })
})

test('long option names are clipped in messages too', async (t) => {
  const name = 'A'.repeat(5000)
  for (const options of [`${name}=1,${name}=2`, `${name}=1,SO_REUSEADDR=1`, `SO_REUSEADDR=maybe${name}`]) {
    const error = (() => {
      try {
        parseKnetstat(TCP + line(`ESTB      ${options}`))
      } catch (e) {
        return e as KnetstatParseError
      }
    })()
    t.type(error, KnetstatParseError)
    t.ok((error?.message.length ?? Infinity) < 300, `short message for ${options.slice(0, 20)}…: ${error?.message.length}`)
  }
})
