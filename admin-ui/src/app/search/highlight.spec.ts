import { segments } from './highlight';

describe('snippet segments', () => {
  it('cuts a snippet at its highlights, markup in the text kept as text', () => {
    expect(segments('<b>x</b> invoice due', [[9, 16]])).toEqual([
      { text: '<b>x</b> ', mark: false },
      { text: 'invoice', mark: true },
      { text: ' due', mark: false },
    ]);
  });

  it('clamps ranges that overlap or run past the end, and skips empty ones', () => {
    expect(
      segments('abcdef', [
        [0, 2],
        [1, 3],
        [4, 4],
        [5, 99],
      ]),
    ).toEqual([
      { text: 'ab', mark: true },
      { text: 'c', mark: true },
      { text: 'de', mark: false },
      { text: 'f', mark: true },
    ]);
    expect(segments('plain', [])).toEqual([{ text: 'plain', mark: false }]);
  });
});
