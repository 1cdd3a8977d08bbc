// Long loops over 100k sockets give the event loop a turn every thousand or so
// iterations, so a listing never blocks the application for long (docs/performance.md: event-loop
// delay under 5 ms during any listing).

/** Iterations between two turns of the event loop. */
export const SLICE = 1024

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
