import type { InboundMail, InboundOutcome, InboundStatus, RawMail } from '../../domain/inbound/inbound-mail.ts';
import type { Page, PageRequest, TicketScope } from './common.ts';

/**
 * Which inbound mails a listing shows: a status, and the mails of the tickets a scope sees, plus those of no ticket
 * when `withoutTicket` (default: not; scope `all` shows every mail).
 */
export interface InboundFilter {
  status?: InboundStatus;
  scope: TicketScope;
  withoutTicket?: boolean;
}

/** Mail received for the desk, kept as received, and what each became. */
/** The inbound mail an erasure reaches; each part may be left out. */
export interface InboundMailToErase {
  /**
   * Mail sent from one of these (its From or envelope sender, any case; mail whose sender was never read, still
   * `received` or held unread, by the From, Sender, Reply-To or Return-Path header of its original).
   */
  addresses?: readonly string[];
  /** Mail that became one of these messages. */
  messageIds?: readonly number[];
  /** Reports about one of these notifications. */
  outboxIds?: readonly number[];
  /** Reports about one of these notifications (mail that copied the person) that name one of `addresses` anywhere. */
  namingOn?: readonly number[];
  /** These mails. */
  ids?: readonly number[];
}

/** A mail's sender, counted under the per-minute cap: its key, since when, and the cap (no need to count further). */
export interface SenderClaim {
  key: string;
  since: string;
  cap: number;
}

/** A lease on a mail being processed: the processing ingestor's token, and until when no other process may begin it. */
export interface InboundLease {
  token: string;
  until: string;
}

export interface InboundMailRepository {
  /**
   * Stores a received mail (status `received`); returns its id. Committed when the promise resolves. `attempts`
   * (default 0): processing attempts already counted, 1 when processing starts right after in this process, which
   * then holds it under `lease` from the insert (no sweep begins it meanwhile).
   */
  insertInboundMail(mail: RawMail, at: string, attempts?: number, lease?: InboundLease): Promise<number>;
  findInboundMail(id: number): Promise<InboundMail | undefined>;
  /** The raw bytes of an inbound mail, exactly as received. */
  inboundRaw(id: number): Promise<Uint8Array | undefined>;
  /** Newest first. */
  listInboundMail(filter: InboundFilter, page: PageRequest): Promise<Page<InboundMail>>;
  /** How many mails are held for review. */
  countHeldInboundMail(): Promise<number>;
  /**
   * Ids of mails still `received` (not yet processed, or interrupted) that no process holds at `now` (a lease passed,
   * or none: mail stored without one, or before leases), oldest first.
   */
  pendingInboundMail(now: string, limit: number): Promise<number[]>;
  /** When the first lease still held at `now` on a mail still `received` ends (null: none). */
  nextInboundLeaseEnd(now: string): Promise<string | null>;
  /**
   * Gives back the attempt counted at receipt, and the lease, of mails still `received` that the holder of `token`
   * never processed (a stop): any process may begin them at once.
   */
  releaseInboundAttempts(ids: readonly number[], token: string): Promise<void>;
  /** Extends every lease `token` holds on mail still `received` to `until`; returns how many. */
  renewInboundLeases(token: string, until: string): Promise<number>;
  /**
   * Ends `token`'s lease on a mail (its processing failed): no process begins it before `retryAt`, and the holder's
   * renewals no longer reach it.
   */
  releaseInboundLease(id: number, token: string, retryAt: string): Promise<void>;
  /**
   * Removes the original bytes of up to `limit` decided mails (posted, duplicate, bounce, discarded) last changed
   * before `before`, marking them removed at `at`; returns how many. Mail a reviewer may still take (held, loop) keeps
   * its original.
   */
  removeInboundRaw(before: string, at: string, limit: number): Promise<number>;
  /**
   * Erasure: every mail `of` names, and every duplicate of those, loses its original, text, subject, headers, sender
   * and reason (`reasonText` instead, or none); one still to decide is discarded; one erased before keeps the reason
   * and time it was erased with. Returns the ids of those mails, erased now or before.
   */
  eraseInboundMailOf(of: InboundMailToErase, at: string, reasonText?: string): Promise<number[]>;
  /**
   * Erasure: the messages made from mail sent from one of `addresses` (as `eraseInboundMailOf` finds it by them), with
   * the mail each came from; a reviewer's message quoting such a mail among them. Where writers run at once, those
   * mails stay locked until the transaction ends: one attached meanwhile is either read here or found discarded.
   */
  messagesOfMailFrom(addresses: readonly string[]): Promise<{ messageId: number; mailId: number }[]>;
  /** Counts a processing attempt; returns the new count. */
  countInboundAttempt(id: number): Promise<number>;
  /**
   * A processing attempt, in one write: on a mail still `received` whose lease has passed at `now` (or that has
   * none), counts it, gives the mail `lease`, and returns it (attempts included) with its raw bytes; of two processes
   * beginning one mail at once, one does. A mail already decided, or held by another process's lease, comes back as it
   * is, uncounted and without bytes (`raw` null).
   */
  beginInboundAttempt(
    id: number,
    now: string,
    lease: InboundLease,
  ): Promise<{ mail: InboundMail; raw: Uint8Array | null } | undefined>;
  /**
   * Claims a duplicate key (Message-ID or content hash) for a mail and returns the id of the mail that holds it (the
   * given mail if it claimed it now or before). When the given mail holds it and `sender` is given, the mail also
   * counts against that sender's cap: `recent` is how many other mails of the same sender key (the address when the
   * sender was proven, `unverified:` and the address otherwise) received since `sender.since` counted before it, up
   * to `sender.cap` (null when not counted). One atomic write; mails of one sender claiming at once, in any process,
   * are counted one after the other, each seeing those before it.
   */
  claimInboundMail(
    id: number,
    key: string,
    sender: SenderClaim | null,
  ): Promise<{ holder: number; recent: number | null }>;
  /**
   * The first mail holding one of these duplicate keys, as it is or as an erasure left it (its digest), with its From
   * address and whether it was erased: how a mail keyed before the keys named the sender is still found, and whether
   * the mail a key's claim found is an erased one (whose copy keeps nothing).
   */
  findDuplicateKeyHolder(
    keys: readonly string[],
  ): Promise<{ id: number; fromAddress: string | null; erased: boolean } | undefined>;
  /**
   * `findDuplicateKeyHolder` for keys of the earlier format: answered without a read on an install that held no keyed
   * mail when the keys changed (migration 039).
   */
  findEarlierKeyHolder(
    keys: readonly string[],
  ): Promise<{ id: number; fromAddress: string | null; erased: boolean } | undefined>;
  /** Gives a mail its outcome if it is still in one of `fromStatuses`; false when it was not (someone else decided). */
  finishInboundMail(id: number, outcome: InboundOutcome, fromStatuses: readonly InboundStatus[]): Promise<boolean>;
}
