import type { Mailbox, MailboxFields } from '../../domain/mailboxes/mailbox.ts';

/** A mailbox as the dispatcher needs it: its fields and its sealed password (never leaves the domain). */
export interface MailboxAccountRow extends MailboxFields {
  id: number;
  passwordSealed: string | null;
  imapPasswordSealed: string | null;
}

/** Sealed passwords to store: a value sets it, null removes it, undefined keeps it. */
export interface MailboxSecrets {
  smtp?: string | null;
  imap?: string | null;
}

/** Mailboxes (migration 024) and which groups send from them. */
export interface MailboxRepository {
  listMailboxes(): Promise<Mailbox[]>;
  findMailbox(id: number): Promise<Mailbox | undefined>;
  findMailboxByName(name: string): Promise<Mailbox | undefined>;
  /** The accounts of these mailboxes with their sealed passwords (for sending only). */
  mailboxAccounts(ids: readonly number[]): Promise<MailboxAccountRow[]>;
  createMailbox(fields: MailboxFields, sealed: MailboxSecrets, at: string): Promise<Mailbox>;
  updateMailbox(id: number, fields: MailboxFields, sealed: MailboxSecrets, at: string): Promise<void>;
  /** Makes exactly these groups send from the mailbox (others that did go back to the default). */
  setMailboxGroups(id: number, groupIds: readonly number[]): Promise<void>;
  /** Mail queued, deferred or being sent from it. */
  unsentMailOf(id: number): Promise<number>;
  deleteMailbox(id: number): Promise<boolean>;
}
