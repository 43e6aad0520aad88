export type Encoding = 'br' | 'gzip';

/** What `.br` / `.gz` beside a file hold; the order is the server's preference when q ties. */
export const ENCODINGS: readonly { encoding: Encoding; suffix: string }[] = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
];

/**
 * The content coding to send for an `Accept-Encoding` header, among those available beside the
 * file, or null for the file as it is. A coding the client does not name is not acceptable
 * unless `*` covers it; `q=0` refuses; the highest q wins and brotli wins a tie, because it is
 * the smaller. The identity coding wins only when the client rates it strictly higher.
 */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding | null {
  if (!header || available.length === 0) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    let name = rawName.trim().toLowerCase();
    if (!name) continue;
    if (name === 'x-gzip') name = 'gzip';
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key.toLowerCase() === 'q') q = parseQ(value);
    }
    // A coding named twice keeps its best rating, as most servers read it.
    weights.set(name, Math.max(q, weights.get(name) ?? -1));
  }
  const wildcard = weights.get('*');
  const qOf = (name: string) => weights.get(name) ?? wildcard ?? 0;
  const identity = weights.get('identity') ?? wildcard ?? 1;

  let best: Encoding | null = null;
  let bestQ = 0;
  for (const { encoding } of ENCODINGS) {
    if (!available.includes(encoding)) continue;
    const q = qOf(encoding);
    if (q > bestQ) {
      best = encoding;
      bestQ = q;
    }
  }
  return best !== null && bestQ >= identity ? best : null;
}

function parseQ(value: string | undefined): number {
  const q = Number(value);
  return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0;
}
