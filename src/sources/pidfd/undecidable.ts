// The options one socket's getsockopt values could not decide, collected as a small
// bit set and handed out as one frozen object per combination: a listing of 100k
// connections makes a handful of objects, not 100k.
import { UNDECIDABLE_OPTIONS as OPTIONS, type SocketEntry, type UndecidableOption, type UndecidableWhy } from '../../model.js'

const WHYS: readonly UndecidableWhy[] = ['autotuned', 'equals-default', 'default-unknown', 'effective-value']
/** Bits per option: 0 decided, else 1 + the index of its why. */
const BITS = 3

const shared = new Map<number, Readonly<Partial<Record<UndecidableOption, UndecidableWhy>>>>()

export class Undecidable {
  private bits = 0

  mark(option: UndecidableOption, why: UndecidableWhy): void {
    const at = OPTIONS.indexOf(option) * BITS
    this.bits = (this.bits & ~(7 << at)) | ((WHYS.indexOf(why) + 1) << at)
  }

  /** Sets `entry.optionsUndecidable` to what was marked, or removes it when nothing was. */
  applyTo(entry: SocketEntry): void {
    if (this.bits === 0) {
      delete entry.optionsUndecidable
      return
    }
    let record = shared.get(this.bits)
    if (record === undefined) {
      const built: Partial<Record<UndecidableOption, UndecidableWhy>> = {}
      OPTIONS.forEach((option, i) => {
        const why = (this.bits >> (i * BITS)) & 7
        if (why !== 0) built[option] = WHYS[why - 1]
      })
      record = Object.freeze(built)
      shared.set(this.bits, record)
    }
    entry.optionsUndecidable = record
  }
}
