// The order of a parsed line's options after the module's own: known options beyond
// its set and a newer module's unknown ones (otherOptions) may interleave in text, but
// they live in two objects. Remembered per options object, so that formatKnetstat
// gives the text back byte for byte (DESIGN: format(parse(t)) === t), invisibly to
// console.log, JSON and copies (a copy is formatted in the default order).

const tails = new WeakMap<object, readonly string[]>()

/** Remembers the names after the module's options, in text order, when unknown names are among them. */
export function rememberTail(options: object, names: readonly string[]): void {
  tails.set(options, names)
}

/** The remembered order of `names` (the tail to format) when it is exactly that set; else null. */
export function tailOrder(options: object, names: readonly string[]): readonly string[] | null {
  const tail = tails.get(options)
  if (tail === undefined || tail.length !== names.length) return null
  const wanted = new Set(names)
  return tail.every((n) => wanted.has(n)) ? tail : null
}
