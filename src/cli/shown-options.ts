// Which options the table shows. By default, those the application set: an option
// reported "only when set" (REPORTED_WHEN_SET, the library's rule) is shown whenever
// present; an option reported always carries its value in effect, and a socket nobody
// set it on has it off or 0 (docs/options.md), so it is shown when on or not 0. The
// one exception is TCP_CONGESTION, in effect on every TCP socket: shown when it is not
// the host's default. With -O, every option the source reported.
import { readFileSync } from 'node:fs'
import type { SocketEntry } from '../model.js'
import { formatOptionValue, REPORTED_WHEN_SET, TEXT_OPTION_ORDER } from '../options.js'

export interface OptionView {
  /** Every reported option (-O), not only those set. */
  all: boolean
  /** net.ipv4.tcp_congestion_control; null when unknown (then TCP_CONGESTION is always shown). */
  congestionDefault: string | null
}

/** The host's default congestion control, read once per command. */
export function readCongestionDefault(): string | null {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim() || null
  } catch {
    return null
  }
}

/** Whether an option with this value says the application set it. */
function looksSet(name: string, value: boolean | number | string, view: OptionView): boolean {
  if (REPORTED_WHEN_SET.has(name)) return true
  if (name === 'TCP_CONGESTION') return value !== view.congestionDefault
  return value !== false && value !== 0
}

/**
 * The `NAME=value` pairs to show, in the knetstat text's order (the module's options,
 * then the others); values as the text writes them. Options a newer module printed
 * that this version does not know (otherOptions) cannot be judged: shown with -O only.
 */
export function shownOptions(entry: SocketEntry, view: OptionView): string[] {
  const options = entry.options
  if (options === null) return []
  const order: readonly string[] = TEXT_OPTION_ORDER[entry.proto]
  const names = [...order.filter((n) => Object.hasOwn(options, n)), ...Object.keys(options).filter((n) => !order.includes(n))]
  const pairs: string[] = []
  for (const name of names) {
    const value = (options as Record<string, boolean | number | string | undefined>)[name]
    if (value === undefined || (!view.all && !looksSet(name, value, view))) continue
    pairs.push(`${name}=${formatOptionValue(name, value)}`)
  }
  if (view.all) for (const [name, value] of Object.entries(entry.otherOptions ?? {})) pairs.push(`${name}=${formatOptionValue(name, value)}`)
  return pairs
}
