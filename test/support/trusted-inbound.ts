/**
 * The inbound half of Parley in process for the mail tests: mailparser, and sender verification that trusts the
 * Authentication-Results of one authserv-id (`TRUSTED_MX`) and resolves no DNS (every lookup fails), so a test
 * proves or leaves unproven a sender by the header it writes.
 */
import { MailauthSenderVerifier } from '../../src/adapters/inbound/mailauth-sender-verifier.ts';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';

export const TRUSTED_MX = 'mx.trusted.test';

/** `Authentication-Results` from the trusted server: SPF and DMARC pass (or not) for `domain`. */
export const authResults = (domain: string, pass = true) =>
  `${TRUSTED_MX}; spf=${pass ? 'pass' : 'none'} smtp.mailfrom=${domain}; dmarc=${pass ? 'pass' : 'none'} header.from=${domain}`;

export function trustedInbound(deps: Deps, policy: Partial<InboundDeps['policy']> = {}): InboundDeps {
  return {
    ...deps,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: 1000, maxAttempts: 5, ...policy },
    senderVerifier: new MailauthSenderVerifier({
      trustedAuthservIds: [TRUSTED_MX],
      resolve: async (name) => {
        throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      },
      mta: 'parley.test',
    }),
  };
}
