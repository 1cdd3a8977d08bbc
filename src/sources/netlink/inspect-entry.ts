// How a decoded entry prints in console.log and util.inspect: as the plain data
// JSON.stringify sees, not as accessors beside symbol-keyed record Buffers.
import { inspect } from 'node:util'

/**
 * An entry's `[util.inspect.custom]`: its own enumerable string-keyed properties,
 * the lazy ones read (and settled) as JSON.stringify reads them. util.inspect formats
 * the returned object at the entry's own depth and with the caller's options.
 */
export function inspectEntry(this: object): Record<string, unknown> {
  const view: Record<string, unknown> = {}
  for (const key of Object.keys(this)) view[key] = (this as Record<string, unknown>)[key]
  return view
}

/** The key util.inspect looks up; an entry holds it in its literal (entries.ts). */
export const INSPECT = inspect.custom
