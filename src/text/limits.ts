// The bounds of knetstat text, so that reading hostile text costs time and memory in
// proportion to what is needed to find its first error (docs/format.md, "Limits").

/**
 * The longest line parseKnetstat reads, and formatKnetstat writes. The module's longest
 * line (IPv6 addresses, 16-digit queues, every option it prints) is under 1,000
 * characters; the rest is room for options added later. Longer is not knetstat text:
 * it is rejected after reading this many characters, without looking for its end.
 */
export const MAX_LINE_LENGTH = 16384

/** How much of an offending token an error message quotes (escaped, then clipped). */
export const QUOTE_LENGTH = 60
