import type { Translate } from '../../../i18n/i18n.tsx';
import type { ImapAuth, Mailbox, MailboxAuth, SmtpSecurity } from '../../../types.ts';

/** A mailbox form's fields as typed (the port as text, the stored password never shown). */
export interface MailboxForm {
  name: string;
  fromAddress: string;
  fromName: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: SmtpSecurity;
  smtpAuth: MailboxAuth;
  smtpUser: string;
  password: string;
  allowInvalidCertificate: boolean;
  /** Its inbound folder over IMAP: an empty host means none. */
  imapHost: string;
  imapPort: string;
  imapSecurity: SmtpSecurity;
  /** `oauth2`: read as the account of the mailbox's OAuth2 grant (no IMAP user or password). */
  imapAuth: ImapAuth;
  imapUser: string;
  imapPassword: string;
  imapFolder: string;
  groupIds: number[];
}

export const EMPTY_MAILBOX: MailboxForm = {
  name: '',
  fromAddress: '',
  fromName: '',
  smtpHost: '',
  smtpPort: '587',
  smtpSecurity: 'starttls',
  smtpAuth: 'password',
  smtpUser: '',
  password: '',
  allowInvalidCertificate: false,
  imapHost: '',
  imapPort: '993',
  imapSecurity: 'tls',
  imapAuth: 'password',
  imapUser: '',
  imapPassword: '',
  imapFolder: 'INBOX',
  groupIds: [],
};

export function formOf(m: Mailbox): MailboxForm {
  return {
    name: m.name,
    fromAddress: m.fromAddress,
    fromName: m.fromName ?? '',
    smtpHost: m.smtpHost,
    smtpPort: String(m.smtpPort),
    smtpSecurity: m.smtpSecurity,
    smtpAuth: m.smtpAuth,
    smtpUser: m.smtpUser ?? '',
    password: '',
    allowInvalidCertificate: m.allowInvalidCertificate,
    imapHost: m.imapHost ?? '',
    imapPort: String(m.imapPort ?? 993),
    imapSecurity: m.imapSecurity ?? 'tls',
    imapAuth: m.imapAuth ?? 'password',
    imapUser: m.imapUser ?? '',
    imapPassword: '',
    imapFolder: m.imapFolder ?? 'INBOX',
    groupIds: [...m.groupIds],
  };
}

export function bodyOf(f: MailboxForm) {
  return {
    name: f.name.trim(),
    fromAddress: f.fromAddress.trim(),
    fromName: f.fromName.trim() || null,
    smtpHost: f.smtpHost.trim(),
    smtpPort: Number(f.smtpPort),
    smtpSecurity: f.smtpSecurity,
    smtpAuth: f.smtpAuth,
    smtpUser: f.smtpAuth === 'password' ? f.smtpUser.trim() : null,
    ...(f.password ? { password: f.password } : {}),
    allowInvalidCertificate: f.allowInvalidCertificate,
    imapHost: f.imapHost.trim() || null,
    imapPort: f.imapHost.trim() ? Number(f.imapPort) : null,
    imapSecurity: f.imapHost.trim() ? f.imapSecurity : null,
    imapAuth: f.imapHost.trim() ? f.imapAuth : null,
    imapUser: f.imapAuth === 'password' ? f.imapUser.trim() || null : null,
    ...(f.imapPassword && f.imapAuth === 'password' ? { imapPassword: f.imapPassword } : {}),
    imapFolder: f.imapFolder.trim() || null,
    groupIds: f.groupIds,
  };
}

/** What the form checks before it sends (the server checks it all again); `saved`: the mailbox being edited. */
export function formErrors(t: Translate, f: MailboxForm, saved: Mailbox | null) {
  const errors: Partial<Record<keyof MailboxForm, string>> = {};
  if (!f.name.trim()) errors.name = t('validation.required');
  if (!f.fromAddress.trim()) errors.fromAddress = t('validation.required');
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.fromAddress.trim())) errors.fromAddress = t('validation.email');
  if (!f.smtpHost.trim()) errors.smtpHost = t('validation.required');
  const port = Number(f.smtpPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.smtpPort = t('validation.port');
  if (f.smtpAuth === 'password') {
    if (!f.smtpUser.trim()) errors.smtpUser = t('validation.required');
    const moved =
      !!saved &&
      (f.smtpHost.trim().toLowerCase() !== saved.smtpHost.toLowerCase() ||
        port !== saved.smtpPort ||
        f.smtpSecurity !== saved.smtpSecurity ||
        f.allowInvalidCertificate !== saved.allowInvalidCertificate);
    if (!f.password && !saved?.passwordSet) errors.password = t('validation.required');
    else if (!f.password && moved) errors.password = t('smtp.passwordAgain');
  }
  const imapPort = Number(f.imapPort);
  if (f.imapHost.trim() && (!Number.isInteger(imapPort) || imapPort < 1 || imapPort > 65535))
    errors.imapPort = t('validation.port');
  if (f.imapHost.trim() && f.imapAuth === 'password') {
    if (!f.imapUser.trim()) errors.imapUser = t('validation.required');
    const imapMoved =
      !!saved &&
      (f.imapHost.trim().toLowerCase() !== (saved.imapHost ?? '').toLowerCase() ||
        imapPort !== saved.imapPort ||
        f.imapSecurity !== saved.imapSecurity ||
        saved.imapAuth !== 'password');
    if (!f.imapPassword && !saved?.imapPasswordSet) errors.imapPassword = t('validation.required');
    else if (!f.imapPassword && imapMoved) errors.imapPassword = t('smtp.passwordAgain');
  }
  return errors;
}
