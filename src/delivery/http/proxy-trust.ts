import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

/** Whether a hop's address is one of the trusted proxies (`PARLEY_TRUSTED_PROXIES`, already validated). */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * Fastify's `trustProxy` for a list of addresses and CIDR ranges: the client address is the right-most
 * `X-Forwarded-For` entry that is not a trusted proxy, read only when the connection itself comes from one; and
 * `X-Forwarded-Proto` counts only from a trusted proxy. An IPv4 entry also matches its IPv4-mapped IPv6 form.
 * Empty: false (nothing forwarded is believed).
 */
export function proxyTrust(entries: readonly string[]): ProxyTrust | false {
  if (entries.length === 0) return false;
  const trusted = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const kind = typeof address === 'string' ? isIP(address) : 0;
    return kind !== 0 && trusted.check(address, kind === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The request log's fields: the client's address (behind a trusted proxy, the one it forwarded) and, when the
 * connection came from elsewhere, the proxy hop it came through.
 */
export function requestLogFields(request: FastifyRequest) {
  const hop = request.raw?.socket?.remoteAddress;
  return {
    method: request.method,
    url: request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.raw?.socket?.remotePort,
    ...(hop !== undefined && hop !== request.ip ? { proxyAddress: hop } : {}),
  };
}

/** Private and loopback ranges: where a reverse proxy in front of Parley usually is. */
const NEARBY = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
] as const)
  NEARBY.addSubnet(net, bits, 'ipv4');
NEARBY.addAddress('::1', 'ipv6');
NEARBY.addSubnet('fc00::', 7, 'ipv6');

/** Whether an address is loopback or private (an IPv4-mapped IPv6 address as its IPv4 form). */
export function isNearby(address: string | undefined): boolean {
  const kind = address ? isIP(address) : 0;
  return kind !== 0 && NEARBY.check(address!, kind === 6 ? 'ipv6' : 'ipv4');
}

/**
 * An `X-Forwarded-For` entry as an address: the port some proxies add (`198.51.100.1:5555`, `[2001:db8::1]:443`)
 * and brackets removed. Null when what is left is not an address (`unknown`, an obfuscated name, garbage).
 */
export function forwardedAddress(entry: string): string | null {
  let address = entry.trim().replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  return isIP(address) !== 0 && !address.includes('%') ? address : null;
}

/**
 * Puts the `X-Forwarded-For` of a request from a trusted proxy in the form the client-address walk reads: each entry
 * as a bare address (ports and brackets removed), and nothing from the first entry that is not an address leftwards
 * (the peer itself when nothing is left), so that such an entry, reached through trusted hops, leaves the last trusted
 * hop as the client instead of becoming the client's "address" itself (one bucket of the sign-in limiter for every
 * request it names). Returns that entry, when the walk would have reached it; a request from an untrusted peer is
 * left alone (its header is not read).
 */
export function tidyForwardedFor(
  headers: Record<string, string | string[] | undefined>,
  peer: string | undefined,
  trust: ProxyTrust,
): string | null {
  const header = headers['x-forwarded-for'];
  if (header === undefined || peer === undefined || !trust(peer, 0)) return null;
  const entries = (Array.isArray(header) ? header.join(',') : header).split(',');
  const kept: string[] = [];
  let unreadable: string | null = null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = forwardedAddress(entries[i]!);
    if (address === null) {
      // Reached through trusted hops only: the walk would have stopped here.
      if (kept.every((hop, k) => trust(hop, kept.length - k))) unreadable = entries[i]!.trim();
      break;
    }
    kept.unshift(address);
  }
  // Nothing readable left: the proxy forwarded the request, and is the client. The header names it, so that the
  // request still reads as forwarded (what /metrics checks).
  headers['x-forwarded-for'] = kept.length > 0 ? kept.join(', ') : peer;
  return unreadable;
}

/**
 * Fastify's `rewriteUrl`, used as the earliest look at each request (before its log line); the URL is returned as
 * it is. With trusted proxies, their `X-Forwarded-For` is tidied (`tidyForwardedFor`), with a warning when an entry
 * that is no address had to be passed over. Without, one warning when a request from a loopback or private address
 * carries `X-Forwarded-For`: a proxy Parley was not told about, so every client behind it shares its address.
 */
export function forwardedForCheck(trust: ProxyTrust | false) {
  let warned = false;
  // Proxies already warned about (one line each, not one a request; a bounded list).
  const unreadableFrom = new Set<string>();
  return function (this: { log: FastifyBaseLogger }, req: IncomingMessage): string {
    const peer = req.socket?.remoteAddress;
    if (trust) {
      const unreadable = tidyForwardedFor(req.headers, peer, trust);
      if (unreadable !== null && peer !== undefined && !unreadableFrom.has(peer) && unreadableFrom.size < 100) {
        unreadableFrom.add(peer);
        this.log.warn(
          { forwarded: unreadable, proxyAddress: peer },
          'X-Forwarded-For from a trusted proxy names no address: the proxy is taken as the client (said once a proxy)',
        );
      }
    } else if (!warned && req.headers['x-forwarded-for'] !== undefined && isNearby(peer)) {
      warned = true;
      this.log.warn(
        { proxyAddress: peer },
        'A request came through a proxy (X-Forwarded-For from a loopback or private address) but ' +
          "PARLEY_TRUSTED_PROXIES is empty: every client behind it shares the proxy's address in the sign-in " +
          "limiter, the logs and the audit log. Set PARLEY_TRUSTED_PROXIES to the proxy's address.",
      );
    }
    return req.url ?? '/';
  };
}
