// A listing that takes more than a moment tells the person waiting at the terminal
// that it is working: "reading sockets… 2.4 s" on stderr, redrawn in place, erased
// when the listing ends. Nothing at all when stderr is not a terminal or the listing
// is quick. The library hands a listing over whole (listSockets: one consistent
// snapshot), so what grows is the time, not a count.

export interface ProgressClock {
  now(): number
  every(ms: number, tick: () => void): { stop(): void }
}

export const REAL_CLOCK: ProgressClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms)
    timer.unref()
    return { stop: () => clearInterval(timer) }
  },
}

/** Shown only after this long: a quick listing does not flicker. */
export const PROGRESS_DELAY_MS = 300
/** Redrawn at most this often (10 times a second). */
export const PROGRESS_INTERVAL_MS = 100

const ERASE_LINE = '\r\x1b[K'

/** Runs `work`, showing progress on `stream` while it runs, when `stream` is a terminal. */
export async function withProgress<T>(stream: { isTTY?: boolean; write(text: string): unknown }, work: () => Promise<T>, clock: ProgressClock = REAL_CLOCK): Promise<T> {
  if (stream.isTTY !== true) return work()
  const started = clock.now()
  let shown = false
  const ticker = clock.every(PROGRESS_INTERVAL_MS, () => {
    const elapsed = clock.now() - started
    if (elapsed < PROGRESS_DELAY_MS) return
    shown = true
    stream.write(`${ERASE_LINE}reading sockets… ${(elapsed / 1000).toFixed(1)} s`)
  })
  try {
    return await work()
  } finally {
    ticker.stop()
    if (shown) stream.write(ERASE_LINE)
  }
}
