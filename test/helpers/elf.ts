// A small ELF64 little-endian reader for the prebuild tests: what a shared object
// is built for and what it needs of the host, read from its bytes (no readelf, and
// no loading: an arm64 or musl prebuild cannot be loaded on an x64 glibc host).

export interface ElfInfo {
  /** e_machine: 62 x86-64, 183 AArch64. */
  machine: number
  /** e_type: 3 for a shared object (ET_DYN). */
  type: number
  /** Whether a PT_INTERP program header names a program interpreter (an executable's). */
  interpreter: string | null
  /** DT_NEEDED: the shared libraries it needs, in order. */
  needed: string[]
  /** DT_SONAME, when there is one. */
  soname: string | null
  /** The symbol versions it requires (.gnu.version_r), by library: GLIBC_2.14, ... */
  versionsNeeded: Map<string, string[]>
  /** The names of its section headers. */
  sections: string[]
  /** Dynamic symbols: undefined ones (to be found in the host: libc, Node) and defined ones. */
  undefinedSymbols: { name: string; weak: boolean }[]
  definedSymbols: string[]
}

export const EM_X86_64 = 62
export const EM_AARCH64 = 183

const SHT_DYNAMIC = 6
const SHT_DYNSYM = 11
const SHT_GNU_VERNEED = 0x6ffffffe
const PT_INTERP = 3
const DT_NULL = 0
const DT_NEEDED = 1
const DT_SONAME = 14

interface Section {
  name: number
  type: number
  offset: number
  size: number
  link: number
  info: number
}

/** Reads the header, sections and dynamic section of a 64-bit little-endian ELF file. */
export function readElf(bytes: Buffer): ElfInfo {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file')
  if (bytes[4] !== 2) throw new Error('not ELF64')
  if (bytes[5] !== 1) throw new Error('not little-endian')
  const u64 = (o: number): number => Number(bytes.readBigUInt64LE(o))
  const type = bytes.readUInt16LE(16)
  const machine = bytes.readUInt16LE(18)
  const phoff = u64(32)
  const shoff = u64(40)
  const phentsize = bytes.readUInt16LE(54)
  const phnum = bytes.readUInt16LE(56)
  const shentsize = bytes.readUInt16LE(58)
  const shnum = bytes.readUInt16LE(60)
  const shstrndx = bytes.readUInt16LE(62)

  let interpreter: string | null = null
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize
    if (bytes.readUInt32LE(o) === PT_INTERP) interpreter = cString(bytes, u64(o + 8))
  }

  const sections: Section[] = []
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize
    sections.push({
      name: bytes.readUInt32LE(o),
      type: bytes.readUInt32LE(o + 4),
      offset: u64(o + 24),
      size: u64(o + 32),
      link: bytes.readUInt32LE(o + 40),
      info: bytes.readUInt32LE(o + 44),
    })
  }
  const shstr = sections[shstrndx]
  const names = sections.map((s) => (shstr === undefined ? '' : cString(bytes, shstr.offset + s.name)))

  const needed: string[] = []
  let soname: string | null = null
  const dynamic = sections.find((s) => s.type === SHT_DYNAMIC)
  if (dynamic !== undefined) {
    const strtab = sections[dynamic.link]!
    for (let o = dynamic.offset; o + 16 <= dynamic.offset + dynamic.size; o += 16) {
      const tag = u64(o)
      if (tag === DT_NULL) break
      if (tag === DT_NEEDED) needed.push(cString(bytes, strtab.offset + u64(o + 8)))
      if (tag === DT_SONAME) soname = cString(bytes, strtab.offset + u64(o + 8))
    }
  }

  // Elf64_Verneed { u16 version, u16 cnt, u32 file, u32 aux, u32 next } and
  // Elf64_Vernaux { u32 hash, u16 flags, u16 other, u32 name, u32 next }.
  const versionsNeeded = new Map<string, string[]>()
  const verneed = sections.find((s) => s.type === SHT_GNU_VERNEED)
  if (verneed !== undefined) {
    const strtab = sections[verneed.link]!
    let o = verneed.offset
    for (let i = 0; i < verneed.info; i++) {
      const cnt = bytes.readUInt16LE(o + 2)
      const file = cString(bytes, strtab.offset + bytes.readUInt32LE(o + 4))
      const versions: string[] = []
      let a = o + bytes.readUInt32LE(o + 8)
      for (let j = 0; j < cnt; j++) {
        versions.push(cString(bytes, strtab.offset + bytes.readUInt32LE(a + 8)))
        a += bytes.readUInt32LE(a + 12)
      }
      versionsNeeded.set(file, versions)
      const next = bytes.readUInt32LE(o + 12)
      if (next === 0) break
      o += next
    }
  }
  // Elf64_Sym { u32 name, u8 info, u8 other, u16 shndx, u64 value, u64 size }
  const undefinedSymbols: { name: string; weak: boolean }[] = []
  const definedSymbols: string[] = []
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM)
  if (dynsym !== undefined) {
    const strtab = sections[dynsym.link]!
    for (let o = dynsym.offset + 24; o + 24 <= dynsym.offset + dynsym.size; o += 24) {
      const name = cString(bytes, strtab.offset + bytes.readUInt32LE(o))
      const bind = bytes[o + 4]! >> 4
      if (name === '') continue
      if (bytes.readUInt16LE(o + 6) === 0) undefinedSymbols.push({ name, weak: bind === 2 })
      else definedSymbols.push(name)
    }
  }
  return { machine, type, interpreter, needed, soname, versionsNeeded, sections: names, undefinedSymbols, definedSymbols }
}

function cString(bytes: Buffer, offset: number): string {
  const end = bytes.indexOf(0, offset)
  return bytes.toString('latin1', offset, end < 0 ? bytes.length : end)
}

/** The highest GLIBC_x.y[.z] version among `versions`, as [x, y, z], or null. */
export function maxGlibcVersion(versions: Iterable<string>): number[] | null {
  let max: number[] | null = null
  for (const v of versions) {
    const m = /^GLIBC_(\d+(?:\.\d+)*)$/.exec(v)
    if (m === null) continue
    const parts = m[1]!.split('.').map(Number)
    if (max === null || compareVersions(parts, max) > 0) max = parts
  }
  return max
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** The source fingerprint a binary carries as `KNETSTAT_SOURCE_HASH=0x1234abcdu` (src-native/addon/source_hash_tag.cc). */
export function embeddedSourceHash(bytes: Buffer): number | null {
  const m = /KNETSTAT_SOURCE_HASH=0x([0-9a-fA-F]{1,8})u?\0/.exec(bytes.toString('latin1'))
  return m === null ? null : parseInt(m[1]!, 16)
}
