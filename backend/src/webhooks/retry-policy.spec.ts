import { backoffMs, isRetryableStatus, MAX_BACKOFF_MS, parseRetryAfter } from './retry-policy';

describe('webhook retry policy', () => {
  it('draws the wait between 0 and base * 2^(failures - 1), capped', () => {
    expect(backoffMs(1, 1000, () => 0.999)).toBe(999);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(2000);
    expect(backoffMs(3, 1000, () => 0)).toBe(0);
    expect(backoffMs(60, 1000, () => 0.999999)).toBeLessThan(MAX_BACKOFF_MS);
    expect(backoffMs(60, 1000, () => 0.999999)).toBeGreaterThan(MAX_BACKOFF_MS - 10);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('2026-12-01', now)).toBeNull();
  });

  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 404, 410, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});
