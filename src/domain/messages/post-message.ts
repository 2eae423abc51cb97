import { AuthorGone, PersonErased, type NewMessage, type Repositories } from '../../ports/storage.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { NewOutboxEntry, OutboxEntry } from '../notifications/outbox-entry.ts';
import { teamMail } from '../mailboxes/team-mail.ts';
import { mailingsFor, ownAddressTest } from '../notifications/mailings.ts';
import { notificationRecipients, ticketUrl } from '../notifications/recipients.ts';
import { smtpAccountOf } from '../parameters/parameters.ts';
import { notificationMessageId, replyAddress, threadId } from '../notifications/reply-address.ts';
import { conversationHistory } from './conversation-history.ts';
import { messagingStatus } from '../parameters/messaging-status.ts';
import { mailSignature } from '../signatures/mail-signature.ts';
import { compiledForLocale, renderTemplate } from '../templates/email-template.ts';
import { canSeeTicket, visibleTicket } from '../tickets/ticket-access.ts';
import type { Ticket } from '../tickets/ticket.ts';
import type { InboundOutcome } from '../inbound/inbound-mail.ts';
import { applyAutomaticStatus, refuseIfClosed, statusAfterRequesterMessage } from '../tickets/requester-reopen.ts';
import type { Actor } from '../users/user.ts';
import { webhookDeliveriesFor } from '../webhooks/webhook-events.ts';
import { checkUploads, summaryOf, type AttachmentSummary, type NewAttachment } from './attachment.ts';
import { checkInput, dayIn, richOf, type PostMessageInput } from './message-input.ts';
import type { Message } from './message.ts';

export type { PostMessageInput } from './message-input.ts';

export interface PostMessageOptions {
  /**
   * Writes more in the same transaction as the message and its mails (an inbound mail recording the message it
   * became): both are stored or neither. Throwing from it stores nothing.
   */
  alsoStore?: (tx: Repositories, stored: { messageId: number; outboxIds: number[] }) => Promise<void>;
  /** The ticket as the caller has just read it (inbound mail): not read again; who may see it is still checked. */
  ticket?: Ticket;
  /**
   * The inbound mail the message comes from: it gets `outcome` (with the message's id) in the same atomic write,
   * if it is still `received`; when it is not (another process decided it), nothing is stored and
   * INBOUND_MAIL_NOT_PENDING is thrown. Not with `alsoStore` or attachments.
   */
  inboundMail?: { id: number; outcome: Omit<InboundOutcome, 'messageId'> };
  /**
   * The HTML of a message given as text that came by mail: already sanitized (the sanitizer's `mail` allow-list)
   * and cut like its text; stored beside the text. Ignored for a message given as HTML.
   */
  mailHtml?: string | null;
}

export interface PostMessageResult {
  message: Message;
  attachments: AttachmentSummary[];
  notifications: Pick<OutboxEntry, 'id' | 'toAddress' | 'toName' | 'cc' | 'status'>[];
}

async function storeForInbound(
  deps: { storage: Pick<Repositories, 'atomic'> },
  row: NewMessage,
  mails: Omit<NewOutboxEntry, 'messageId'>[],
  inbound: NonNullable<PostMessageOptions['inboundMail']>,
) {
  const stored = await deps.storage.atomic.storeInboundMessage(row, mails, {
    id: inbound.id,
    outcome: inbound.outcome,
    fromStatuses: ['received'],
  });
  if (!stored)
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${inbound.id} was decided by someone else meanwhile.`,
    );
  return stored;
}

/**
 * The write, refused when its author was erased or deactivated after their actor was loaded (a request authenticated,
 * a mail matched to them, a held mail's sender read, just before): the write checks it itself and stores nothing.
 * `details.reason` tells the author's refusal from others of the same code (the author may not be the caller).
 */
async function refusedIfAuthorGone<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof AuthorGone)) throw error;
    if (error.erased)
      throw new DomainError(
        'USER_ALREADY_ERASED',
        "The author's personal data was erased meanwhile: the message was not stored.",
        { details: { reason: 'author-erased' } },
      );
    throw new DomainError('FORBIDDEN', "The author's account was deactivated meanwhile: the message was not stored.", {
      details: { reason: 'author-inactive' },
    });
  }
}

type PostMessageDeps = Pick<Deps, 'clock' | 'tokens' | 'site' | 'signer'> &
  Partial<Pick<Deps, 'html'>> & {
    storage: StorageOf<'atomic' | 'messages' | 'people' | 'settings' | 'tickets' | 'transaction' | 'webhooks'>;
  };

/** How many times a message is read and rendered when people it was rendered with are erased before its write. */
const RENDERINGS = 3;

/**
 * Stores a message and, in the same atomic write, one rendered and frozen outbox entry per recipient.
 * A public message needs messaging to be available (parameter 417 and the SMTP account); when it is not,
 * nothing is stored and the reason is returned. Internal notes are never mailed and need neither.
 *
 * A person its mails or events were rendered with (a recipient, the ticket's requester, the author of a message its
 * history quotes) erased between the reads and the write: the write stores nothing (`PersonErased`), and the message
 * is read and rendered again, its ticket too, then finding them erased: no mail to them, their ticket's title and the
 * history as the erasure left them. Each time follows another erasure that committed meanwhile, so a few suffice;
 * after the last, the caller is told nothing was stored (`USER_ALREADY_ERASED`, reason `people-erased`: a 409).
 */
export async function postMessage(
  deps: PostMessageDeps,
  actor: Actor,
  input: PostMessageInput,
  options: PostMessageOptions = {},
): Promise<PostMessageResult> {
  for (let rendering = 1; ; rendering++) {
    try {
      // The ticket the caller read is read again after an erasure: its title may be the erasure's now.
      return await renderAndStore(deps, actor, input, rendering === 1 ? options : { ...options, ticket: undefined });
    } catch (error) {
      if (!(error instanceof PersonErased)) throw error;
      if (rendering === RENDERINGS)
        throw new DomainError(
          'USER_ALREADY_ERASED',
          'People this message was written for or quotes were erased each time it was about to be stored: ' +
            'it was not stored. Post it again.',
          { details: { reason: 'people-erased' } },
        );
    }
  }
}

async function renderAndStore(
  deps: PostMessageDeps,
  actor: Actor,
  input: PostMessageInput,
  options: PostMessageOptions,
): Promise<PostMessageResult> {
  const files = checkUploads(input.attachments);
  const rich = richOf(deps, input, files);
  const clean = checkInput(actor, input, rich);
  if (!rich && options.mailHtml) clean.html = options.mailHtml;
  const known = options.ticket;
  const ticket =
    known && known.number === input.ticketNumber && canSeeTicket(actor, known)
      ? known
      : await visibleTicket(deps.storage, actor, input.ticketNumber);
  refuseIfClosed(actor, ticket);
  const status = clean.internal ? null : await messagingStatus(deps.storage);
  if (status && !status.available) {
    // Administrators learn what to fix; everyone else gets a plain sentence.
    if (actor.role === 'admin') {
      throw new DomainError(
        'MESSAGING_UNAVAILABLE',
        `Messaging is unavailable: ${status.reasons.map((r) => r.message).join(' ')}`,
        {
          details: { reasons: status.reasons.map(({ code, message, fix }) => ({ code, message, fix })) },
        },
      );
    }
    throw new DomainError(
      'MESSAGING_UNAVAILABLE',
      'Messaging is not available yet: an administrator has to finish setting it up.',
      {
        details: { reasons: status.reasons.map(({ code }) => ({ code })) },
      },
    );
  }
  const createdAt = deps.clock.now().toISOString();
  // Time logged without a date is logged for today, in the author's time zone.
  const timeSpentDate = clean.day ?? (clean.minutes !== null ? dayIn(createdAt, actor.timeZone) : null);
  const message: Omit<Message, 'id'> = {
    ticketId: ticket.id,
    text: clean.text,
    html: clean.html,
    internal: clean.internal,
    sendEmail: clean.sendEmail,
    source: input.source,
    authorId: actor.id,
    authorName: actor.name,
    authorRole: actor.role,
    timeSpentMinutes: clean.minutes,
    timeSpentDate,
    createdAt,
    removed: false,
  };
  // A requester's message moves a waiting or resolved ticket back to work (parameters 9020, 9021).
  const reopenTo = status ? statusAfterRequesterMessage(status.parameters, actor, ticket) : undefined;
  const shown = reopenTo ? { ...ticket, status: reopenTo } : ticket;
  // Everything is read and rendered before the first write, so the transaction holds its locks briefly.
  const mails: Omit<NewOutboxEntry, 'messageId'>[] = [];
  // Whom the mails are to, all active (so not erased) when read: the write checks they still are not erased.
  const recipientIds: number[] = [];
  // The authors of the earlier messages the mails quote (`${HISTORY}`).
  const historyAuthorIds: number[] = [];
  if (status?.template && clean.sendEmail) {
    const recipients = await notificationRecipients(deps.storage, ticket, actor);
    recipientIds.push(...recipients.map((r) => r.id));
    // ${SIGNATURE}: read once for every recipient, and only when there is one and the template uses the key.
    const signature = recipients.length > 0 ? await mailSignature(deps.storage, status.template, actor, ticket) : null;
    // The earlier public messages, read once for every recipient (only when the template shows them).
    const history =
      recipients.length > 0
        ? await conversationHistory(deps.storage, ticket.id, status.template, status.parameters)
        : [];
    historyAuthorIds.push(...history.map((h) => h.authorId));
    // Copies as in email: one mail to the requester with the copies in Cc, unless the ticket's team sends one each.
    const team =
      recipients.length > 0 ? await teamMail(deps.storage, ticket) : { copiesMode: 'cc' as const, mailboxId: null };
    const mailings =
      recipients.length > 1
        ? mailingsFor(
            recipients,
            ticket.requesterId,
            team.copiesMode,
            ownAddressTest(deps.site.mailDomain, smtpAccountOf(status.parameters).from),
          )
        : recipients.map((to) => ({ to, cc: [] }));
    for (const { to: recipient, cc } of mailings) {
      // Each mail is in the variant of its recipient's locale (compiled once per variant and memoised).
      const mail = renderTemplate(compiledForLocale(status.template, recipient.locale), {
        ticket: shown,
        message,
        recipient,
        ticketUrl: ticketUrl(deps.site.publicUrl, ticket, recipient),
        history,
        signature,
      });
      mails.push({
        ticketId: ticket.id,
        recipientId: recipient.id,
        toAddress: recipient.email,
        toName: recipient.name,
        cc: cc.map((c) => ({ name: c.name, address: c.email })),
        mailboxId: team.mailboxId,
        ...mail,
        messageIdHeader: notificationMessageId(deps.site.mailDomain, ticket.number, deps.tokens.unique()),
        threadId: threadId(deps.site.mailDomain, ticket.number),
        replyTo: replyAddress(deps.signer, deps.site.mailDomain, ticket.number, recipient.id),
      });
    }
  }
  // The webhooks of "message created", queued in the message's transaction (an internal note: staff endpoints only).
  const hooks = await webhookDeliveriesFor(deps, {
    event: 'message.created',
    ticketId: ticket.id,
    staffOnly: clean.internal,
    at: createdAt,
    data: {
      ticket: { id: ticket.id, number: ticket.number, title: ticket.title, status: reopenTo ?? ticket.status },
    },
  });
  const withHooks = hooks.endpoints > 0;
  // The mails and events carry the requester's data (the ticket's title, their messages in the history): a requester
  // not erased when the ticket was read must still not be when they are written, nor any recipient.
  const requester =
    (mails.length > 0 || withHooks) && ticket.requesterErased === false && ticket.requesterId !== actor.id
      ? [ticket.requesterId]
      : [];
  // Whoever the history quotes (a former copy, say) is in the mails as much as their recipients are.
  const quoted = mails.length > 0 ? historyAuthorIds.filter((id) => id !== actor.id) : [];
  const renderedWith = [...new Set([...(mails.length > 0 ? recipientIds : []), ...requester, ...quoted])];
  // One atomic write: the message, the ticket's activity time and every rendered mail (and the dispatchers' wake-up).
  const row: NewMessage = {
    ticketId: ticket.id,
    authorId: actor.id,
    text: clean.text,
    html: clean.html,
    internal: clean.internal,
    sendEmail: clean.sendEmail,
    source: input.source,
    timeSpentMinutes: clean.minutes,
    timeSpentDate,
    createdAt,
    ...(renderedWith.length > 0 ? { renderedWith } : {}),
  };
  const alsoStore = options.alsoStore;
  const inbound = options.inboundMail;
  if (inbound && (alsoStore || files.length > 0))
    throw new Error('postMessage: inboundMail goes without alsoStore and attachments.');
  const hooksOf = (messageId: number) =>
    hooks.deliveries({
      message: {
        id: messageId,
        internal: clean.internal,
        text: clean.text,
        source: input.source,
        author: { id: actor.id, name: actor.name, role: actor.role },
        createdAt,
      },
    });
  let attachments: NewAttachment[] = [];
  // The attachments and the status change are stored with the message, in the same transaction: the dispatcher reads
  // the files when it sends.
  const write = async (tx: Repositories) => {
    const stored = inbound
      ? await storeForInbound({ storage: tx }, row, mails, inbound)
      : await tx.atomic.storeMessage(row, mails);
    attachments = files.map((f) => ({
      ...f,
      id: deps.tokens.random(16),
      ticketId: ticket.id,
      messageId: stored.messageId,
      inboundMailId: null,
      inline: f.contentId !== null,
    }));
    if (attachments.length > 0) await tx.attachments.insertAttachments(attachments, createdAt);
    if (alsoStore) await alsoStore(tx, stored);
    if (withHooks) await tx.webhooks.queueWebhookDeliveries(hooksOf(stored.messageId), createdAt);
    if (reopenTo)
      await applyAutomaticStatus(tx, {
        ticketId: ticket.id,
        number: ticket.number,
        from: ticket.status,
        to: reopenTo,
        by: actor,
        at: createdAt,
        tokens: deps.tokens,
      });
    return stored;
  };
  const { messageId, outboxIds } = await refusedIfAuthorGone(() =>
    alsoStore || files.length > 0 || reopenTo || withHooks
      ? deps.storage.transaction(write)
      : inbound
        ? storeForInbound(deps, row, mails, inbound)
        : deps.storage.atomic.storeMessage(row, mails),
  );
  const notifications = mails.map((mail, i) => ({
    id: outboxIds[i]!,
    toAddress: mail.toAddress,
    toName: mail.toName,
    cc: mail.cc ?? [],
    status: 'queued' as const,
  }));
  return { message: { ...message, id: messageId }, attachments: attachments.map(summaryOf), notifications };
}
