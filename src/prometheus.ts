// knetstat/prometheus: socket gauges for a prom-client registry. A separate entry
// point, so that importing 'knetstat' never loads prom-client (an optional peer).
//
// Every scrape lists the sockets once: the first collect() of a scrape starts the
// listing and every other metric's collect() of that scrape (and of any scrape that
// overlaps it) awaits the same listing. See docs/metrics.md. The code is in
// src/metrics/: options.ts (the options and their checks), definitions.ts (names,
// help texts, labels), listing.ts (one listing per scrape), timeout.ts (its time
// bound), series.ts (what a listing counts), register.ts (the prom-client metrics).
export { registerSocketMetrics, type MetricsRegistry, type SocketMetrics } from './metrics/register.js'
export { DEFAULT_LISTING_TIMEOUT_MS, type SocketMetricsOptions } from './metrics/options.js'
