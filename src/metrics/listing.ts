// One listing per scrape: the first collect() of a scrape starts it, and every other
// metric's collect() of that scrape (and of any scrape that overlaps it) awaits the
// same listing. A failed listing still makes a snapshot: the scrape answers.
import type { SocketEntry } from '../model.js'
import type { MetricsSettings } from './options.js'
import { failedListingSeries, listingSeries, type Snapshot } from './series.js'
import { listWithTimeout } from './timeout.js'
import { checkSeries } from './checks.js'

/** Told of each listing as it starts, and of each that fails. */
export interface ListingCounters {
  started(): void
  failed(): void
}

export class ScrapeListing {
  private inFlight: Promise<Snapshot> | null = null
  private error: Error | null = null

  constructor(
    private readonly settings: MetricsSettings,
    private readonly counters: ListingCounters,
  ) {}

  /** The error of the last listing, null when it succeeded (or none ran yet). */
  get lastError(): Error | null {
    return this.error
  }

  /** The snapshot of the listing in flight, or of a new one. */
  current(): Promise<Snapshot> {
    if (this.inFlight === null) {
      const p = this.listOnce()
      this.inFlight = p
      // Settled: the next collect() belongs to a later scrape and lists again.
      void p.then(() => {
        if (this.inFlight === p) this.inFlight = null
      })
    }
    return this.inFlight
  }

  private async listOnce(): Promise<Snapshot> {
    const started = process.hrtime.bigint()
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9
    this.counters.started()
    const { checks, list, timeoutMs } = this.settings
    // The checks list their own targets, at the same time as the scrape's listing.
    const checked = checks.length === 0 ? null : checkSeries(checks, list, timeoutMs)
    let entries: SocketEntry[]
    try {
      entries = await listWithTimeout(list, this.settings.query, timeoutMs)
      if (!Array.isArray(entries)) throw new TypeError('the listing did not return an array')
    } catch (error) {
      // The socket gauges are cleared rather than left stale; the scrape still answers.
      this.error = error instanceof Error ? error : new Error(String(error))
      this.counters.failed()
      const values = failedListingSeries()
      values.set('listing_duration_seconds', [[{}, seconds()]])
      values.set('listing_success', [[{}, 0]])
      if (checked !== null) values.set('check_status', await checked)
      return values
    }
    this.error = null
    const values = listingSeries(entries, this.settings)
    values.set('listing_duration_seconds', [[{}, seconds()]])
    values.set('listing_success', [[{}, 1]])
    if (checked !== null) values.set('check_status', await checked)
    return values
  }
}
