import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import { onConflict } from '../users/user-admin-helpers.ts';
import {
  cleanMailbox,
  MAILBOX_AUDITED_FIELDS,
  sameDestination,
  sameImapDestination,
  type Mailbox,
  type MailboxInput,
} from './mailbox.ts';
import type { MailboxSecrets } from '../../ports/storage/mailboxes.ts';

type SaveDeps = Pick<Deps, 'clock' | 'secrets'> & { storage: StorageOf<'transaction'> };

const taken = (name: string) => new DomainError('MAILBOX_NAME_TAKEN', `A mailbox named "${name}" already exists.`);

async function checkGroups(tx: Repositories, groupIds: readonly number[]) {
  for (const id of groupIds)
    if (!(await tx.people.findGroup(id)))
      throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`, { details: { field: 'groupIds' } });
}

/** Adds a mailbox (and the groups that send from it). With password authentication, the password is required. */
export async function createMailbox(deps: SaveDeps, origin: Origin, input: MailboxInput): Promise<Mailbox> {
  const fields = cleanMailbox(input);
  if (fields.smtpAuth === 'password' && !input.password)
    throw new DomainError('MAILBOX_INVALID', 'Password authentication needs the password.', {
      details: { field: 'password' },
    });
  const imapPassword = fields.imapAuth === 'password';
  if (imapPassword && !input.imapPassword)
    throw new DomainError('MAILBOX_INVALID', 'Reading an IMAP folder needs its password.', {
      details: { field: 'imapPassword' },
    });
  return onConflict(
    () => taken(fields.name),
    () =>
      deps.storage.transaction(async (tx) => {
        if (await tx.mailboxes.findMailboxByName(fields.name)) throw taken(fields.name);
        await checkGroups(tx, input.groupIds ?? []);
        const at = deps.clock.now().toISOString();
        const sealed = {
          smtp: fields.smtpAuth === 'password' ? deps.secrets.seal(input.password!) : null,
          imap: imapPassword ? deps.secrets.seal(input.imapPassword!) : null,
        };
        const { id } = await tx.mailboxes.createMailbox(fields, sealed, at);
        if (input.groupIds?.length) await tx.mailboxes.setMailboxGroups(id, input.groupIds);
        const created = (await tx.mailboxes.findMailbox(id))!;
        const changes = changesBetween(undefined, created, MAILBOX_AUDITED_FIELDS);
        if (sealed.smtp) changes.push(secretChange('password'));
        if (sealed.imap) changes.push(secretChange('imapPassword'));
        await recordAudit(tx, deps.clock, origin, {
          action: 'mailbox.create',
          target: { type: 'mailbox', id, label: created.name },
          changes,
        });
        return created;
      }),
  );
}

/**
 * What to store of a password when a mailbox changes: a new one sealed; removed (null) when it is no longer used; kept
 * (undefined) otherwise, unless its server changed or none is stored, which is refused with its field named.
 */
function secretFor(
  deps: Pick<Deps, 'secrets'>,
  field: 'password' | 'imapPassword',
  used: boolean,
  given: string | null | undefined,
  stored: boolean,
  moved: boolean,
): string | null | undefined {
  if (!used) return stored ? null : undefined;
  if (given) return deps.secrets.seal(given);
  if (stored && !moved) return undefined;
  const what = field === 'password' ? 'SMTP' : 'IMAP';
  throw new DomainError(
    'MAILBOX_INVALID',
    stored
      ? `Changing the ${what} host, port or security, or accepting an unverifiable certificate, needs the ${what} password again: enter it with the change.`
      : `The ${what} account needs its password.`,
    { details: { field, reason: stored ? 'password-required' : 'missing' } },
  );
}

/**
 * Changes a mailbox. The stored password goes only to the server it was entered for: changing the host, port,
 * security or certificate check needs it again (else it is refused), as for the default SMTP account. An OAuth2
 * grant is undone by such a change: the mailbox is connected again, with the provider, for its new servers.
 */
export async function editMailbox(deps: SaveDeps, origin: Origin, id: number, input: MailboxInput): Promise<Mailbox> {
  const fields = cleanMailbox(input);
  return onConflict(
    () => taken(fields.name),
    () =>
      deps.storage.transaction(async (tx) => {
        const before = await tx.mailboxes.findMailbox(id);
        if (!before) throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${id}.`);
        const other = await tx.mailboxes.findMailboxByName(fields.name);
        if (other && other.id !== id) throw taken(fields.name);
        const sealed: MailboxSecrets = {
          smtp: secretFor(
            deps,
            'password',
            fields.smtpAuth === 'password',
            input.password,
            before.passwordSet,
            !sameDestination(before, fields),
          ),
          imap: secretFor(
            deps,
            'imapPassword',
            fields.imapAuth === 'password',
            input.imapPassword,
            before.imapPasswordSet,
            !sameImapDestination(before, fields),
          ),
        };
        if (input.groupIds) await checkGroups(tx, input.groupIds);
        const at = deps.clock.now().toISOString();
        await tx.mailboxes.updateMailbox(id, fields, sealed, at);
        if (input.groupIds) await tx.mailboxes.setMailboxGroups(id, input.groupIds);
        const saved = (await tx.mailboxes.findMailbox(id))!;
        const changes = changesBetween(before, saved, MAILBOX_AUDITED_FIELDS);
        if (sealed.smtp !== undefined) changes.push(secretChange('password'));
        if (sealed.imap !== undefined) changes.push(secretChange('imapPassword'));
        const grant = await tx.mailboxOAuth.findGrant(id);
        if (grant && fields.smtpAuth !== 'oauth2' && fields.imapAuth !== 'oauth2') {
          // No longer signing in with OAuth2 anywhere: its client and grant (the sealed refresh token) go.
          await tx.mailboxOAuth.removeGrant(id);
          changes.push(secretChange('grant'));
        } else if (grant?.refreshSealed && (!sameDestination(before, fields) || !sameImapDestination(before, fields))) {
          // An access token goes only to the servers the mailbox had when it was connected: moving either one (whatever
          // signs in there now, since a later change could switch it to OAuth2) disconnects it, the client kept.
          await tx.mailboxOAuth.disconnect(id, at);
          changes.push(secretChange('grant'));
        }
        if (changes.length > 0)
          await recordAudit(tx, deps.clock, origin, {
            action: 'mailbox.update',
            target: { type: 'mailbox', id, label: saved.name },
            changes,
          });
        return saved;
      }),
  );
}

/**
 * Deletes a mailbox no group sends from and no unsent mail goes out from (each refusal says what to do first), so
 * no mail is ever left without the account it was queued for.
 */
export async function deleteMailbox(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    const mailbox = await tx.mailboxes.findMailbox(id);
    if (!mailbox) throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${id}.`);
    if (mailbox.groupIds.length > 0)
      throw new DomainError(
        'MAILBOX_IN_USE',
        `Mailbox "${mailbox.name}" is used by ${mailbox.groupIds.length} group(s): give them another mailbox first.`,
        { details: { reason: 'groups', groupIds: mailbox.groupIds } },
      );
    const unsent = await tx.mailboxes.unsentMailOf(id);
    if (unsent > 0)
      throw new DomainError(
        'MAILBOX_IN_USE',
        `${unsent} mail(s) waiting to go out from mailbox "${mailbox.name}" would be left without it: wait until they are sent or failed.`,
        { details: { reason: 'unsent', count: unsent } },
      );
    await tx.mailboxes.deleteMailbox(id);
    await recordAudit(tx, deps.clock, origin, {
      action: 'mailbox.delete',
      target: { type: 'mailbox', id, label: mailbox.name },
      changes: changesBetween(mailbox, undefined, MAILBOX_AUDITED_FIELDS),
    });
  });
}
