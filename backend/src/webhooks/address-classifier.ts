import { isIPv4, isIPv6 } from 'node:net';

/** Why an address may not be a webhook target; null when it is a public address. */
export type RefusedKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'shared (CGNAT)'
  | 'multicast'
  | 'reserved'
  | 'not an IP address';

type Range4 = [base: number, bits: number, kind: RefusedKind];

const v4 = (a: string): number => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);

const RANGES_4: Range4[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.168.0.0'), 16, 'private'],
  // Cloud metadata services (169.254.169.254) live here.
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('100.64.0.0'), 10, 'shared (CGNAT)'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function classify4(address: string): RefusedKind | null {
  const n = v4(address);
  for (const [base, bits, kind] of RANGES_4) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return kind;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address, a trailing dotted IPv4 part included. */
function groups6(address: string): number[] {
  let text = address.toLowerCase().split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function classify6(address: string): RefusedKind | null {
  const g = groups6(address);
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms reach IPv4 hosts.
  if ((zeroUpTo(5) && g[5] === 0xffff) || zeroUpTo(6)) {
    return classify4(`${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`);
  }
  // NAT64 (64:ff9b::/96) translates to the IPv4 address in its last 32 bits.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return classify4(`${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`);
  }
  if ((g[0] & 0xfe00) === 0xfc00) return 'private';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  // Site-local, deprecated but still routed privately by some networks.
  if ((g[0] & 0xffc0) === 0xfec0) return 'private';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/**
 * Whether a webhook may be sent to this address: null for a public one, otherwise what kind
 * of address it is (loopback, private, link-local, ...), which is the reason given to admins.
 */
export function refusedAddressKind(address: string): RefusedKind | null {
  if (isIPv4(address)) return classify4(address);
  if (isIPv6(address)) return classify6(address);
  return 'not an IP address';
}
