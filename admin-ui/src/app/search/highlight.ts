/** A stretch of a snippet, marked or not: rendered as text, never as markup. */
export interface Segment {
  text: string;
  mark: boolean;
}

/**
 * The snippet cut at its highlights (`[start, end)` offsets from the server). Ranges out of
 * order, overlapping or out of bounds are clamped or skipped rather than trusted.
 */
export function segments(
  snippet: string,
  highlights: readonly (readonly [number, number])[],
): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const [rawStart, rawEnd] of highlights) {
    const start = Math.max(at, Math.min(rawStart, snippet.length));
    const end = Math.max(start, Math.min(rawEnd, snippet.length));
    if (end === start) continue;
    if (start > at) out.push({ text: snippet.slice(at, start), mark: false });
    out.push({ text: snippet.slice(start, end), mark: true });
    at = end;
  }
  if (at < snippet.length) out.push({ text: snippet.slice(at), mark: false });
  return out;
}
