// errno numbers to their names ('EPERM'), as Node core errors name them.
import { constants } from 'node:os'

const NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]))

/** The name of positive errno `errno`, or 'UNKNOWN'. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? 'UNKNOWN'
}
