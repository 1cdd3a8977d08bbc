// What the command writes is shown on root's terminal, and much of it comes from other
// users: process names, recordings, option values, paths. Every write goes through
// one of these, so no byte of it can move the cursor, retitle the window, or reorder
// the text (docs/security.md). The rule of what is unsafe lives in text/escape.ts.
import { escapeForDisplay, unsafeCharacters } from '../text/escape.js'

/**
 * Prose and table text that may already quote untrusted parts escaped (the library's
 * messages, knetstat text's `\xHH`): raw controls are escaped, backslashes kept, so an
 * escape already made is not escaped twice.
 */
export function forTerminal(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split('\\').map((part) => escapeForDisplay(part)).join('\\'))
    .join('\n')
}

/** A raw untrusted value (a process name) inside double quotes, as ss prints it. */
export function quoted(value: string): string {
  return `"${escapeForDisplay(value).replace(/"/g, '\\"')}"`
}

// The unsafe characters JSON.stringify leaves raw: it escapes C0 controls and lone
// surrogates itself. In JSON text these can only occur inside strings; \uHHHH keeps
// the value the same.
const JSON_UNSAFE = unsafeCharacters(['c1', 'format', 'separators'], 'gu')

/** JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi, separators) as \uHHHH. */
export function jsonForTerminal(json: string): string {
  // Each UTF-16 unit: a format character beyond the BMP becomes an escaped surrogate pair.
  return json.replace(JSON_UNSAFE, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''))
}
