// Serves a prom-client registry over node:http and reads the exposition text back.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export async function serveRegistry(registry: Registry): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(text)
      },
      (error: Error) => {
        res.writeHead(500)
        res.end(String(error.stack))
      },
    )
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Parses Prometheus text exposition (the sample lines). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) })
  }
  return samples
}

export async function scrape(url: string): Promise<{ status: number; samples: Sample[]; text: string }> {
  const res = await fetch(url)
  const text = await res.text()
  return { status: res.status, samples: res.status === 200 ? parseExposition(text) : [], text }
}

/** The samples of a metric whose labels include `labels`. */
export function find(samples: readonly Sample[], name: string, labels: Record<string, string | number> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === String(v)))
}

/** The value of exactly one sample; undefined when there is none, an error when there are several. */
export function value(samples: readonly Sample[], name: string, labels: Record<string, string | number> = {}): number | undefined {
  const found = find(samples, name, labels)
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`)
  return found[0]?.value
}
