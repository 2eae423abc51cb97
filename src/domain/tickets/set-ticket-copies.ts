import { UniqueViolation } from '../../ports/storage.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { isEmailAddress, isStaff, normalizeEmail, validateNewUser, type Actor, type User } from '../users/user.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import { presentCopies, type CopySummary } from './copy-summary.ts';
import { recordTicketChanges } from './record-ticket-changes.ts';
import { visibleTicket } from './ticket-access.ts';

export const MAX_COPIES = 20;

export interface CopyInput {
  email: string;
  /** Used only when the address is no user yet. */
  name?: string | null;
}

/**
 * Sets who a ticket copies (Cc), by address: staff only. An address that is no user yet becomes a requester without a
 * password (they take part by mail; an administrator can give them a password later), named as given or after the
 * address, in the ticket requester's language and time zone. The requester is never a copy of their own ticket; a
 * deactivated user cannot be copied. All or nothing.
 */
export async function setTicketCopies(
  deps: Pick<Deps, 'clock' | 'site' | 'tokens'> & { storage: StorageOf<'settings' | 'tickets' | 'transaction'> },
  actor: Actor,
  ticketNumber: number,
  entries: readonly CopyInput[],
): Promise<CopySummary[]> {
  if (!isStaff(actor))
    throw new DomainError('FORBIDDEN', 'Only technicians and administrators can change who a ticket copies.');
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  if (entries.length > MAX_COPIES) {
    throw new DomainError('COPY_INVALID', `A ticket can copy at most ${MAX_COPIES} people.`, {
      details: { field: 'copies' },
    });
  }
  const support = ((await readParameters(deps.storage)).get(PARAM.SMTP_FROM) as string | null)?.toLowerCase() ?? null;
  const wanted = new Map<string, CopyInput>();
  entries.forEach((entry, index) => {
    const email = normalizeEmail(entry.email);
    if (!isEmailAddress(email)) {
      throw new DomainError('COPY_INVALID', `"${entry.email.slice(0, 200)}" is not an email address.`, {
        details: { field: 'copies', index },
      });
    }
    if (email === support || email.endsWith(`@${deps.site.mailDomain.toLowerCase()}`)) {
      throw new DomainError(
        'COPY_INVALID',
        `${email} is an address of this service desk; copying it would send its mail back to itself.`,
        {
          details: { field: 'copies', index },
        },
      );
    }
    if (!wanted.has(email)) wanted.set(email, entry);
  });
  const at = deps.clock.now().toISOString();
  const work = () =>
    deps.storage.transaction(async (tx) => {
      const requester = await tx.people.findUserById(ticket.requesterId);
      const ids: number[] = [];
      for (const [email, entry] of wanted) {
        let user: User | undefined = await tx.people.findUserByEmail(email);
        if (user && !user.active) {
          throw new DomainError('COPY_INVALID', `${email} belongs to a deactivated user, who cannot be copied.`, {
            details: { field: 'copies' },
          });
        }
        if (!user) {
          const fields = validateNewUser({
            role: 'requester',
            email,
            name: entry.name?.trim() || email.split('@')[0]!,
            locale: requester?.locale,
            timeZone: requester?.timeZone,
          });
          user = await tx.people.createUser({ ...fields, passwordHash: null }, at);
        }
        if (user.id !== ticket.requesterId && !ids.includes(user.id)) ids.push(user.id);
      }
      const before = (await tx.tickets.findTicketByNumber(ticket.number))!;
      await tx.tickets.setTicketCopies(ticket.id, ids, at);
      await recordTicketChanges(tx, deps.tokens, actor.id, before, { copyIds: ids }, at);
      return tx.tickets.ticketCopies(ticket.id);
    });
  try {
    return presentCopies(actor, await work());
  } catch (error) {
    // Someone created one of these users at the same moment: the second try finds them.
    if (error instanceof UniqueViolation) return presentCopies(actor, await work());
    throw error;
  }
}
