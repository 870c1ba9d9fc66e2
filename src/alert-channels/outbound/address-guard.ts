import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Ranges an outbound webhook must not reach unless ALLOW_PRIVATE_WEBHOOKS=true: loopback, private,
 * carrier-grade NAT, link-local (cloud metadata lives at 169.254.169.254), multicast, reserved and
 * "this network" addresses, IPv4 and IPv6.
 */
const forbidden = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  forbidden.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  forbidden.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail), or null. */
function ipv6Groups(address: string): number[] | null {
  let a = address.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    a = a.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = a.includes('::') ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function v4FromGroups(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * True when `address` (a literal IP) is one an outbound webhook must not reach. IPv6 forms that carry an
 * IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4
 * 2002::/16) are judged by the IPv4 address inside them. Anything that is not an IP literal is refused.
 */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbidden.check(address, 'ipv4');
  if (family !== 6) return true;
  const g = ipv6Groups(address);
  if (!g) return true;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return isForbiddenAddress(v4FromGroups(g[6], g[7]));
  if (zeros(6) && (g[6] !== 0 || g[7] > 1)) return isForbiddenAddress(v4FromGroups(g[6], g[7]));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return isForbiddenAddress(v4FromGroups(g[6], g[7]));
  }
  if (g[0] === 0x2002) return isForbiddenAddress(v4FromGroups(g[1], g[2]));
  return forbidden.check(address.split('%')[0], 'ipv6');
}

/** Why a URL cannot be a webhook target, or null when it can. */
export class OutboundTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundTargetError';
  }
}

/** The host of a URL as an IP literal or a name, without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Checks a webhook URL before it is stored: http(s) only, and unless private targets are allowed, a host
 * that is not (and does not resolve to) a private, loopback or link-local address. Numeric host forms
 * (`2130706433`, `0x7f.1`) are normalised to dotted IPv4 by the URL parser before the check. The same
 * check runs again at send time on the address actually connected to (see safe-http.ts).
 */
export async function assertPublicTarget(
  raw: string,
  allowPrivate: boolean,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundTargetError('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundTargetError('must be an http(s) URL');
  if (allowPrivate) return url;
  const host = urlHost(url);
  if (isIP(host)) {
    if (isForbiddenAddress(host)) throw new OutboundTargetError(`points to a private or loopback address (${host})`);
    return url;
  }
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new OutboundTargetError(`host ${host} could not be resolved`);
  }
  const bad = addresses.find(isForbiddenAddress);
  if (bad) throw new OutboundTargetError(`host ${host} resolves to a private or loopback address (${bad})`);
  return url;
}

async function resolveAll(host: string): Promise<string[]> {
  return (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
