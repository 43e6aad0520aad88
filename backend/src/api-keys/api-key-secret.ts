import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts so, which lets secret scanners and people recognise one in a leaked file. */
export const API_KEY_PREFIX = 'sck_';
/** The prefix and 43 base64url characters (256 random bits). */
const KEY_FORMAT = /^sck_[A-Za-z0-9_-]{43}$/;

/** A new key: 256 random bits, so a plain SHA-256 is enough to store it (no guessing to slow down). */
export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a key, or null for something that cannot be a key (checked without a query). */
export function apiKeyHash(key: string): Buffer | null {
  if (!KEY_FORMAT.test(key)) return null;
  return createHash('sha256').update(key).digest();
}

/** Compares two hashes in constant time, so a response's timing says nothing about how much matched. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
