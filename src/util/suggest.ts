// "Did you mean": the known words closest to a mistyped one, for error messages.

/** Edit distance with adjacent transpositions (optimal string alignment): TCP_NODLAY -> TCP_NODELAY is 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array<number>(rows * cols).fill(0)
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min((d[(i - 1) * cols + j] as number) + 1, (d[i * cols + j - 1] as number) + 1, (d[(i - 1) * cols + j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[(i - 2) * cols + j - 2] as number) + 1)
      d[i * cols + j] = best
    }
  }
  return d[rows * cols - 1] as number
}

/**
 * The known words a typo most likely meant: a case-insensitive match, else those at
 * the smallest edit distance when it is small for the word's length. At most three.
 */
export function closestWords(word: string, known: readonly string[]): string[] {
  const upper = word.toUpperCase()
  const sameCase = known.filter((k) => k.toUpperCase() === upper)
  if (sameCase.length > 0) return sameCase
  // Long input is hostile or pasted by mistake: no distance over it.
  if (word.length > 64) return []
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 4)))
  let best = limit + 1
  let found: string[] = []
  for (const k of known) {
    const distance = editDistance(upper, k.toUpperCase())
    if (distance < best) {
      best = distance
      found = [k]
    } else if (distance === best) found.push(k)
  }
  return found.slice(0, 3)
}

/** ` (did you mean A or B?)`, or nothing when no known word is close. */
export function didYouMean(word: string, known: readonly string[]): string {
  const words = closestWords(word, known)
  if (words.length === 0) return ''
  const last = words.pop() as string
  return ` (did you mean ${words.length === 0 ? last : `${words.join(', ')} or ${last}`}?)`
}
