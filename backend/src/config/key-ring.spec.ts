import { ConfigError } from './app-config';
import { keyFor, parseKeyRing } from './key-ring';

describe('parseKeyRing', () => {
  it('takes one plain secret as the key for tokens without kid', () => {
    const ring = parseKeyRing('just-one-secret', false);
    expect(keyFor(ring, undefined)).toBe('just-one-secret');
    expect(keyFor(ring, 'any')).toBeUndefined();
  });

  it('keeps a secret with colons whole when what precedes the first colon is no key id', () => {
    expect(keyFor(parseKeyRing('p@ss:with:colons', false), undefined)).toBe('p@ss:with:colons');
    // A leading `word:` is a key id by the documented format.
    expect(keyFor(parseKeyRing('k1:secret', false), 'k1')).toBe('secret');
  });

  it('reads keys by kid, with the bare entry serving kid-less tokens', () => {
    const ring = parseKeyRing('2026-12:new-secret, old-secret', false);
    expect(keyFor(ring, '2026-12')).toBe('new-secret');
    expect(keyFor(ring, undefined)).toBe('old-secret');
    expect(keyFor(ring, 'other')).toBeUndefined();
    expect(keyFor(ring, 42)).toBeUndefined();
  });

  it('lets the first key serve kid-less tokens when every entry has a kid', () => {
    expect(keyFor(parseKeyRing('a:first-secret,b:second-secret', false), undefined)).toBe('first-secret');
  });

  it.each([['a:x,a:y'], ['one,two'], [' , '], ['a:']])('refuses %p', (raw) => {
    expect(() => parseKeyRing(raw, false)).toThrow(ConfigError);
  });

  it('wants 32 characters per key in production', () => {
    expect(() => parseKeyRing('k1:short', true)).toThrow(/at least 32/);
    expect(() => parseKeyRing(`k1:${'x'.repeat(32)}`, true)).not.toThrow();
  });
});
