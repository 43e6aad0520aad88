import { isStorableText } from '../common/text';

/** Far deeper than any body this API takes: its bodies are flat objects. */
export const MAX_JSON_DEPTH = 16;

const depths = new WeakMap<object, number>();

/**
 * The `JSON.parse` reviver for request bodies. A string Postgres cannot store exactly, or a
 * nesting deeper than MAX_JSON_DEPTH (which the validators would recurse through until the
 * stack runs out), makes the body malformed: body-parser answers the throw with a 400 before
 * any code of ours sees the body. Children are revived before their parent, so a parent's
 * depth is one more than its deepest child's.
 */
export function jsonBodyReviver(key: string, value: unknown): unknown {
  // No body has these fields, and the class conversion would drop them silently rather than refuse them.
  if (key === '__proto__' || key === 'constructor' || !isStorableText(key)) throw new SyntaxError('unacceptable key');
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw new SyntaxError('ill-formed text');
    return value;
  }
  if (value !== null && typeof value === 'object') {
    let depth = 1;
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === 'object') depth = Math.max(depth, 1 + (depths.get(child) ?? 1));
    }
    if (depth > MAX_JSON_DEPTH) throw new SyntaxError('nested too deep');
    depths.set(value, depth);
  }
  return value;
}
