import { DomainError } from '../errors.ts';
import { isForbiddenHost } from '../parameters/forbidden-hosts.ts';
import { SMTP_SECURITY, type SmtpSecurity } from '../parameters/parameter-catalogue.ts';
import { isEmailAddress } from '../users/user.ts';

/**
 * How a mailbox signs in to its SMTP server: not at all, with a user and password, or with OAuth2 (SASL XOAUTH2: the
 * account and access token of its grant, `oauth/`).
 */
export const MAILBOX_AUTH = ['none', 'password', 'oauth2'] as const;
export type MailboxAuth = (typeof MAILBOX_AUTH)[number];

/** How a mailbox signs in to its IMAP folder: its IMAP user and password, or its OAuth2 grant's account and token. */
export const IMAP_AUTH = ['password', 'oauth2'] as const;
export type ImapAuth = (typeof IMAP_AUTH)[number];

/**
 * A mailbox: a sending identity (From name and address) and the SMTP account it sends through, assigned to groups.
 * A group without one sends from the default mailbox, the SMTP account of the parameters (10–14, 199, 269, 9001,
 * 9002). The password is write-only: only whether one is stored is ever returned.
 */
export interface Mailbox {
  id: number;
  name: string;
  fromAddress: string;
  fromName: string | null;
  smtpHost: string;
  smtpPort: number;
  smtpSecurity: SmtpSecurity;
  smtpAuth: MailboxAuth;
  smtpUser: string | null;
  passwordSet: boolean;
  allowInvalidCertificate: boolean;
  /** Its inbound folder over IMAP (optional; `imapHost` null: none), read like the support mailbox. */
  imapHost: string | null;
  imapPort: number | null;
  imapSecurity: SmtpSecurity | null;
  imapUser: string | null;
  imapFolder: string | null;
  /** Null while it reads no folder. */
  imapAuth: ImapAuth | null;
  imapPasswordSet: boolean;
  /** The groups whose tickets' mail goes out from it. */
  groupIds: number[];
  createdAt: string;
  updatedAt: string;
}

/** What an administrator gives; `password` omitted or null keeps the stored one, "" removes it. */
export interface MailboxInput {
  name: string;
  fromAddress: string;
  fromName?: string | null;
  smtpHost: string;
  smtpPort: number;
  smtpSecurity: string;
  smtpAuth: string;
  smtpUser?: string | null;
  password?: string | null;
  allowInvalidCertificate?: boolean;
  /** Empty or null: no inbound folder. */
  imapHost?: string | null;
  imapPort?: number | null;
  imapSecurity?: string | null;
  imapUser?: string | null;
  /** As `password`, for the IMAP account. */
  imapPassword?: string | null;
  imapFolder?: string | null;
  /** Default `password`. */
  imapAuth?: string | null;
  groupIds?: number[];
}

/** The stored fields (the password sealed apart). */
export type MailboxFields = Omit<
  Mailbox,
  'id' | 'passwordSet' | 'imapPasswordSet' | 'groupIds' | 'createdAt' | 'updatedAt'
>;

const invalid = (field: string, message: string) => new DomainError('MAILBOX_INVALID', message, { details: { field } });

/** Checks and trims what an administrator gave; every refusal names its field. */
export function cleanMailbox(input: MailboxInput): MailboxFields {
  const name = input.name.trim();
  if (!name || name.length > 120) throw invalid('name', 'A mailbox needs a name of at most 120 characters.');
  const fromAddress = input.fromAddress.trim();
  if (!isEmailAddress(fromAddress)) throw invalid('fromAddress', `"${input.fromAddress}" is not an email address.`);
  const smtpHost = input.smtpHost.trim();
  if (!smtpHost || smtpHost.length > 255 || /\s/.test(smtpHost))
    throw invalid('smtpHost', 'Give the SMTP server’s host name or address.');
  if (isForbiddenHost(smtpHost))
    throw invalid(
      'smtpHost',
      'The SMTP host is a link-local or cloud metadata address; Parley will not connect to it.',
    );
  if (!Number.isInteger(input.smtpPort) || input.smtpPort < 1 || input.smtpPort > 65535)
    throw invalid('smtpPort', 'The SMTP port is a whole number from 1 to 65535.');
  if (!SMTP_SECURITY.includes(input.smtpSecurity as SmtpSecurity))
    throw invalid('smtpSecurity', `The SMTP security is one of ${SMTP_SECURITY.join(', ')}.`);
  if (!MAILBOX_AUTH.includes(input.smtpAuth as MailboxAuth))
    throw invalid('smtpAuth', `The SMTP authentication is one of ${MAILBOX_AUTH.join(', ')}.`);
  const smtpUser = input.smtpUser?.trim() || null;
  if (input.smtpAuth === 'password' && !smtpUser) throw invalid('smtpUser', 'Password authentication needs a user.');
  const imapHost = input.imapHost?.trim() || null;
  if (imapHost && (imapHost.length > 255 || /\s/.test(imapHost)))
    throw invalid('imapHost', 'Give the IMAP server’s host name or address.');
  if (imapHost && isForbiddenHost(imapHost))
    throw invalid(
      'imapHost',
      'The IMAP host is a link-local or cloud metadata address; Parley will not connect to it.',
    );
  const imapPort = input.imapPort ?? 993;
  if (imapHost && (!Number.isInteger(imapPort) || imapPort < 1 || imapPort > 65535))
    throw invalid('imapPort', 'The IMAP port is a whole number from 1 to 65535.');
  const imapSecurity = input.imapSecurity ?? 'tls';
  if (imapHost && !SMTP_SECURITY.includes(imapSecurity as SmtpSecurity))
    throw invalid('imapSecurity', `The IMAP security is one of ${SMTP_SECURITY.join(', ')}.`);
  const imapAuth = input.imapAuth ?? 'password';
  if (imapHost && !IMAP_AUTH.includes(imapAuth as ImapAuth))
    throw invalid('imapAuth', `The IMAP authentication is one of ${IMAP_AUTH.join(', ')}.`);
  // With OAuth2 the folder is read as the grant's account (its login): no IMAP user of its own.
  const imapUser = imapAuth === 'oauth2' ? null : input.imapUser?.trim() || null;
  if (imapHost && imapAuth === 'password' && !imapUser)
    throw invalid('imapUser', 'Reading an IMAP folder needs its user.');
  return {
    imapHost,
    imapPort: imapHost ? imapPort : null,
    imapSecurity: imapHost ? (imapSecurity as SmtpSecurity) : null,
    imapUser: imapHost ? imapUser : null,
    imapFolder: imapHost ? input.imapFolder?.trim() || 'INBOX' : null,
    imapAuth: imapHost ? (imapAuth as ImapAuth) : null,
    name,
    fromAddress,
    fromName: input.fromName?.trim() || null,
    smtpHost,
    smtpPort: input.smtpPort,
    smtpSecurity: input.smtpSecurity as SmtpSecurity,
    smtpAuth: input.smtpAuth as MailboxAuth,
    smtpUser: input.smtpAuth === 'password' ? smtpUser : null,
    allowInvalidCertificate: input.allowInvalidCertificate ?? false,
  };
}

/** Where a stored IMAP password is sent: changing any of these needs it again. */
export function sameImapDestination(a: MailboxFields, b: MailboxFields): boolean {
  return (
    (a.imapHost ?? '').toLowerCase() === (b.imapHost ?? '').toLowerCase() &&
    a.imapPort === b.imapPort &&
    a.imapSecurity === b.imapSecurity &&
    a.imapAuth === b.imapAuth &&
    a.allowInvalidCertificate === b.allowInvalidCertificate
  );
}

/** Where a stored password is sent: changing any of these needs the password again. */
export function sameDestination(a: MailboxFields, b: MailboxFields): boolean {
  return (
    a.smtpHost.toLowerCase() === b.smtpHost.toLowerCase() &&
    a.smtpPort === b.smtpPort &&
    a.smtpSecurity === b.smtpSecurity &&
    a.allowInvalidCertificate === b.allowInvalidCertificate
  );
}

export const MAILBOX_AUDITED_FIELDS = [
  'name',
  'fromAddress',
  'fromName',
  'smtpHost',
  'smtpPort',
  'smtpSecurity',
  'smtpAuth',
  'smtpUser',
  'allowInvalidCertificate',
  'imapHost',
  'imapPort',
  'imapSecurity',
  'imapUser',
  'imapFolder',
  'imapAuth',
  'groupIds',
] as const satisfies readonly (keyof Mailbox)[];
