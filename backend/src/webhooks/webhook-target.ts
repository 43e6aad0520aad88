import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { refusedAddressKind } from './address-classifier';

/** A webhook URL or its address is not acceptable; `reason` is told to the admin as is. */
export class TargetRefused extends Error {
  constructor(
    readonly reason: string,
    /** A name that does not resolve may resolve later; a refused address stays refused. */
    readonly transient = false,
  ) {
    super(reason);
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

const MAX_URL = 2048;

/** The URL an admin gave, checked for its form: http(s), no credentials, https in production. */
export function parseTargetUrl(raw: string, production: boolean): URL {
  let url: URL;
  try {
    if (raw.length > MAX_URL) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw new TargetRefused(`url must be an absolute http(s) URL of at most ${MAX_URL} characters`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('url must start with https:// or http://');
  if (production && url.protocol !== 'https:') throw new TargetRefused('url must use https in production');
  if (url.username || url.password) throw new TargetRefused('url must not carry a user name or password');
  return url;
}

/**
 * Every address the URL's host stands for, each checked: one refused address refuses the whole
 * target, since a client would pick any of them. The sender then connects only to these
 * addresses (it never looks the name up again), so a DNS answer that changes after the check
 * cannot point a delivery at an inner address.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      const found = await lookup(host, { all: true, verbatim: true });
      addresses = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch {
      throw new TargetRefused(`the host ${host} does not resolve`, true);
    }
    if (!addresses.length) throw new TargetRefused(`the host ${host} does not resolve`, true);
  }
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const kind = refusedAddressKind(address);
      if (kind) throw new TargetRefused(`${host} resolves to ${address}, a ${kind} address; webhooks go to public addresses only`);
    }
  }
  return addresses;
}
