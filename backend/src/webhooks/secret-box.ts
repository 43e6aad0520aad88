import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'sb1';

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * Webhook signing secrets are kept sealed (AES-256-GCM): a copy of the database, a backup or a
 * replica read by someone else does not let them sign events as this server. The secrets must
 * be read back to sign, so they are encrypted rather than hashed.
 *
 * Keys come from `SECRETS_KEY` (a comma list: the first seals, the others only open, for a
 * rotation); each is stretched with HKDF, and a sealed value names its key by a short digest
 * of it. A value without the prefix is one stored before sealing, read as it is and sealed
 * again at start-up (`resealed`).
 */
export class SecretBox {
  private readonly keys: Key[];

  constructor(secrets: readonly string[]) {
    if (!secrets.length) throw new Error('a secret box needs a key');
    this.keys = secrets.map((secret) => {
      const bytes = Buffer.from(hkdfSync('sha256', secret, 'support-chat', 'webhook signing secrets', 32));
      return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
    });
  }

  seal(plain: string): string {
    const key = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [PREFIX, key.id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
  }

  /** The secret; throws when no configured key opens it or it was altered. */
  open(stored: string): string {
    if (!stored.startsWith(`${PREFIX}.`)) return stored;
    const [, id, iv, sealed] = stored.split('.');
    const key = this.keys.find((k) => k.id === id);
    if (!key || !iv || !sealed) throw new Error(`no key in SECRETS_KEY opens this secret (key ${id ?? 'unnamed'})`);
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  }

  /** Stored before sealing, or sealed with a key that is no longer the first. */
  needsResealing(stored: string): boolean {
    return !stored.startsWith(`${PREFIX}.${this.keys[0].id}.`);
  }
}
