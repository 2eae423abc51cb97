import type { Origin } from '../../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../../audit/record-audit.ts';
import type { Deps, StorageOf } from '../../deps.ts';
import { DomainError } from '../../errors.ts';
import { cleanOAuthSettings, type MailboxOAuth, type MailboxOAuthInput } from './mailbox-oauth.ts';

const notFound = (id: number) => new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${id}.`);

/** What an administrator may see of a mailbox's OAuth2 client and grant (no secret, no token). */
export function visibleOAuth(g: MailboxOAuth): MailboxOAuth {
  const { mailboxId, provider, clientId, clientSecretSet, tenant, authorizeUrl, tokenUrl, scopes, login } = g;
  const { state, lastError, accessExpiresAt, updatedAt } = g;
  return {
    mailboxId,
    provider,
    clientId,
    clientSecretSet,
    tenant,
    authorizeUrl,
    tokenUrl,
    scopes,
    login,
    state,
    lastError,
    accessExpiresAt,
    updatedAt,
  };
}

export async function getMailboxOAuth(
  deps: { storage: StorageOf<'mailboxes' | 'mailboxOAuth'> },
  mailboxId: number,
): Promise<MailboxOAuth | null> {
  if (!(await deps.storage.mailboxes.findMailbox(mailboxId))) throw notFound(mailboxId);
  const grant = await deps.storage.mailboxOAuth.findGrant(mailboxId);
  return grant ? visibleOAuth(grant) : null;
}

/**
 * Sets a mailbox's OAuth2 client (a preset, or any provider's endpoints). The client secret is write-only: omitted
 * or null keeps it, "" removes it; a new token endpoint needs it again. A change of client, endpoints, scopes or
 * account drops the grant: connect again.
 */
export async function saveMailboxOAuth(
  deps: Pick<Deps, 'clock' | 'secrets'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  mailboxId: number,
  input: MailboxOAuthInput,
): Promise<MailboxOAuth> {
  const settings = cleanOAuthSettings(input);
  return deps.storage.transaction(async (tx) => {
    const mailbox = await tx.mailboxes.findMailbox(mailboxId);
    if (!mailbox) throw notFound(mailboxId);
    const at = deps.clock.now().toISOString();
    const secret =
      input.clientSecret === undefined || input.clientSecret === null
        ? undefined
        : input.clientSecret === ''
          ? null
          : deps.secrets.seal(input.clientSecret);
    const before = await tx.mailboxOAuth.findGrant(mailboxId);
    // The stored client secret goes only to the token endpoint it was entered for (a preset's follows its tenant).
    if (before?.clientSecretSet && secret === undefined && before.tokenUrl !== settings.tokenUrl)
      throw new DomainError(
        'MAILBOX_INVALID',
        'Changing the token endpoint (or the provider or tenant that set it) needs the client secret again: enter it with the change.',
        { details: { field: 'clientSecret', reason: 'secret-required' } },
      );
    await tx.mailboxOAuth.saveSettings(mailboxId, settings, secret, at);
    const after = (await tx.mailboxOAuth.findGrant(mailboxId))!;
    const changes = changesBetween(before, after, [
      'provider',
      'clientId',
      'tenant',
      'authorizeUrl',
      'tokenUrl',
      'scopes',
      'login',
    ] as const);
    if (secret !== undefined) changes.push(secretChange('clientSecret'));
    await recordAudit(tx, deps.clock, origin, {
      action: 'mailbox.oauth.update',
      target: { type: 'mailbox', id: mailboxId, label: mailbox.name },
      changes,
    });
    return visibleOAuth(after);
  });
}
