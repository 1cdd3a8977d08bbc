// Whether the command colours its output, and the few colours it uses: headers,
// states, and the diag codes of stalled connections. Every escape code the command
// writes comes from here, after untrusted text was escaped (terminal.ts).
import type { ColorMode } from './values.js'

/**
 * --color always/never decides; with auto (the default) FORCE_COLOR set to anything
 * but 0 or false turns colour on anywhere, NO_COLOR set and not empty turns it off
 * (no-color.org), else colour goes to a terminal only.
 */
export function wantsColor(mode: ColorMode, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (mode !== 'auto') return mode === 'always'
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if ((env.NO_COLOR ?? '') !== '') return false
  return isTTY
}

/** SGR sequences by what they mark: one place to change a colour. */
export const PAINT = {
  header: '\x1b[1m',
  listening: '\x1b[36m',
  established: '\x1b[32m',
  closing: '\x1b[2m',
  zeroWindow: '\x1b[31m',
  stalled: '\x1b[33m',
} as const

export type Paint = keyof typeof PAINT

export const RESET = '\x1b[0m'

/** `text` in `paint`, or as is when colour is off. */
export function painted(text: string, paint: Paint | undefined, color: boolean): string {
  return color && paint !== undefined && text.trim() !== '' ? `${PAINT[paint]}${text}${RESET}` : text
}
