import type { InboundOutcome, InboundStatus } from '../../domain/inbound/inbound-mail.ts';
import type { NewOutboxEntry } from '../../domain/notifications/outbox-entry.ts';
import type { NewMessage } from './messages.ts';

/** The notification mails of a message being stored (their `messageId` is the new message's). */
export type MessageMails = readonly Omit<NewOutboxEntry, 'messageId'>[];

/** The writes that span aggregates, each atomic on its own (all of it is stored, or none). */
export interface UnitOfWork {
  /**
   * Stores a message, moves its ticket's activity time and queues its notification mails — all of it or none — and
   * wakes the dispatchers once committed when mails were queued. Returns the ids, mails in the order given. Its
   * author must still be active and not erased when it is written (their row read under a share lock where the
   * database has row locks, so an erasure or deactivation committing meanwhile is waited for): otherwise nothing is
   * written and `AuthorGone` is thrown. Likewise the users it was `renderedWith` must still not be erased (under
   * the same lock): otherwise `PersonErased`, and the message is to be read and rendered again.
   */
  storeMessage(message: NewMessage, mails: MessageMails): Promise<{ messageId: number; outboxIds: number[] }>;
  /**
   * `storeMessage` for a message that an inbound mail became: in the same atomic write the mail gets `outcome`, with
   * the new message's id, but only while it is still in one of `fromStatuses`; when it is not (another process
   * decided it), nothing is stored and undefined is returned. An author erased or deactivated: `AuthorGone`, and a
   * user it was rendered with erased: `PersonErased`, as above.
   */
  storeInboundMessage(
    message: NewMessage,
    mails: MessageMails,
    inbound: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ): Promise<{ messageId: number; outboxIds: number[] } | undefined>;
}
