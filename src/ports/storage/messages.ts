import type { Message, MessageSource } from '../../domain/messages/message.ts';

export interface NewMessage {
  ticketId: number;
  authorId: number;
  text: string;
  /** Sanitized HTML; null or absent for a plain-text message. */
  html?: string | null;
  internal: boolean;
  sendEmail: boolean;
  source: MessageSource;
  timeSpentMinutes: number | null;
  timeSpentDate: string | null;
  createdAt: string;
  /**
   * The users besides the author whose data its mails and events were rendered with (their recipients, in To or Cc,
   * and the ticket's requester), none of them erased when read: one erased since, and nothing is written.
   */
  renderedWith?: readonly number[];
}

/** A message as a mail's history names it: with the names of its files (inline ones left out), by position. */
export interface HistoryMessage extends Message {
  fileNames: string[];
}

/** A ticket's thread (messages are written with their mails through the unit of work). */
export interface MessageRepository {
  listMessages(ticketId: number, includeInternal: boolean): Promise<Message[]>;
  /** The newest `limit` public messages of a ticket that were not removed, newest first (a mail's history). */
  latestPublicMessages(ticketId: number, limit: number): Promise<HistoryMessage[]>;
  /** What was trimmed (quoted history, signature) from the mails these messages came from; only non-empty ones. */
  trimmedOfMessages(messageIds: readonly number[]): Promise<{ messageId: number; trimmed: string }[]>;
  /**
   * Erasure: every message of an author loses its text and is marked removed at `at` (it stays in its thread, so the
   * thread keeps that it existed). Returns the ids of all the author's messages, removed now or before (announced).
   */
  removeMessagesOfAuthor(authorId: number, at: string): Promise<{ messageIds: number[]; removed: number }>;
  /**
   * Erasure: these messages (a reviewer's, quoting the person's mail) lose their text and are marked removed at `at`,
   * as an author's are by `removeMessagesOfAuthor`. Returns how many were removed now.
   */
  removeMessagesQuotingMail(ids: readonly number[], at: string): Promise<number>;
}
