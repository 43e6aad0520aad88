import { ConfigError } from './app-config';

/**
 * The keys a host application may sign user tokens with. Several keys let a host roll its
 * secret: it signs new tokens with a new `kid` while tokens under the old key stay valid
 * until they expire or the old key is removed.
 */
export interface KeyRing {
  /** Keys by `kid`. */
  byKid: ReadonlyMap<string, string>;
  /** The key for tokens that carry no `kid`. */
  fallback: string;
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `WIDGET_JWT_SECRET` is either one secret, or a comma list of `kid:secret` entries; one entry
 * may omit its `kid:` and then serves tokens without a `kid` (otherwise the first key does).
 */
export function parseKeyRing(raw: string, production: boolean): KeyRing {
  const byKid = new Map<string, string>();
  let bare: string | undefined;
  const entries = raw.includes(',') || /^[A-Za-z0-9._-]{1,64}:/.test(raw) ? raw.split(',') : [raw];
  for (const entry of entries.map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon) : undefined;
    if (kid !== undefined && KID.test(kid)) {
      const secret = entry.slice(colon + 1);
      checkSecret(secret, production);
      if (byKid.has(kid)) throw new ConfigError('WIDGET_JWT_SECRET', `key id "${kid}" appears twice`);
      byKid.set(kid, secret);
    } else {
      if (bare !== undefined) throw new ConfigError('WIDGET_JWT_SECRET', 'only one key may omit its key id');
      checkSecret(entry, production);
      bare = entry;
    }
  }
  const fallback = bare ?? byKid.values().next().value;
  if (fallback === undefined) throw new ConfigError('WIDGET_JWT_SECRET', 'holds no key');
  return { byKid, fallback };
}

function checkSecret(secret: string, production: boolean): void {
  if (secret.length === 0) throw new ConfigError('WIDGET_JWT_SECRET', 'a key is empty');
  if (production && secret.length < 32) {
    throw new ConfigError('WIDGET_JWT_SECRET', 'each key must be at least 32 characters in production');
  }
}

/** The key a token's header asks for, or undefined when its `kid` is unknown. */
export function keyFor(ring: KeyRing, kid: unknown): string | undefined {
  if (kid === undefined || kid === null) return ring.fallback;
  return typeof kid === 'string' ? ring.byKid.get(kid) : undefined;
}
