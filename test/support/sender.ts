import type { DnsResolve } from '../../src/adapters/inbound/mailauth-sender-verifier.ts';
import { MailauthSenderVerifier } from '../../src/adapters/inbound/mailauth-sender-verifier.ts';

/**
 * Tests whose subject is not who wrote a mail have their mail verified as an organisation's MTA in front of Parley
 * does: an `Authentication-Results` header of a trusted authserv-id saying DMARC passed. The tests of identity itself
 * (inbound-identity.test.ts) sign with DKIM and answer DNS from their own zone.
 */
export const TEST_AUTHSERV = 'mx.parley.test';

/** DNS that knows nothing (no test reaches the network's DNS). */
export const noDns: DnsResolve = async (name) => {
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

export function testSenderVerifier(resolve: DnsResolve = noDns): MailauthSenderVerifier {
  return new MailauthSenderVerifier({ trustedAuthservIds: [TEST_AUTHSERV], resolve });
}

/** The mail as the trusted MTA passes it on: DMARC pass for its From domain, in a header on top. */
export function verified(raw: Buffer): Buffer {
  const head = raw.toString('latin1', 0, Math.min(raw.length, 64 * 1024));
  const from = /^From:[^\r\n]*?([^\s<>"@]+)@([^\s<>"]+?)>?\s*$/im.exec(head);
  if (!from) throw new Error('verified(): the mail has no From address');
  const domain = from[2]!.toLowerCase();
  return Buffer.concat([
    Buffer.from(
      `Authentication-Results: ${TEST_AUTHSERV}; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}\r\n`,
      'latin1',
    ),
    raw,
  ]);
}
