// registerSocketMetrics: knetstat's metrics as prom-client gauges and counters whose
// collect() reads the scrape's one listing.
import { Counter, Gauge, type Registry } from 'prom-client'
import { metricDefinitions, type MetricDefinition } from './definitions.js'
import { ScrapeListing } from './listing.js'
import { metricsSettings, type SocketMetricsOptions } from './options.js'
import type { Snapshot } from './series.js'

/** The registry methods used: any prom-client Registry (Prometheus or OpenMetrics content type). */
export type MetricsRegistry = Pick<Registry, 'registerMetric' | 'removeSingleMetric' | 'getSingleMetric'>

/** What registerSocketMetrics returns. */
export interface SocketMetrics {
  /** The names of the registered metrics. */
  readonly names: readonly string[]
  /** The error of the last listing, null when it succeeded (or none ran yet). */
  readonly lastError: Error | null
  /** Lists the sockets now (or joins the listing in flight) and updates every metric, as a scrape does. Never rejects. */
  update(): Promise<void>
  /** Removes the metrics from the registry. */
  unregister(): void
}

type Metric = Gauge<string> | Counter<string>

/**
 * Registers knetstat's gauges and counters on a prom-client registry (names in
 * docs/metrics.md). Throws a TypeError for bad options, and what prom-client throws
 * when a name is already registered (nothing stays registered then).
 */
export function registerSocketMetrics(registry: MetricsRegistry, options: SocketMetricsOptions = {}): SocketMetrics {
  if (registry === null || typeof registry !== 'object' || typeof registry.registerMetric !== 'function') {
    throw new TypeError('registerSocketMetrics: the first argument must be a prom-client Registry (e.g. new Registry() or register)')
  }
  const settings = metricsSettings(options)
  const definitions = metricDefinitions(settings.ports.length > 0, settings.optionNames.length > 0, settings.checks.length > 0, settings.groupBy?.label ?? null)
  // The metrics' collect() reads the listing, which counts into two of the metrics:
  // `listing` is made after them, before anything can collect.
  const snapshot = (): Promise<Snapshot> => listing.current()
  const metrics = definitions.map((d) => promMetric(d, settings.prefix, snapshot))
  const counter = (name: string): Counter<string> => metrics[definitions.findIndex((d) => d.name === name)] as Counter<string>
  const listings = counter('listings_total')
  const errors = counter('listing_errors_total')
  const listing = new ScrapeListing(settings, { started: () => listings.inc(), failed: () => errors.inc() })
  const registered = registerAll(registry, metrics)
  return {
    names: registered,
    get lastError() {
      return listing.lastError
    },
    async update() {
      // Every collect() starts before the listing settles, so they all share it.
      await Promise.all([listing.current(), ...metrics.map((metric) => metric.get())])
    },
    unregister() {
      for (const n of registered) registry.removeSingleMetric(n)
    },
  }
}

/** The prom-client metric of a definition; its collect() sets the series of the scrape's snapshot. */
function promMetric(d: MetricDefinition, prefix: string, snapshot: () => Promise<Snapshot>): Metric {
  const name = prefix + d.name
  if (d.kind === 'counter') {
    return new Counter({
      name,
      help: d.help,
      registers: [],
      async collect() {
        await snapshot()
      },
    })
  }
  const { labelNames } = d
  return new Gauge({
    name,
    help: d.help,
    labelNames,
    registers: [],
    async collect() {
      const values = await snapshot()
      this.reset()
      for (const [labels, value] of values.get(d.name) ?? []) {
        if (labelNames.length === 0) this.set(value)
        else this.set(labels, value)
      }
    },
  })
}

/** Registers every metric, or none: what was registered is removed again when one fails. Returns their names. */
function registerAll(registry: MetricsRegistry, metrics: readonly Metric[]): string[] {
  const registered: string[] = []
  try {
    for (const metric of metrics) {
      registry.registerMetric(metric)
      registered.push((metric as unknown as { name: string }).name)
    }
  } catch (error) {
    for (const n of registered) registry.removeSingleMetric(n)
    throw error
  }
  return registered
}
