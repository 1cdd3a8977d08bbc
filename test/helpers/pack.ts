// The package as npm publishes it: `npm pack` (its prepare script builds dist/ first),
// and a throwaway project that installs the tarball.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../../src/native/load.js'

/** The paths the tarball would hold (`npm pack --dry-run --json`). */
export function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path)
}

/** Packs the package into a new temporary folder; returns the tarball's path. */
export function packTarball(): string {
  const into = mkdtempSync(join(tmpdir(), 'knetstat-tarball-'))
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', into], { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  return join(into, JSON.parse(out)[0].filename as string)
}

/** A new project (package.json with `fields`) in a temporary folder. */
export function tempProject(fields: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'knetstat-app-'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, ...fields }))
  return dir
}

/** `npm install` in `dir`; throws with npm's output if it fails. */
export function npmInstall(dir: string, args: string[]): void {
  const r = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm install ${args.join(' ')} failed: ${r.stderr}`)
}
