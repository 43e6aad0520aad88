import { slashToken } from './composer.component';

describe('slashToken', () => {
  it('finds the /word just before the caret, at the start or after a space', () => {
    expect(slashToken('/ref', 4)).toEqual({ start: 0, query: 'ref' });
    expect(slashToken('Sure: /Re', 9)).toEqual({ start: 6, query: 're' });
    expect(slashToken('Hi\n/', 4)).toEqual({ start: 3, query: '' });
  });

  it('ignores slashes inside words and links, and a caret elsewhere', () => {
    expect(slashToken('and/or', 6)).toBeNull();
    expect(slashToken('see https://example.com/help', 28)).toBeNull();
    expect(slashToken('/ref then more', 14)).toBeNull();
    expect(slashToken('/ref ', 5)).toBeNull();
  });
});
