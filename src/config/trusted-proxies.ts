import { isIP } from 'node:net';

/**
 * PARLEY_TRUSTED_PROXIES: the reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` Parley believes,
 * comma-separated addresses (`10.0.0.5`, `::1`) and CIDR ranges (`10.0.0.0/8`, `fd00::/8`), IPv4 or IPv6. Unset or
 * empty: none. Each entry is returned as written (trimmed); a bad one is refused with a sentence (a RangeError).
 */
export function parseTrustedProxies(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((raw) => {
    const entry = raw.trim();
    const refuse = (why: string): never => {
      throw new RangeError(
        `PARLEY_TRUSTED_PROXIES must list addresses or CIDR ranges separated by commas, such as 127.0.0.1,10.0.0.0/8,fd00::/8; "${entry}" ${why}.`,
      );
    };
    if (entry === '') refuse('is empty (two commas in a row?)');
    const [address = '', prefix, extra] = entry.split('/');
    if (extra !== undefined) refuse('has more than one "/"');
    const kind = isIP(address);
    if (kind === 0 || address.includes('%')) refuse('is not an IPv4 or IPv6 address');
    if (prefix !== undefined) {
      const bits = kind === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
        refuse(`has a prefix length that is not a whole number from 0 to ${bits}`);
    }
    return entry;
  });
}
