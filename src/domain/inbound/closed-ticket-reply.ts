import { inboundHeldWebhooks } from '../webhooks/inbound-held-webhooks.ts';
import type { ParsedMail } from '../../ports/inbound.ts';
import { eventMail, eventTemplate, isClosedNotice } from '../notifications/event-mails.ts';
import { mailSignature } from '../signatures/mail-signature.ts';
import { teamMail } from '../mailboxes/team-mail.ts';
import type { Ticket } from '../tickets/ticket.ts';
import type { Actor } from '../users/user.ts';
import { AlreadyDecided } from './already-decided.ts';
import type { InboundDeps } from './inbound-deps.ts';
import type { InboundOutcome } from './inbound-mail.ts';

/**
 * A reply by mail to a closed ticket is not posted: the mail is recorded `discarded` (`ticket-closed`) and, in the
 * same transaction, its sender is sent the closed-ticket notice (parameter 9025) saying how to open a new request;
 * when no notice goes (none set, or the mail answers one) it is `held` for review instead, so nobody goes unheard.
 * Automatic mail never gets here (loops, auto-replies and the per-sender cap are decided before), and a mail that
 * answers one of these notices gets none: a notice is never answered with another. Returns the outcome, or
 * undefined when another process decided the mail first.
 */
export async function refuseClosedTicketReply(
  deps: InboundDeps,
  id: number,
  parsed: Pick<ParsedMail, 'inReplyTo' | 'references'>,
  sender: Actor,
  ticket: Ticket,
  facts: Partial<InboundOutcome>,
): Promise<InboundOutcome | undefined> {
  const at = deps.clock.now().toISOString();
  const answersNotice = [...parsed.inReplyTo, ...parsed.references].some((m) =>
    isClosedNotice(m, deps.site.mailDomain),
  );
  try {
    return await deps.storage.transaction(async (tx) => {
      const template = answersNotice ? undefined : await eventTemplate(tx, 'closed-notice');
      // Told nothing, the sender would be ignored without knowing: without a notice the mail is held for a person.
      const outcome: InboundOutcome = {
        ...facts,
        status: template ? 'discarded' : 'held',
        reason: 'ticket-closed',
        reasonText:
          `Ticket #${ticket.number} is closed: the mail was not posted; ` +
          (template
            ? 'its sender is sent the closed-ticket notice (parameter 9025).'
            : answersNotice
              ? 'it answers a closed-ticket notice, so no other notice is sent and it is held for review.'
              : 'no closed-ticket notice is set (parameter 9025), so it is held for review.'),
        ticketId: ticket.id,
        at,
      };
      if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) throw new AlreadyDecided();
      if (outcome.status === 'held') {
        const hooks = await inboundHeldWebhooks({ storage: tx, tokens: deps.tokens }, id, outcome);
        if (hooks.length > 0) await tx.webhooks.queueWebhookDeliveries(hooks, at);
      }
      if (template) {
        const said = { text: ticket.description, authorName: sender.name, createdAt: at };
        const signature = await mailSignature(tx, template, null, ticket);
        const { mailboxId } = await teamMail(tx, ticket);
        await tx.outbox.queueMails(
          [eventMail(deps, 'closed-notice', template, ticket, sender, said, signature, mailboxId)],
          at,
        );
      }
      return outcome;
    });
  } catch (error) {
    if (error instanceof AlreadyDecided) return undefined;
    throw error;
  }
}
