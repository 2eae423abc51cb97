import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

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
