import { queueTicketCreatedWebhooks } from '../webhooks/ticket-created-webhooks.ts';
import { queueOpenedTicketMails } from '../tickets/ticket-event-mails.ts';
import type { ParsedMail } from '../../ports/inbound.ts';
import { AuthorGone } from '../../ports/storage.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { defaultTeam } from '../tickets/default-team.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { Actor } from '../users/user.ts';
import { AlreadyDecided } from './already-decided.ts';
import { addMailCopies, copyCandidatesOf } from './copies-from-mail.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { newAttachments, type InboundFile } from './inbound-attachments.ts';
import type { InboundMail, InboundOutcome, InboundReason } from './inbound-mail.ts';
import { domainOf, titleFromSubject } from './mail-facts.ts';
import { recipientsOf } from './match-reply.ts';
import type { SenderProof } from './sender-proof.ts';
import { mailboxAddresses, mailboxTeam as mailboxTeamOf } from '../mailboxes/mailbox-addresses.ts';

/**
 * Mail that matches no ticket: a known requester writing to the support address or a team's mailbox opens a ticket
 * (parameter 9003, into that mailbox's team, else the group parameter 9004 names, else the support mailbox's team,
 * 9016, else the default team, 9018); anything
 * else is held. The people in its To and Cc become the ticket's copies as parameter 9036 allows (`copies-from-mail.ts`).
 */
export async function openOrHold(
  deps: InboundDeps,
  id: number,
  parsed: ParsedMail,
  mail: InboundMail,
  sender: Actor | undefined,
  proof: SenderProof,
  facts: {
    messageIdHeader: string | null;
    fromAddress: string | null;
    fromName: string | null;
    subject: string;
    text: string;
    trimmed: string | null;
    attachmentNote: string | null;
  },
  files: readonly InboundFile[],
  finish: (outcome: Omit<InboundOutcome, 'at'>) => Promise<InboundMail | undefined>,
  decided: (recorded: boolean, outcome: InboundOutcome) => Promise<InboundMail | undefined>,
): Promise<InboundMail | undefined> {
  const at = deps.clock.now().toISOString();
  const hold = async (reason: InboundReason, reasonText: string) =>
    finish({ ...facts, status: 'held', reason, reasonText });
  if (!sender)
    return hold(
      'unknown-sender',
      `${facts.fromAddress ?? 'The sender'} is not a user of this desk, and the mail matches no ticket.`,
    );
  const parameters = await readParameters(deps.storage);
  const supportAddress = (parameters.get(PARAM.SMTP_FROM) as string | null)?.toLowerCase() ?? null;
  const domain = deps.site.mailDomain.toLowerCase();
  // A team's mailbox is a support address too (migration 024): its mail opens tickets in that team.
  const mailboxes = await mailboxAddresses(deps.storage);
  const recipients = recipientsOf(parsed, mail.envelopeTo);
  const toSupport = recipients.some(
    (a) => a === supportAddress || mailboxes.has(a) || (domainOf(a) === domain && !/^reply\+/i.test(a)),
  );
  if (sender.role !== 'requester' || !toSupport || parameters.get(PARAM.INBOUND_OPEN_TICKETS) !== true) {
    return hold('no-match', 'The mail matches no ticket (no reference, reply address or ticket number of ours).');
  }
  if (proof.by !== 'verified') {
    return hold(
      'sender-not-verified',
      `Sender not verified: nothing proves that ${facts.fromAddress} wrote this mail (${proof.detail}), so it opens no ticket in their name.`,
    );
  }
  if (facts.text.length === 0) return hold('empty-reply', 'The mail has no text to open a ticket with.');
  const groupName = parameters.get(PARAM.INBOUND_TICKET_GROUP) as string | null;
  const copies = copyCandidatesOf(
    parameters,
    { mailDomain: deps.site.mailDomain, ownRecipients: [...(deps.policy.ownRecipients ?? []), ...mailboxes.keys()] },
    parsed,
    sender.email,
  );
  let opened: InboundOutcome | undefined;
  try {
    await deps.storage.transaction(async (tx) => {
      // The sender held first, until the ticket commits: one erased or deactivated meanwhile opens nothing.
      await tx.people.holdActiveUser(sender.id);
      // The team of the mailbox it was sent to, else the group 9004 names, else the support mailbox's team (9016),
      // else the default team (9018).
      const group = groupName ? await tx.people.findGroupByName(groupName) : undefined;
      const mailboxTeam = parameters.get(PARAM.SUPPORT_MAILBOX_TEAM);
      const groupId =
        mailboxTeamOf(mailboxes, recipients) ??
        group?.id ??
        (typeof mailboxTeam === 'number' && (await tx.people.findGroup(mailboxTeam)) ? mailboxTeam : null) ??
        (await defaultTeam(tx));
      const ticket = await tx.tickets.createTicket(
        {
          title: titleFromSubject(parsed.subject),
          description: facts.text,
          requesterId: sender.id,
          contactName: null,
          registeredById: sender.id,
          groupId,
          responsibleId: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        at,
      );
      await queueOpenedTicketMails(deps, tx, sender, ticket, at);
      // The requester's To and Cc become copies as parameter 9036 allows, with the ticket.
      await addMailCopies(tx, deps.tokens, sender, ticket.number, copies, at);
      await queueTicketCreatedWebhooks(deps, tx, ticket, at);
      const outcome: InboundOutcome = {
        ...facts,
        status: 'posted',
        reason: 'new-ticket',
        reasonText: `Opened ticket #${ticket.number}.`,
        ticketId: ticket.id,
        at,
      };
      if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) throw new AlreadyDecided();
      // The mail that opened the ticket has no thread message: its attachments belong to the ticket.
      await tx.attachments.insertAttachments(
        newAttachments(deps.tokens, files, { inboundMailId: id, ticketId: ticket.id, messageId: null }),
        at,
      );
      opened = outcome;
    });
  } catch (error) {
    // An erased sender's mail keeps nothing, as the erasure left their other mail; a deactivated one's is held as
    // from someone who is not a user, as it would be a moment later.
    if (error instanceof AuthorGone && error.erased) {
      const reasonText =
        "Its sender's personal data was erased while it was processed: no ticket opened, nothing kept.";
      await deps.storage.transaction((tx) => tx.inbound.eraseInboundMailOf({ ids: [id] }, at, reasonText));
      return deps.storage.inbound.findInboundMail(id);
    }
    if (error instanceof AuthorGone)
      return hold('unknown-sender', `Not opened: ${facts.fromAddress}'s account was deactivated meanwhile.`);
    if (!(error instanceof AlreadyDecided)) throw error;
  }
  return opened ? decided(true, opened) : deps.storage.inbound.findInboundMail(id);
}
