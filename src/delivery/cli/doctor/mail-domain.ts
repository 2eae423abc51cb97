import { unreachableMailDomain } from '../serve.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/** The DNS look-ups the check makes (node:dns's `Resolver` has them; tests point one at their own server). */
export interface MailDomainResolver {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(domain: string): Promise<string[]>;
  resolve6(domain: string): Promise<string[]>;
}

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

async function records(look: () => Promise<string[]>): Promise<string[]> {
  try {
    return await look();
  } catch (error) {
    if (NO_RECORD.has((error as { code?: string }).code ?? '')) return [];
    throw error;
  }
}

/**
 * Reply and bounce addresses are at PARLEY_MAIL_DOMAIN: mail reaches it only through an MX record, or an A/AAAA
 * record when it has no MX at all (none when its MX is a null MX).
 */
export async function checkMailDomain(domain: string, resolver: MailDomainResolver): Promise<CheckResult> {
  const name = 'mail domain';
  if (unreachableMailDomain(domain))
    return failed(name, `reply addresses are reply+…@${domain}, which cannot receive mail: set PARLEY_MAIL_DOMAIN.`);
  try {
    const exchanges = await records(async () => (await resolver.resolveMx(domain)).map((r) => r.exchange));
    const mx = exchanges.filter((exchange) => exchange !== '' && exchange !== '.');
    if (mx.length > 0) return passed(name, `${domain} receives mail through ${mx.sort().join(', ')} (MX).`);
    // A null MX (RFC 7505; node:dns gives its exchange as "" or "."): the domain takes no mail, and senders must not
    // fall back to its A or AAAA records.
    if (exchanges.length > 0)
      return failed(
        name,
        `${domain} publishes a null MX (RFC 7505), so no mail reaches it and replies and bounces cannot come back to ` +
          'Parley: publish an MX for PARLEY_MAIL_DOMAIN in its place, or set it to a domain that receives mail.',
      );
    const addresses = [
      ...(await records(() => resolver.resolve4(domain))),
      ...(await records(() => resolver.resolve6(domain))),
    ];
    if (addresses.length > 0)
      return passed(name, `${domain} has no MX; mail goes to its address ${addresses[0]} (A/AAAA).`);
    return failed(
      name,
      `${domain} has no MX, A or AAAA record, so replies and bounces cannot reach Parley: publish an MX for PARLEY_MAIL_DOMAIN.`,
    );
  } catch (error) {
    return failed(name, `${domain} cannot be looked up in DNS (${reason(error)}).`);
  }
}
