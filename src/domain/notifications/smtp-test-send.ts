import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { DeliveryFailure, type MailTransports } from '../../ports/mail-transport.ts';
import { sendingAccounts } from '../mailboxes/sending-accounts.ts';
import { DELIVERY_SENTENCES } from './delivery-results.ts';
import { scrubAndCut, scrubSecrets } from '../parameters/secret-scrub.ts';
import { deliveryResultOf, type DeliveryResult } from './delivery-results.ts';
import { isEmailAddress } from '../users/user.ts';
import { withAccessTokens } from '../mailboxes/oauth/access-token.ts';

export type MailDeps = Pick<Deps, 'storage' | 'secrets' | 'tokens' | 'site' | 'clock'> &
  Partial<Pick<Deps, 'oauth'>> & { transports: MailTransports };

export interface TestMailResult {
  ok: boolean;
  /** An English sentence (for the API and logs); the web shows `code` and `result` in the admin's language. */
  message: string;
  messageId: string | null;
  code: 'SENT' | 'SMTP_NOT_CONFIGURED' | 'DELIVERY_FAILED';
  /** SENT: the server's reply; DELIVERY_FAILED: what went wrong, as the outbox reports an attempt. */
  result: DeliveryResult | null;
}

export function checkAddress(to: string): string {
  const address = to.trim();
  if (!isEmailAddress(address))
    throw new DomainError('VALIDATION_FAILED', `"${to}" is not an email address.`, { details: { field: 'to' } });
  return address;
}

export async function sendNow(
  deps: MailDeps,
  to: string,
  content: { subject: string; html: string; text: string },
  mailboxId: number | null = null,
): Promise<TestMailResult> {
  const address = checkAddress(to);
  // The default mailbox (the parameters), or a mailbox of a team's.
  const account = await sendingAccounts(withAccessTokens(deps), deps.storage)(mailboxId);
  // A mailbox whose OAuth2 grant needs reconnecting has a problem and no transport: that problem is the answer.
  if (account.problem === DELIVERY_SENTENCES.NO_ACCOUNT || (!account.transport && account.problem === null))
    return {
      ok: false,
      code: 'SMTP_NOT_CONFIGURED',
      message: 'No SMTP account is configured yet (host and sender address are needed).',
      messageId: null,
      result: null,
    };
  if (account.problem !== null || !account.transport)
    return {
      ok: false,
      code: 'DELIVERY_FAILED',
      message: account.problem ?? DELIVERY_SENTENCES.NO_ACCOUNT,
      messageId: null,
      result: deliveryResultOf(account.problem ?? DELIVERY_SENTENCES.NO_ACCOUNT),
    };
  const messageId = `<parley.test.${deps.tokens.random(12)}@${deps.site.mailDomain}>`;
  try {
    const { reply } = await account.transport.send({
      from: account.from,
      to: { name: '', address },
      replyTo: null,
      ...content,
      messageId,
      inReplyTo: null,
      references: [],
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    const shortReply = scrubAndCut(reply, account.settings, 200);
    return {
      ok: true,
      code: 'SENT',
      message: `The SMTP server accepted the test mail (${shortReply}).`,
      messageId,
      result: { code: 'SERVER_REPLY', params: { reply: shortReply } },
    };
  } catch (error) {
    if (!(error instanceof DeliveryFailure)) throw error;
    const reply = scrubSecrets(error.reply, account.settings);
    return { ok: false, code: 'DELIVERY_FAILED', message: reply, messageId: null, result: deliveryResultOf(reply) };
  }
}
