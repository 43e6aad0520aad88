// In `u` mode a paired surrogate is one code point, so this matches only unpaired halves.
const UNSTORABLE = /[\u0000\p{Surrogate}]/u;

/**
 * Whether Postgres can keep `value` exactly: text may hold neither NUL nor an unpaired
 * surrogate (the driver would send U+FFFD in its place, so two different strings could be
 * stored as one).
 */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}
