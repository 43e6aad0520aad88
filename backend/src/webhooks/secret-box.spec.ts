import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';

  it('seals so the stored value does not show the secret, and opens it again', () => {
    const box = new SecretBox(['a key of at least thirty-two characters']);
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^sb1\.[0-9a-f]{8}\./);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.open(sealed)).toBe(secret);
    // A fresh nonce each time: equal secrets do not look equal at rest.
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('refuses a value altered at rest, and one no configured key opens', () => {
    const box = new SecretBox(['a key of at least thirty-two characters']);
    const sealed = box.seal(secret);
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    expect(() => box.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`)).toThrow();
    expect(() => new SecretBox(['another key, also thirty-two characters']).open(sealed)).toThrow(/no key in SECRETS_KEY/);
  });

  it('opens with a previous key after a rotation and asks for the value to be sealed again', () => {
    const before = new SecretBox(['the old key, thirty-two characters long']);
    const sealed = before.seal(secret);
    const after = new SecretBox(['the new key, thirty-two characters long', 'the old key, thirty-two characters long']);
    expect(after.open(sealed)).toBe(secret);
    expect(after.needsResealing(sealed)).toBe(true);
    expect(after.needsResealing(after.seal(secret))).toBe(false);
  });

  it('reads a secret stored before sealing as it is, and asks for it to be sealed', () => {
    const box = new SecretBox(['a key of at least thirty-two characters']);
    expect(box.open(secret)).toBe(secret);
    expect(box.needsResealing(secret)).toBe(true);
  });
});
