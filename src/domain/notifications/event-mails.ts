import type { Uses } from '../../ports/storage.ts';
import type { Deps } from '../deps.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters, smtpAccountOf } from '../parameters/parameters.ts';
import { compiledForLocale, renderTemplate, type EmailTemplate } from '../templates/email-template.ts';
import type { RenderContext } from '../templates/key-registry.ts';
import type { Ticket } from '../tickets/ticket.ts';
import type { User } from '../users/user.ts';
import type { NewOutboxEntry } from './outbox-entry.ts';
import { ticketUrl } from './recipients.ts';
import { notificationMessageId, replyAddress, threadId } from './reply-address.ts';

/**
 * The mails of a ticket's events besides its messages (CITSmart's way: each names its template in a parameter, as 417
 * does for messages; an empty parameter switches the event's mail off).
 */
export type TicketEvent = 'acknowledgement' | 'assigned' | 'team-new' | 'closed-notice';

export const EVENT_TEMPLATE_PARAMETER: Record<TicketEvent, number> = {
  acknowledgement: PARAM.ACKNOWLEDGEMENT_TEMPLATE,
  assigned: PARAM.ASSIGNED_TEMPLATE,
  'team-new': PARAM.TEAM_NEW_TEMPLATE,
  'closed-notice': PARAM.CLOSED_NOTICE_TEMPLATE,
};

/**
 * The template of an event's mails, or undefined when none go: its parameter is empty (switched off), names a
 * template that is missing or inactive, or no SMTP account is configured. Read in the caller's transaction.
 */
export async function eventTemplate(
  repos: Uses<{ settings: 'getParametersWithTemplate' }>,
  event: TicketEvent,
): Promise<EmailTemplate | undefined> {
  const parameter = EVENT_TEMPLATE_PARAMETER[event];
  const stored = await repos.settings.getParametersWithTemplate(parameter);
  const values = await readParameters({ settings: { getParameters: async () => stored.parameters } });
  const id = values.get(parameter);
  if (id == null || stored.template?.id !== id || !stored.template.active) return undefined;
  const smtp = smtpAccountOf(values);
  if (!smtp.host || !smtp.from || (smtp.auth && (!smtp.user || !smtp.passwordSet))) return undefined;
  return stored.template;
}

export type EventMail = Omit<NewOutboxEntry, 'messageId'> & { messageId: null };

/**
 * One event mail, rendered and frozen as a message's are. `said` fills the message keys (${COMMENTTEXT}, ${USERNAME},
 * ${DATETIMECREATED}): the request's description, by whoever caused the event; `signature` fills ${SIGNATURE} (the
 * ticket's team's, `mailSignature` with no author); `mailboxId`: the team's mailbox it goes out from (`teamMail`). A closed-ticket notice has no reply
 * address and a Message-ID of its own kind, so an answer to it is never answered again (`isClosedNotice`).
 */
export function eventMail(
  deps: Pick<Deps, 'tokens' | 'site' | 'signer'>,
  event: TicketEvent,
  template: EmailTemplate,
  ticket: Ticket,
  recipient: Pick<User, 'id' | 'email' | 'name' | 'role' | 'locale' | 'timeZone'>,
  said: Pick<RenderContext['message'], 'text' | 'authorName' | 'createdAt'>,
  signature: RenderContext['signature'] = null,
  mailboxId: number | null = null,
): EventMail {
  const rendered = renderTemplate(compiledForLocale(template, recipient.locale), {
    ticket,
    message: { ...said, timeSpentMinutes: null, timeSpentDate: null },
    recipient,
    ticketUrl: ticketUrl(deps.site.publicUrl, ticket, recipient),
    signature,
  });
  const domain = deps.site.mailDomain;
  const notice = event === 'closed-notice';
  return {
    ticketId: ticket.id,
    messageId: null,
    recipientId: recipient.id,
    toAddress: recipient.email,
    toName: recipient.name,
    mailboxId,
    ...rendered,
    messageIdHeader: notificationMessageId(domain, ticket.number, deps.tokens.unique(), notice),
    threadId: threadId(domain, ticket.number),
    replyTo: notice ? null : replyAddress(deps.signer, domain, ticket.number, recipient.id),
  };
}

/** Whether a Message-ID is one of our closed-ticket notices. */
export function isClosedNotice(messageId: string, mailDomain: string): boolean {
  const m = /^<parley\.closed\.\d+\.[^<>@\s]+@([^<>@\s]+)>$/i.exec(messageId);
  return m !== null && m[1]!.toLowerCase() === mailDomain.toLowerCase();
}
