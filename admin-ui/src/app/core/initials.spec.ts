import { initials } from './initials';

describe('initials', () => {
  it('takes the first letters of the first and last words, as the server does', () => {
    expect(initials('Ana Maria Lima')).toBe('AL');
    expect(initials('  ben  ')).toBe('B');
    expect(initials('élodie durand')).toBe('ÉD');
    expect(initials('')).toBe('?');
    expect(initials(null)).toBe('?');
  });
});
