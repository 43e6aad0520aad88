import { apiKeyHash, newApiKey, sameHash } from './api-key-secret';

describe('API key secrets', () => {
  it('makes distinct, recognisable keys of 256 random bits', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newApiKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);
  });

  it('hashes only what can be a key, the same way every time', () => {
    const key = newApiKey();
    expect(apiKeyHash(key)).toEqual(apiKeyHash(key));
    expect(apiKeyHash(key)?.length).toBe(32);
    expect(apiKeyHash(newApiKey())).not.toEqual(apiKeyHash(key));
    for (const bad of ['', 'sck_', key.slice(0, -1), `${key}x`, key.replace('sck_', 'sk_'), 'eyJhbGciOiJIUzI1NiJ9.e30.x']) {
      expect(apiKeyHash(bad)).toBeNull();
    }
  });

  it('compares hashes of any length without throwing', () => {
    const a = apiKeyHash(newApiKey())!;
    expect(sameHash(a, Buffer.from(a))).toBe(true);
    expect(sameHash(a, apiKeyHash(newApiKey())!)).toBe(false);
    expect(sameHash(a, a.subarray(0, 8))).toBe(false);
  });
});
