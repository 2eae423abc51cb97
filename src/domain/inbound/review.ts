import type { Page } from '../../ports/storage.ts';
import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { postMessage, type PostMessageResult } from '../messages/post-message.ts';
import { canSeeTicket, ticketScope, visibleTicket } from '../tickets/ticket-access.ts';
import { loadActor } from '../users/authentication.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { InboundMail, InboundStatus } from './inbound-mail.ts';
import { isParticipant } from './match-reply.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { Ticket } from '../tickets/ticket.ts';

/**
 * The "needs review" list: mails held (strangers, forged or misused reply addresses, conflicting or missing matches,
 * rate-limited senders, unverified bounces) and the others for reference. Staff only, and each mail only to those who
 * may review it (`mayReviewInboundMail`): a mail naming a ticket to those who can see that ticket, a mail naming none
 * to the technicians of the support mailbox's team (parameter 9016); administrators see every mail. Anyone else is
 * answered as if the mail did not exist.
 */
const REVIEWABLE: readonly InboundStatus[] = ['held', 'loop'];

function requireStaff(actor: Actor) {
  if (!isStaff(actor)) throw new DomainError('FORBIDDEN', 'Only technicians and administrators review inbound mail.');
}

/** The team whose technicians review mail of no ticket (parameter 9016), or null: administrators only. */
export async function supportMailboxTeam(deps: Pick<Deps, 'storage'>): Promise<number | null> {
  const team = (await readParameters(deps.storage)).get(PARAM.SUPPORT_MAILBOX_TEAM);
  return typeof team === 'number' ? team : null;
}

/**
 * Whether a staff member may see (and decide on) an inbound mail: `ticket` is the ticket it names (posted to, or the
 * one the matcher found when it was held), null when it names none; `team` is the support mailbox's team.
 */
export function mayReviewInboundMail(actor: Actor, ticket: Ticket | null, team: number | null): boolean {
  if (!actor.active || !isStaff(actor)) return false;
  if (actor.role === 'admin') return true;
  if (ticket) return canSeeTicket(actor, ticket);
  return team !== null && actor.groupIds.includes(team);
}

export async function listInboundMail(
  deps: Pick<Deps, 'storage'>,
  actor: Actor,
  query: { status?: InboundStatus; cursor?: string | null; limit?: number },
): Promise<Page<InboundMail>> {
  requireStaff(actor);
  const team = actor.role === 'admin' ? null : await supportMailboxTeam(deps);
  return deps.storage.listInboundMail(
    {
      ...(query.status ? { status: query.status } : {}),
      scope: ticketScope(actor),
      withoutTicket: mayReviewInboundMail(actor, null, team),
    },
    { cursor: query.cursor ?? null, limit: query.limit ?? 50 },
  );
}

/** One mail; one the caller may not see answers as one that does not exist. */
export async function getInboundMail(deps: Pick<Deps, 'storage'>, actor: Actor, id: number): Promise<InboundMail> {
  requireStaff(actor);
  const mail = await deps.storage.findInboundMail(id);
  if (mail && actor.role === 'admin') return mail;
  if (mail && mail.ticketId === null && mayReviewInboundMail(actor, null, await supportMailboxTeam(deps))) return mail;
  if (mail && mail.ticketId !== null) {
    const ticket = await deps.storage.findTicketByNumber(mail.ticketId);
    if (ticket && mayReviewInboundMail(actor, ticket, null)) return mail;
  }
  throw new DomainError('INBOUND_MAIL_NOT_FOUND', `Inbound mail ${id} does not exist or is not yours to see.`);
}

/** The mail exactly as received. */
export async function inboundMailRaw(deps: Pick<Deps, 'storage'>, actor: Actor, id: number): Promise<Uint8Array> {
  const mail = await getInboundMail(deps, actor, id);
  if (mail.rawRemovedAt) {
    throw new DomainError(
      'INBOUND_RAW_REMOVED',
      `The original of inbound mail ${id} was removed on ${mail.rawRemovedAt.slice(0, 10)}, after the retention period (PARLEY_INBOUND_KEEP_RAW_DAYS); what it became is kept.`,
    );
  }
  const raw = await deps.storage.inboundRaw(id);
  if (!raw) throw new DomainError('INBOUND_MAIL_NOT_FOUND', `Inbound mail ${id} does not exist.`);
  return raw;
}

/**
 * Attaches a held mail (or one taken for a loop) to a ticket the reviewer can see, in one step:
 * - when its sender is an active user who takes part in that ticket, as their message (source `email`), notified
 *   to the other party like any message;
 * - otherwise (a stranger, or a user with no part in the ticket) as the reviewer's message quoting the sender, an
 *   internal note unless `internal: false` is asked: a stranger's words reach the requester only if a person says so.
 * The mail becomes `posted` in the same transaction as the message; a mail someone else decided first is refused.
 * Only a reviewer who may see the mail (`getInboundMail`) and the ticket (`visibleTicket`) attaches it. `heldTicketId`:
 * the ticket the mail named while it was held (whose reviewers' count changes).
 */
export async function attachInboundMail(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens' | 'site' | 'signer'>,
  actor: Actor,
  id: number,
  input: { ticketNumber: number; internal?: boolean },
): Promise<{ mail: InboundMail; posted: PostMessageResult; heldTicketId: number | null }> {
  const mail = await getInboundMail(deps, actor, id);
  if (!REVIEWABLE.includes(mail.status)) {
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} is ${mail.status}: only held mail (or mail taken for a loop) can be attached.`,
    );
  }
  const ticket = await visibleTicket(deps.storage, actor, input.ticketNumber);
  const user = mail.fromAddress ? await deps.storage.findUserByEmail(mail.fromAddress) : undefined;
  const sender = user?.active ? await loadActor(deps.storage, user.id) : undefined;
  const bySender = sender !== undefined && isParticipant(sender, ticket);
  const body = mail.text?.trim()
    ? mail.text
    : `(The mail has no text of its own; the original is kept as inbound mail #${id}.)`;
  const who = mail.fromName
    ? `${mail.fromName} <${mail.fromAddress ?? 'unknown address'}>`
    : (mail.fromAddress ?? 'an unknown sender');
  const text = bySender ? body : `Mail from ${who} (inbound mail #${id}):\n\n${body}`;
  const author = bySender ? sender : actor;
  const posted = await postMessage(
    deps,
    author,
    {
      ticketNumber: ticket.number,
      text: text.slice(0, 20_000),
      source: 'email',
      internal: bySender ? false : (input.internal ?? true),
    },
    {
      alsoStore: async (tx, stored) => {
        const done = await tx.finishInboundMail(
          id,
          {
            status: 'posted',
            reason: 'attached-by-reviewer',
            reasonText: `Attached to ticket #${ticket.number} by ${actor.name}${bySender ? ' as the sender’s message' : ''}.`,
            ticketId: ticket.id,
            messageId: stored.messageId,
            resolvedById: actor.id,
            at: deps.clock.now().toISOString(),
          },
          REVIEWABLE,
        );
        if (!done)
          throw new DomainError(
            'INBOUND_MAIL_NOT_PENDING',
            `Inbound mail ${id} was decided by someone else meanwhile.`,
          );
        // The attachments kept while the mail was held join the thread with the message.
        await tx.linkInboundAttachments(id, ticket.id, stored.messageId);
      },
    },
  );
  return { mail: (await deps.storage.findInboundMail(id))!, posted, heldTicketId: mail.ticketId };
}

/** Discards a held mail (it stays stored, marked discarded, with who did it). */
export async function discardInboundMail(
  deps: Pick<Deps, 'storage' | 'clock'>,
  actor: Actor,
  id: number,
): Promise<InboundMail> {
  const mail = await getInboundMail(deps, actor, id);
  const done =
    REVIEWABLE.includes(mail.status) &&
    (await deps.storage.finishInboundMail(
      id,
      {
        status: 'discarded',
        reason: 'discarded-by-reviewer',
        reasonText: `Discarded by ${actor.name}.`,
        resolvedById: actor.id,
        at: deps.clock.now().toISOString(),
      },
      REVIEWABLE,
    ));
  if (!done)
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} is not held: only held mail (or mail taken for a loop) can be discarded.`,
    );
  // Its attachments were kept only for a reviewer to attach; the raw mail (which contains them) stays.
  await deps.storage.deleteUnlinkedInboundAttachments(id);
  return (await deps.storage.findInboundMail(id))!;
}
