/**
 * The address check every outgoing connection Parley makes for an administrator's setting goes through (the SMTP
 * account, the IMAP mailbox): link-local and cloud metadata addresses are refused, also when an IPv6 address
 * carries one of them embedded (IPv4-mapped and -translated, IPv4-compatible, NAT64, 6to4, Teredo, ISATAP).
 * Checked at save on the literal, and again at connect time on every address a name resolves to.
 */

export const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Labels a resolver may read as a number (decimal, octal with a leading 0, hex with 0x). */
export const NUMERIC_LABEL = /^(0x[0-9a-f]*|\d+)$/i;

/** Metadata services reached at a fixed IPv4 address: AWS/GCP/Azure IMDS, Alibaba, Oracle, Azure's wire server. */
const METADATA_IPV4 = new Set(['169.254.169.254', '100.100.100.200', '192.0.0.192', '168.63.129.16']);
/** Metadata services with an IPv6 address of their own: AWS (fd00:ec2::254) and GCP (fd20:ce::254). */
const METADATA_IPV6 = ['fd00:ec2:0:0:0:0:0:254', 'fd20:ce:0:0:0:0:0:254'];
const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
]);

/** The eight 16-bit groups of an IPv6 literal (with `::` expanded and a trailing dotted IPv4 folded in). */
export function parseIpv6(text: string): number[] | undefined {
  let h = text;
  const v4 = /^(.*:)((\d+\.){3}\d+)$/.exec(h);
  if (v4) {
    if (!DOTTED_QUAD.test(v4[2]!)) return undefined;
    const [a, b, c, d] = v4[2]!.split('.').map(Number) as [number, number, number, number];
    h = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = h.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (![...head, ...tail].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
}

function ipv4Of(hi: number, lo: number): string {
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** The 16 bytes of an address given as eight groups. */
function bytesOf(g: readonly number[]): number[] {
  return g.flatMap((x) => [x >> 8, x & 255]);
}

/** RFC 6052: where a NAT64 prefix of each length carries the IPv4 address (bits 64–71 are the reserved u octet). */
const NAT64_LAYOUT: Record<number, number[]> = {
  32: [4, 5, 6, 7],
  40: [5, 6, 7, 9],
  48: [6, 7, 9, 10],
  56: [7, 9, 10, 11],
  64: [9, 10, 11, 12],
  96: [12, 13, 14, 15],
};

/**
 * Every IPv4 address an IPv6 address may carry, whichever way a network would read it. The caller refuses the
 * address when any of them is refused, so an ambiguous form is read every way it can be.
 */
export function embeddedIpv4(g: readonly number[]): string[] {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const last = ipv4Of(g[6]!, g[7]!);
  const found: string[] = [];
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated, RFC 2765), ::a.b.c.d (compatible, deprecated)
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) found.push(last);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) found.push(last);
  // NAT64: the well-known prefix 64:ff9b::/96, and the local-use prefix 64:ff9b:1::/48 at any length it may be used with
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) found.push(last);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) {
    const b = bytesOf(g);
    for (const length of [48, 56, 64, 96]) found.push(NAT64_LAYOUT[length]!.map((i) => b[i]).join('.'));
  }
  // 6to4 2002::/16: the IPv4 address is bits 16–47
  if (g[0] === 0x2002) found.push(ipv4Of(g[1]!, g[2]!));
  // Teredo 2001::/32: the server's IPv4 in bits 32–63, the client's in the last 32 bits, every bit inverted
  if (g[0] === 0x2001 && g[1] === 0) {
    found.push(ipv4Of(g[2]!, g[3]!));
    found.push(ipv4Of(g[6]! ^ 0xffff, g[7]! ^ 0xffff));
  }
  // ISATAP: an interface identifier of ::0:5efe:a.b.c.d or ::200:5efe:a.b.c.d under any prefix
  if ((g[4] === 0 || g[4] === 0x200) && g[5] === 0x5efe) found.push(last);
  return found;
}

function isForbiddenIpv4(address: string): boolean {
  return address.startsWith('169.254.') || METADATA_IPV4.has(address);
}

/**
 * Link-local and cloud metadata addresses, in any form a resolver or a network reads as one: an SMTP or IMAP host
 * there could reach internal services (and the credentials Parley sends would go to them).
 */
export function isForbiddenHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (METADATA_NAMES.has(h)) return true;
  if (h.includes(':')) {
    const g = parseIpv6(h.replace(/%.*$/, ''));
    if (!g) return true; // not an address we can read: refuse rather than guess
    if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
    if (METADATA_IPV6.includes(g.map((x) => x.toString(16)).join(':'))) return true;
    return embeddedIpv4(g).some(isForbiddenIpv4);
  }
  // Any spelling a resolver reads as a number but that is not a plain dotted quad is refused outright.
  if (h.split('.').every((label) => NUMERIC_LABEL.test(label))) return !DOTTED_QUAD.test(h) || isForbiddenIpv4(h);
  return false;
}
