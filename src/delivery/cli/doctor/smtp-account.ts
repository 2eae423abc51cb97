import { verifySmtpAccount } from '../../../domain/notifications/verify-smtp-account.ts';
import { UnreadableSecret } from '../../../domain/parameters/parameters.ts';
import type { Parley } from '../../../main.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/** Connects to the configured SMTP account and signs in, as Admin's "Verify" does; the cause is shown here. */
export async function checkSmtpAccount(parley: Pick<Parley, 'deps' | 'transports'>): Promise<CheckResult> {
  let result;
  try {
    result = await verifySmtpAccount({ ...parley.deps, transports: parley.transports });
  } catch (error) {
    if (error instanceof UnreadableSecret)
      return failed('SMTP account', 'its password cannot be opened with this secret key (see "secret key").');
    return failed('SMTP account', `cannot be checked (${reason(error)}).`);
  }
  if (!result.ok)
    return failed('SMTP account', result.detail ? `${result.message} (${result.detail})` : result.message);
  return passed('SMTP account', result.message);
}
