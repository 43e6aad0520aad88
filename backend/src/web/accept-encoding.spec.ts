import { chooseEncoding, type Encoding } from './accept-encoding';

const both: Encoding[] = ['br', 'gzip'];

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', both, 'br'],
    ['br', both, 'br'],
    ['gzip', both, 'gzip'],
    ['gzip, deflate', both, 'gzip'],
    ['x-gzip', both, 'gzip'],
    ['GZIP, BR', both, 'br'],
    ['br;q=0.5, gzip', both, 'gzip'],
    ['br;q=0, gzip', both, 'gzip'],
    ['br;q=0, gzip;q=0', both, null],
    ['*', both, 'br'],
    ['*;q=0.5, br;q=0', both, 'gzip'],
    ['*;q=0', both, null],
    ['identity', both, null],
    ['deflate', both, null],
    ['br;q=0.1, identity', both, null],
    ['br;q=0.1, identity;q=0', both, 'br'],
    ['br, gzip', ['gzip'], 'gzip'],
    ['br', ['gzip'], null],
    ['br, gzip', [], null],
    ['', both, null],
    [undefined, both, null],
    ['br;q=abc, gzip', both, 'gzip'],
    [' br ; q=1 , gzip ; q=0.9', both, 'br'],
  ] as [string | undefined, Encoding[], Encoding | null][])('%j with %j gives %j', (header, available, expected) => {
    expect(chooseEncoding(header, available)).toBe(expected);
  });
});
