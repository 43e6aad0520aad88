import { findAll, queryLexemes, SNIPPET_LENGTH, snippetAt } from './highlight';

// What ts_parse('default', …) answers for these texts, and the positions to_tsvector('english', …) gives.
const BLANK = 12;
const TAG = 13;
const WORD = 1;
const HWORD = 16;
const HPART = 11;

const marked = ({ snippet, highlights }: { snippet: string; highlights: [number, number][] }) =>
  highlights.map(([s, e]) => snippet.slice(s, e));

describe('search snippets', () => {
  it('marks the words at the matched positions, the content kept as it is', () => {
    const content = '<script>alert(1)</script> invoice for the invoices';
    const tokids = [TAG, BLANK, TAG, BLANK, WORD, BLANK, WORD, BLANK, WORD, BLANK, WORD];
    const tokens = ['<script>', 'alert(1)', '</script>', ' ', 'invoice', ' ', 'for', ' ', 'the', ' ', 'invoices'];
    // invoice:1 for:2 the:3 invoices:4 (tags and blanks take no position)
    const out = snippetAt(content, tokids, tokens, [1, 4]);
    expect(out.snippet).toBe(content);
    expect(marked(out)).toEqual(['invoice', 'invoices']);
    expect(out.highlights[0]).toEqual([26, 33]);
  });

  it('finds parts of a hyphenated word inside it, and merges the word with its parts', () => {
    const content = 'see foo-bar now';
    const tokids = [WORD, BLANK, HWORD, HPART, BLANK, HPART, BLANK, WORD];
    const tokens = ['see', ' ', 'foo-bar', 'foo', '-', 'bar', ' ', 'now'];
    // see:1 foo-bar:2 foo:3 bar:4 now:5
    expect(marked(snippetAt(content, tokids, tokens, [4]))).toEqual(['bar']);
    expect(marked(snippetAt(content, tokids, tokens, [2, 3, 4]))).toEqual(['foo-bar']);
    expect(marked(snippetAt(content, tokids, tokens, [5]))).toEqual(['now']);
  });

  it('shows a window of a long text around the first match, offsets moved with it', () => {
    const words = Array.from({ length: 200 }, (_, i) => (i === 150 ? 'needle' : `w${i}`));
    const content = words.join('\n');
    const tokids = words.flatMap((_, i) => (i ? [BLANK, WORD] : [WORD]));
    const tokens = words.flatMap((w, i) => (i ? ['\n', w] : [w]));
    const out = snippetAt(content, tokids, tokens, [151]);
    expect(out.snippet.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
    expect(out.snippet.startsWith('…')).toBe(true);
    expect(out.snippet).not.toContain('\n');
    expect(marked(out)).toEqual(['needle']);
  });

  it('reads the lexemes a query looks for, excluded ones left out by querytree', () => {
    expect(queryLexemes(`'refund' <-> 'request' & 'o''brien' | 'invoic'`)).toEqual(['refund', 'request', "o'brien", 'invoic']);
  });

  it('finds every case-insensitive occurrence of a fragment, taking it literally', () => {
    expect(marked(findAll('Ana Lopez <ana.lopez7@acme.com>', 'LOPEZ'))).toEqual(['Lopez', 'lopez']);
    expect(findAll('a.b and axb', 'a.b').highlights).toEqual([[0, 3]]);
  });
});
