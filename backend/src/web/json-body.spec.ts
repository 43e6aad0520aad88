import { jsonBodyReviver, MAX_JSON_DEPTH } from './json-body';

const parse = (text: string) => JSON.parse(text, jsonBodyReviver) as unknown;
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('request body reviver', () => {
  it('passes ordinary bodies through unchanged', () => {
    const body = { content: 'héllo 👩‍💻 <b>', client_id: 'a-1', n: 3, ok: true, none: null, list: [{ a: ['b'] }] };
    expect(parse(JSON.stringify(body))).toEqual(body);
  });

  it.each([
    ['an unpaired high surrogate', '{"content":"\\ud800"}'],
    ['an unpaired low surrogate inside text', '{"content":"a \\udc00 b"}'],
    ['a NUL', '{"content":"a\\u0000b"}'],
    ['an unpaired surrogate in a key', '{"\\ud800":"x"}'],
    ['a __proto__ key', '{"content":"x","__proto__":{"polluted":true}}'],
    ['a constructor key', '{"content":"x","constructor":{"prototype":{"polluted":true}}}'],
  ])('refuses %s', (_name, text) => {
    expect(() => parse(text)).toThrow(SyntaxError);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} and refuses deeper, however deep`, () => {
    expect(() => parse(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parse(nested(MAX_JSON_DEPTH + 1))).toThrow();
    expect(() => parse(`{"content":${nested(20_000)}}`)).toThrow();
  });
});
