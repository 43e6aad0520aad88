/**
 * Snippets as plain text with highlight offsets, so whatever a message contains (`<b>`,
 * `<script>`, quotes) comes back as the text it is, and only the offsets say what to mark.
 *
 * Postgres says which words matched: the positions of the query's lexemes in the message's
 * stored tsvector. Positions count the tokens of Postgres's default parser that the english
 * configuration indexes (`ts_parse` gives them, with the text of each), so walking those tokens
 * over the content finds each matched word where it stands. (ts_headline would do the
 * marking, but it leaves out everything it parses as an HTML tag, so its text is not the
 * message's.)
 */

/** Longest snippet, in UTF-16 code units; the window starts a little before the first match. */
export const SNIPPET_LENGTH = 240;
const LEAD = 60;

export interface Snippet {
  snippet: string;
  highlights: [number, number][];
}

// Token type ids of the default parser (`ts_token_type('default')`): fixed in Postgres's source.
/** Not indexed by the english configuration, so they take no position: blank, tag, protocol, entity. */
const UNINDEXED = new Set([12, 13, 14, 23]);
/** Tokens the parser follows with their parts (which cover the same text): url, numhword, asciihword, hword. */
const COMPOUND = new Set([5, 15, 16, 17]);
/** Postgres skips longer words without giving them a position. */
const MAX_WORD = 2047;
/** And every position past this one is stored as this one. */
const MAX_POSITION = 16383;

/** The lexemes a tsquery looks for, from `querytree` (which leaves out the excluded ones). */
export function queryLexemes(tree: string): string[] {
  return [...tree.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

/**
 * The content around its first matched word, with every matched word in that window marked.
 * `tokids`/`tokens`: ts_parse('default', content); `positions`: where the query's lexemes stand
 * in to_tsvector('english', content).
 */
export function snippetAt(content: string, tokids: number[], tokens: string[], positions: number[]): Snippet {
  const wanted = new Set(positions.filter((p) => p < MAX_POSITION));
  const ranges: [number, number][] = [];
  let pos = 0;
  let at = 0;
  let region: { at: number; end: number } | null = null;
  for (let i = 0; i < tokens.length && ranges.length < 1000; i++) {
    const token = tokens[i];
    let start: number;
    if (region && region.at < region.end) {
      start = content.indexOf(token, region.at);
      if (start < 0 || start + token.length > region.end) continue;
      region.at = start + token.length;
    } else {
      region = null;
      start = content.indexOf(token, at);
      if (start < 0) continue;
      at = start + token.length;
      if (COMPOUND.has(tokids[i])) region = { at: start, end: at };
    }
    if (UNINDEXED.has(tokids[i]) || token.length > MAX_WORD) continue;
    pos++;
    if (wanted.has(pos)) ranges.push([start, start + token.length]);
  }
  return windowed(content, merge(ranges));
}

/** Every case-insensitive occurrence of `needle` in `text` (a user's name and email). */
export function findAll(text: string, needle: string): Snippet {
  const highlights: [number, number][] = [];
  if (needle) {
    const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
    for (const match of text.matchAll(pattern)) {
      if (match[0].length) highlights.push([match.index, match.index + match[0].length]);
    }
  }
  return windowed(text, highlights);
}

/** Touching or overlapping ranges as one (a hyphenated word and its parts), in order. */
function merge(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * At most SNIPPET_LENGTH of `text` from a little before the first range, cut at spaces where it
 * can be, with "…" where text was left out; line breaks become spaces (one for one, so the
 * offsets hold). Ranges are moved with the window and cut by it.
 */
function windowed(text: string, ranges: [number, number][]): Snippet {
  let from = 0;
  let to = text.length;
  if (text.length > SNIPPET_LENGTH) {
    from = Math.max(0, Math.min((ranges[0]?.[0] ?? 0) - LEAD, text.length - SNIPPET_LENGTH));
    if (from > 0) {
      const space = text.indexOf(' ', from);
      if (space >= 0 && space < from + LEAD / 2) from = space + 1;
    }
    to = Math.min(text.length, from + SNIPPET_LENGTH);
    if (to < text.length) {
      const space = text.lastIndexOf(' ', to);
      if (space > from + SNIPPET_LENGTH / 2) to = space;
    }
    // Never split a surrogate pair.
    if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from])) from++;
    if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1])) to--;
  }
  const head = from > 0 ? '…' : '';
  const body = text.slice(from, to).replace(/\s/g, ' ');
  const snippet = head + body + (to < text.length ? '…' : '');
  const highlights = ranges
    .filter(([s, e]) => e > from && s < to)
    .map(([s, e]): [number, number] => [Math.max(s, from) - from + head.length, Math.min(e, to) - from + head.length]);
  return { snippet, highlights };
}
