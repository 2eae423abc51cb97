import type { Clock } from '../../ports/clock.ts';
import type { Uses } from '../../ports/storage.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import { mailboxAddresses } from '../mailboxes/mailbox-addresses.ts';

/**
 * The recipients the SMTP receiver accepts (`RCPT TO`): any address at the mail domain (the signed `reply+…`
 * addresses among them), the support address (parameter 10, the SMTP account's From), every team mailbox's sender
 * address, and the addresses and
 * `@domain`s of PARLEY_INBOUND_RECIPIENTS; all case-insensitive. The support address is read from the database:
 * a match is remembered for a few seconds, anything else is read afresh, so a new support address is accepted at
 * once. A failed read rejects (the receiver answers 451, the sender retries).
 */
export function inboundRecipientCheck(
  config: { mailDomain: string; inboundRecipients: readonly string[] },
  repos: Uses<{ settings: 'getParameters'; mailboxes: 'listMailboxes' }>,
  clock: Clock,
  cacheMs = 5000,
): (address: string) => Promise<boolean> {
  const ownDomain = config.mailDomain.toLowerCase();
  const extraAddresses = new Set(config.inboundRecipients.filter((r) => !r.startsWith('@')));
  const extraDomains = new Set(config.inboundRecipients.filter((r) => r.startsWith('@')).map((r) => r.slice(1)));
  let support: { addresses: Set<string>; readAt: number } | undefined;
  let reading: Promise<Set<string>> | undefined;
  // The support address and every team mailbox's sender address.
  const readSupport = () =>
    (reading ??= Promise.all([readParameters(repos), mailboxAddresses(repos)])
      .then(([values, mailboxes]) => {
        const from = values.get(PARAM.SMTP_FROM);
        const addresses = new Set(mailboxes.keys());
        if (typeof from === 'string' && from !== '') addresses.add(from.toLowerCase());
        support = { addresses, readAt: clock.now().getTime() };
        return addresses;
      })
      .finally(() => (reading = undefined)));
  return async (address) => {
    const a = address.trim().toLowerCase();
    const at = a.lastIndexOf('@');
    if (at <= 0) return false;
    const domain = a.slice(at + 1);
    if (domain === ownDomain || extraDomains.has(domain) || extraAddresses.has(a)) return true;
    if (support?.addresses.has(a) && clock.now().getTime() - support.readAt < cacheMs) return true;
    return (await readSupport()).has(a);
  };
}
