import { randomUUID } from 'node:crypto';

// The hostile values the shape tests put into every field, shared by the REST and socket files.

/** JSON values an attacker puts where an id, a cursor, a flag or a text goes. */
export const JSON_VALUES: [string, unknown][] = [
  ['an object', { a: 1 }],
  ['an operator object', { $gt: '' }],
  ['an array', ['x']],
  ['an empty array', []],
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['true', true],
  ['null', null],
  ['an empty string', ''],
  ['a very long string', 'a'.repeat(60_000)],
  ['a NUL inside text', 'a\u0000b'],
  ['a lone surrogate', '\uD800'],
  ['text with a lone surrogate', 'ok \uDC00 then'],
  ['SQL', "' OR 1=1 --"],
  ['a stacked SQL statement', "x'); DROP TABLE support_messages; --"],
  ['an operator as text', '{"$gt":""}'],
  ['a prototype name', '__proto__'],
];

/** The same, as an attacker writes them into a query string or a path. */
export const RAW_QUERY_VALUES: [string, (key: string) => string][] = [
  ['an operator key', (k) => `${k}[$gt]=`],
  ['an array', (k) => `${k}=a&${k}=b`],
  ['an empty value', (k) => `${k}=`],
  ['SQL', (k) => `${k}=${encodeURIComponent("' OR 1=1 --")}`],
  ['an operator as text', (k) => `${k}=${encodeURIComponent('{"$gt":""}')}`],
  ['a NUL', (k) => `${k}=%00`],
  ['an encoded lone surrogate', (k) => `${k}=%ED%A0%80`],
  ['a broken escape', (k) => `${k}=%`],
  ['a very long value', (k) => `${k}=${'9'.repeat(10_000)}`],
  ['null', (k) => `${k}=null`],
  ['minus one', (k) => `${k}=-1`],
  ['an overflowing number', (k) => `${k}=1e999`],
  ['a prototype name', (k) => `${k}=__proto__`],
];

export const RAW_PATH_VALUES: [string, string][] = [
  ['SQL', encodeURIComponent("' OR 1=1 --")],
  ['an operator as text', encodeURIComponent('{"$gt":""}')],
  ['a NUL', '%00'],
  ['an encoded lone surrogate', '%ED%A0%80'],
  ['a broken escape', '%'],
  ['a very long value', 'f'.repeat(10_000)],
  ['null', 'null'],
  ['a prototype name', '__proto__'],
  ['an uppercase-less uuid missing a digit', randomUUID().slice(1)],
];

/** Text the server must keep exactly: hostile-looking, but text. */
export const VERBATIM_TEXT = ["' OR 1=1 --", "x'); DROP TABLE support_messages; --", '{"$gt":""}', '__proto__', '\u202Eevil\u202C', '👩‍💻 ok'];

/** Optional fields: `null` is their absence, not an attack. */
export const absentOk = (value: unknown, optional: boolean) => optional && value === null;
