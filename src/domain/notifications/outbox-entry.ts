export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'deferred', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A person as a mail names them. */
export interface MailAddress {
  name: string;
  address: string;
}

/** A notification rendered and frozen at enqueue time: a retry sends the same bytes. */
export interface NewOutboxEntry {
  ticketId: number | null;
  messageId: number | null;
  recipientId: number | null;
  toAddress: string;
  toName: string;
  /**
   * The people the mail copies (its `Cc`), each seeing who else is on the conversation: the copies of a ticket whose
   * group sends one mail to the requester with its copies in Cc; none (absent or empty) for most mails.
   */
  cc?: readonly MailAddress[];
  /** The mailbox it goes out from (From and SMTP account), fixed when queued; null or absent: the default mailbox. */
  mailboxId?: number | null;
  subject: string;
  html: string;
  text: string;
  /**
   * The RFC 5322 Message-ID, fixed once so a retry after an unknown outcome keeps it. It carries the number of the
   * entry's ticket (`<parley.N.…@domain>`), which never changes: reply matching relies on it (`match-reply.ts`).
   */
  messageIdHeader: string;
  /** The ticket's conversation id (In-Reply-To/References), so mail clients thread the ticket as one. */
  threadId: string | null;
  /** The signed reply address bound to ticket and recipient. */
  replyTo: string | null;
}

export interface OutboxEntry extends NewOutboxEntry {
  id: number;
  cc: readonly MailAddress[];
  mailboxId: number | null;
  status: OutboxStatus;
  attemptCount: number;
  /** When the current delivery effort began (creation, or an administrator's retry): the give-up time counts from here. */
  attemptsSince: string;
  nextAttemptAt: string | null;
  lastReply: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  /** The failed entry this one replaces: the same mail sent again to a corrected address; null otherwise. */
  resentFromId: number | null;
  /** When an erasure emptied it: it is never sent, retried or sent to a corrected address again; null: never. */
  erasedAt: string | null;
  /**
   * When an erasure took a person out of its Cc: a delivery report naming someone who is neither its recipient nor
   * one of its copies now is taken to quote that person (kept without its original); null: never.
   */
  ccErasedAt: string | null;
}

export interface OutboxAttempt {
  at: string;
  result: string;
  reply: string | null;
}
