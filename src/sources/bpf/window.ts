// A stream's join with the BPF socket iterator in bounded memory. The netlink dump and
// the iterator walk the kernel's tables in the same order (listeners, then the
// established hash, bucket by bucket), so the record of the socket a batch needs is
// near where the iterator stands: the window reads the iteration a part at a time as
// lookups need it, keeps what it read ahead by cookie, and forgets records far behind
// the last match (a socket the dump did not list: another family, filtered out, closed).
// A record it has not met within MAX_AHEAD records, or forgot, is a miss: the caller
// says why or asks another source.
import type { BpfCursorHandle, NativeBinding } from '../../../types/binding.js'
import type { Proto } from '../../model.js'
import type { CookieKey } from '../../util/cookie.js'
import { BpfSocketRecords, BPF_SLOT } from './socket-record.js'

type CursorReader = Pick<NativeBinding, 'openBpfCursor' | 'readBpfCursor'>

/** Records one read of the iteration asks for. */
const PART_RECORDS = 2048
/** Records kept read ahead of the last match, at most (~300 bytes each, with their keys). */
export const MAX_AHEAD = 65536
/** Records kept behind the last match, for a dump running behind the iterator. */
const KEPT_BEHIND = 16384

export interface Slot {
  readonly records: BpfSocketRecords
  readonly index: number
  readonly seq: number
  readonly cookie: CookieKey | null
  readonly inode: number
}

export class TableWindow {
  private cursor: BpfCursorHandle | null = null
  private done = false
  private readonly byCookie = new Map<CookieKey, Slot>()
  private readonly byInode = new Map<number, Slot>()
  /** Every slot still kept, in iteration order, from `head`. */
  private queue: Slot[] = []
  private head = 0
  private read = 0
  private lastMatch = 0

  constructor(
    private readonly proto: Proto,
    private readonly reader: CursorReader,
  ) {}

  /** The record of the socket with `cookie` (else, for a record read before the socket had one, `inode`); undefined: a miss. */
  async find(cookie: CookieKey | null, inode: number | null): Promise<Slot | undefined> {
    for (;;) {
      const slot = (cookie === null ? undefined : this.byCookie.get(cookie)) ?? (inode === null ? undefined : this.byInode.get(inode))
      if (slot !== undefined) {
        this.forget(slot)
        this.lastMatch = Math.max(this.lastMatch, slot.seq)
        this.prune()
        return slot
      }
      if (this.done || this.read - this.lastMatch >= MAX_AHEAD) return undefined
      await this.pull()
    }
  }

  private async pull(): Promise<void> {
    this.cursor ??= this.reader.openBpfCursor(this.proto === 'tcp')
    const { records: buf, done } = await this.reader.readBpfCursor(this.cursor, PART_RECORDS)
    this.done = done
    if (done) this.cursor = null
    const records = new BpfSocketRecords(buf)
    for (let i = 0; i < records.count; i++) {
      const cookie = records.cookieKey(i)
      const slot: Slot = { records, index: i, seq: this.read++, cookie, inode: records.value(i, BPF_SLOT.inode) ?? 0 }
      if (cookie !== null) this.byCookie.set(cookie, slot)
      else if (slot.inode !== 0) this.byInode.set(slot.inode, slot)
      this.queue.push(slot)
    }
  }

  private forget(slot: Slot): void {
    if (slot.cookie !== null) this.byCookie.delete(slot.cookie)
    else this.byInode.delete(slot.inode)
  }

  /** Drops what lies further behind the last match than KEPT_BEHIND. */
  private prune(): void {
    const oldest = this.lastMatch - KEPT_BEHIND
    while (this.head < this.queue.length && (this.queue[this.head] as Slot).seq < oldest) {
      const slot = this.queue[this.head++] as Slot
      if ((slot.cookie !== null ? this.byCookie.get(slot.cookie) : this.byInode.get(slot.inode)) === slot) this.forget(slot)
    }
    // Compact now and then, so the queue's array does not keep every slot it held.
    if (this.head > PART_RECORDS * 4 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}
