import { DOTTED_QUAD, embeddedIpv4, parseIpv6 } from '../parameters/forbidden-hosts.ts';

/** IPv4 ranges a webhook may reach only when an administrator allows private addresses: [first octets, prefix]. */
const PRIVATE_IPV4: readonly [number, number, number, number, number][] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8],
  [100, 64, 0, 0, 10], // carrier-grade NAT
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local
  [172, 16, 0, 0, 12],
  [192, 0, 0, 0, 24],
  [192, 168, 0, 0, 16],
  [198, 18, 0, 0, 15], // benchmarking
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, broadcast
];

function isPrivateIpv4(address: string): boolean {
  const n = address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  return PRIVATE_IPV4.some(([a, b, c, d, prefix]) => {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - prefix);
    return n >= base && n < base + size;
  });
}

/**
 * Loopback, private, link-local, shared, multicast and reserved addresses, IPv4 or IPv6 (also an IPv4 address carried
 * inside an IPv6 one), and the name `localhost`: what a webhook endpoint may reach only when an administrator allows
 * it. Anything that is not an address we can read counts as private. Names other than localhost are checked on the
 * addresses they resolve to.
 */
export function isPrivateAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.includes(':')) {
    const g = parseIpv6(h.replace(/%.*$/, ''));
    if (!g) return true;
    if (g.every((x, i) => x === (i === 7 ? 1 : 0))) return true; // ::1
    if (g.every((x) => x === 0)) return true; // ::
    if ((g[0]! & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
    if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
    if ((g[0]! & 0xff00) === 0xff00) return true; // multicast
    return embeddedIpv4(g).some(isPrivateIpv4);
  }
  if (DOTTED_QUAD.test(h)) return isPrivateIpv4(h);
  return false;
}
