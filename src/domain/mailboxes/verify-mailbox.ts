import type { VerifyResult } from '../../ports/mail-transport.ts';
import { DomainError } from '../errors.ts';
import type { MailDeps } from '../notifications/smtp-test-send.ts';
import { sendingAccounts } from './sending-accounts.ts';
import { withAccessTokens } from './oauth/access-token.ts';

/** Connects to a mailbox's SMTP server and signs in; says what went wrong in Parley's words. */
export async function verifyMailbox(deps: MailDeps, id: number): Promise<VerifyResult> {
  if (!(await deps.storage.mailboxes.findMailbox(id)))
    throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${id}.`);
  const account = await sendingAccounts(withAccessTokens(deps), deps.storage)(id);
  if (!account.transport) return { ok: false, code: 'SMTP_VERIFY_FAILED', message: account.problem };
  return account.transport.verify();
}
