import { getRounds, hashSync } from 'bcryptjs';
import { hashPassword, hashWorkers, verifyPassword } from './password';

describe('passwords', () => {
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => hashWorkers.close());

  it('checks a password against its hash, and never accepts a missing hash', async () => {
    const hash = hashSync('right', 4);
    await expect(verifyPassword('right', hash)).resolves.toBe(true);
    await expect(verifyPassword('wrong', hash)).resolves.toBe(false);
    await expect(verifyPassword('right', undefined)).resolves.toBe(false);
    await expect(verifyPassword('', '')).resolves.toBe(false);
  });

  it.each([
    ['an unknown email', undefined],
    ['an account with no password yet', ''],
  ])('costs %s one full-cost comparison, like a wrong password', async (_case, missing) => {
    const compare = jest.spyOn(hashWorkers, 'compare');
    await expect(verifyPassword('guess', missing)).resolves.toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    // The stand-in hash is a real one at the cost new passwords get.
    const [, against] = compare.mock.calls[0];
    expect(getRounds(against)).toBe(getRounds(await hashPassword('new password')));
  });

  it('hashes off the event loop: the server keeps serving while a hash is computed', async () => {
    let turns = 0;
    let hashing = true;
    const spin = (): void => {
      turns++;
      if (hashing) setImmediate(spin);
    };
    setImmediate(spin);
    const hash = await hashPassword('while serving');
    hashing = false;
    await expect(verifyPassword('while serving', hash)).resolves.toBe(true);
    // On the calling thread bcryptjs yields only every 100 ms: a handful of turns in all.
    expect(turns).toBeGreaterThan(100);
  });
});
