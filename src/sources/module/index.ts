// The module source: options and diag flags from the knetstat kernel module's files
// (/proc/net/{tcp,tcp6,udp,udp6}stat), joined line by line to the netlink list
// (join.ts). The join pairs lines with entries across the whole table: a stream
// cannot fill a batch at a time from it.
import type { SocketEntry } from '../../model.js'
import type { Filler, Reason, Source, SourceContext } from '../source.js'
import { noOptions } from '../why-no-options.js'
import { moduleFile, moduleFilesPresent, readModuleTexts } from './files.js'
import { joinModule } from './join.js'
import { parseModuleTexts } from './parse.js'
import { readWithheld } from './withheld.js'

export { MODULE_DIR, moduleFilesPresent, readModuleTexts } from './files.js'
export { joinKey, joinModule, type JoinStats } from './join.js'
export { parseModuleTexts, type ModuleTable } from './parse.js'
export { withheldByModule } from './withheld.js'

export interface ModuleSourceOptions {
  /** The sources that try the entries whose options the module withheld from this reader, the first that can serve (options 'auto'). */
  withheld?: readonly Source[]
}

function notLoaded(dir: string): Reason {
  return { code: 'ENOENT', source: 'module', cause: 'not-loaded', path: moduleFile(dir) }
}

export function moduleSource(options: ModuleSourceOptions = {}): Source {
  return {
    name: 'module',
    partial: false,
    needsScan: false,
    async unavailable(context: SourceContext) {
      return (await moduleFilesPresent(context.moduleDir)) ? null : notLoaded(context.moduleDir)
    },
    async open(context: SourceContext): Promise<Filler | Reason> {
      const dir = context.moduleDir
      const texts = await readModuleTexts(context.query, dir, context.netns)
      // Unloaded between the check and the read: as if it had never been there.
      if (texts === null) return notLoaded(dir)
      return {
        async fill(entries, missing = noOptions) {
          const withheld: SocketEntry[] = []
          await joinModule(entries, await parseModuleTexts(texts, dir), withheld, missing)
          if (options.withheld !== undefined && withheld.length > 0) await readWithheld(withheld, options.withheld, context, missing)
        },
      }
    },
  }
}
