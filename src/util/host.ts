// Facts about the host the process runs on that decoders of raw kernel bytes need.
import { endianness } from 'node:os'

/** Native records and kernel structs keep the host's byte order. */
export const HOST_LITTLE_ENDIAN = endianness() === 'LE'
