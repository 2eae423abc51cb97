import type { VerifyResult } from '../../ports/mail-transport.ts';
import { smtpCredentials } from '../parameters/parameters.ts';
import type { MailDeps } from './smtp-test-send.ts';

/** Connects to the stored SMTP account and signs in; says what went wrong in Parley's words. */
export async function verifySmtpAccount(deps: MailDeps): Promise<VerifyResult> {
  const account = await smtpCredentials(deps, deps.storage);
  if (!account)
    return {
      ok: false,
      code: 'SMTP_NOT_CONFIGURED',
      message: 'No SMTP account is configured yet (host and sender address are needed).',
    };
  return deps.transports.forSettings(account.settings).verify();
}
