/** The longest wait between two attempts of one delivery, whatever the backoff reached. */
export const MAX_BACKOFF_MS = 3_600_000;

/**
 * Exponential backoff with full jitter: a random wait between 0 and base * 2^(failures - 1),
 * capped, so many deliveries failing together do not come back together.
 */
export function backoffMs(failures: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` in milliseconds from now: delta seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the date forms of RFC 9110, not whatever Date.parse would guess at.
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$|^[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} /.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** 429 and 5xx answers say "not now"; other statuses will not change by asking again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
