import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { PARAM, type ParameterValue } from './parameter-catalogue.ts';
import { checkCredentials, encodeChecked, sameDestination } from './parameter-writes.ts';
import { readParameters, smtpAccountOf, type SmtpAccount } from './parameters.ts';

export interface SmtpAccountInput {
  host: string;
  port: number;
  security: string;
  auth: boolean;
  user?: string | null;
  /**
   * Omitted or null: keep the stored password (refused when the host, port or security change while authentication
   * is on; with authentication off, such a change removes it); "": remove it.
   */
  password?: string | null;
  from: string;
  fromName?: string | null;
  allowInvalidCertificate?: boolean;
}

/** What the audit log compares; the password is named as changed only. */
const AUDITED_FIELDS = [
  'host',
  'port',
  'security',
  'auth',
  'user',
  'from',
  'fromName',
  'allowInvalidCertificate',
] as const satisfies readonly (keyof SmtpAccount)[];

export async function saveSmtpAccount(
  deps: Pick<Deps, 'clock' | 'secrets'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  actor: Actor,
  input: SmtpAccountInput,
): Promise<SmtpAccount> {
  return deps.storage.transaction(async (tx) => {
    const before = await readParameters(tx);
    const moved =
      before.get(PARAM.SMTP_PASSWORD) != null &&
      input.password == null &&
      [
        [PARAM.SMTP_HOST, input.host],
        [PARAM.SMTP_PORT, input.port],
        [PARAM.SMTP_SECURITY, input.security],
        [PARAM.SMTP_ALLOW_INVALID_CERTIFICATE, input.allowInvalidCertificate ?? false],
      ].some(
        ([id, value]) => !sameDestination(id as number, before.get(id as number) ?? null, value as ParameterValue),
      );
    if (moved && input.auth) {
      throw new DomainError(
        'SMTP_ACCOUNT_INVALID',
        'Changing the SMTP host, port or security, or accepting an unverifiable certificate, needs the password again: enter it with the change.',
        {
          details: { field: 'password', reason: 'password-required' },
        },
      );
    }
    // The IMAP reader follows this certificate check too, and its password cannot be given here.
    if (
      before.get(PARAM.IMAP_PASSWORD) != null &&
      !sameDestination(
        PARAM.SMTP_ALLOW_INVALID_CERTIFICATE,
        before.get(PARAM.SMTP_ALLOW_INVALID_CERTIFICATE) ?? null,
        input.allowInvalidCertificate ?? false,
      )
    ) {
      throw new DomainError(
        'SMTP_ACCOUNT_INVALID',
        'Accepting a certificate that cannot be verified applies to the IMAP reader too, whose stored password would go to a server not verified: remove the stored IMAP password (parameter 9014) first, then set it again after the change.',
        { details: { field: 'allowInvalidCertificate', reason: 'imap-password-required' } },
      );
    }
    const writes: [number, unknown][] = [
      [PARAM.SMTP_HOST, input.host],
      [PARAM.SMTP_PORT, input.port],
      [PARAM.SMTP_SECURITY, input.security],
      [PARAM.SMTP_AUTH, input.auth],
      [PARAM.SMTP_USER, input.user ?? null],
      [PARAM.SMTP_FROM, input.from],
      [PARAM.SMTP_FROM_NAME, input.fromName ?? null],
      [PARAM.SMTP_ALLOW_INVALID_CERTIFICATE, input.allowInvalidCertificate ?? false],
    ];
    if (input.password != null) writes.push([PARAM.SMTP_PASSWORD, input.password]);
    // Authentication off: the stored password is not in use, and is not kept for a server it was not entered for.
    else if (moved) writes.push([PARAM.SMTP_PASSWORD, null]);
    const encoded: [number, string | null][] = [];
    for (const [id, value] of writes) encoded.push([id, await encodeChecked(tx, deps.secrets, id, value)]);
    const at = deps.clock.now().toISOString();
    for (const [id, stored] of encoded) await tx.settings.setParameter(id, stored, at, actor.id);
    const account = smtpAccountOf(await readParameters(tx));
    checkCredentials(account);
    const changes = changesBetween(smtpAccountOf(before), account, AUDITED_FIELDS);
    if (input.password != null || moved) changes.push(secretChange('password'));
    if (changes.length > 0)
      await recordAudit(tx, deps.clock, origin, {
        action: 'smtp-account.save',
        target: { type: 'smtp-account' },
        changes,
      });
    return account;
  });
}
