import type { Deps } from '../deps.ts';
import type { Locale } from '../locale.ts';
import type { Uses } from '../../ports/storage.ts';
import type { SmtpSettings } from '../../ports/mail-transport.ts';
import {
  PARAM,
  PARAMETER_CATALOGUE,
  parameterDefinition,
  type ParameterValue,
  type SmtpSecurity,
} from './parameter-catalogue.ts';

/** Stored form: JSON of the value; a secret is sealed by the SecretBox first and never read back out here. */
export function decode(stored: string | undefined): ParameterValue {
  if (stored === undefined) return null;
  return JSON.parse(stored) as ParameterValue;
}

export type ParameterValues = ReadonlyMap<number, ParameterValue>;

export async function readParameters(repos: Uses<{ settings: 'getParameters' }>): Promise<ParameterValues> {
  const stored = await repos.settings.getParameters();
  const values = new Map<number, ParameterValue>();
  for (const def of PARAMETER_CATALOGUE) {
    const raw = stored.get(def.id);
    values.set(def.id, raw === undefined ? def.defaultValue : decode(raw));
  }
  return values;
}

export interface ParameterView {
  id: number;
  type: string;
  description: string;
  options?: readonly string[];
  /** Secrets are never returned; `set` tells whether one is stored. */
  value: ParameterValue;
  set: boolean;
}

export function view(id: number, values: ParameterValues, locale: Locale): ParameterView {
  const def = parameterDefinition(id)!;
  const value = values.get(id) ?? null;
  return {
    id,
    type: def.type,
    description: def.description[locale],
    ...(def.options ? { options: def.options } : {}),
    value: def.type === 'secret' ? null : value,
    set: value !== null,
  };
}

// ---- the SMTP account: parameters 10, 11, 12, 13, 14, 199, 269 and 9001 edited together

export interface SmtpAccount {
  host: string | null;
  port: number;
  security: SmtpSecurity;
  auth: boolean;
  user: string | null;
  passwordSet: boolean;
  from: string | null;
  fromName: string | null;
  allowInvalidCertificate: boolean;
}

export function smtpAccountOf(values: ParameterValues): SmtpAccount {
  return {
    host: (values.get(PARAM.SMTP_HOST) as string | null) ?? null,
    port: (values.get(PARAM.SMTP_PORT) as number | null) ?? 587,
    security: (values.get(PARAM.SMTP_SECURITY) as SmtpSecurity | null) ?? 'starttls',
    auth: Boolean(values.get(PARAM.SMTP_AUTH)),
    user: (values.get(PARAM.SMTP_USER) as string | null) ?? null,
    passwordSet: values.get(PARAM.SMTP_PASSWORD) != null,
    from: (values.get(PARAM.SMTP_FROM) as string | null) ?? null,
    fromName: (values.get(PARAM.SMTP_FROM_NAME) as string | null) ?? null,
    allowInvalidCertificate: Boolean(values.get(PARAM.SMTP_ALLOW_INVALID_CERTIFICATE)),
  };
}

/** A stored password the current key cannot open (the key was changed): the account must be saved again. */
export class UnreadableSecret extends Error {
  override name = 'UnreadableSecret';
}

function openSecret(deps: Pick<Deps, 'secrets'>, sealed: string): string {
  try {
    return deps.secrets.open(sealed);
  } catch (cause) {
    throw new UnreadableSecret('A stored password cannot be opened with the current secret key.', { cause });
  }
}

/**
 * The account with its password opened, for the mail transport only (never returned by the API); undefined while
 * no SMTP host or sender is configured.
 */
export async function smtpCredentials(
  deps: Pick<Deps, 'secrets'>,
  repos: Uses<{ settings: 'getParameters' }>,
): Promise<{ settings: SmtpSettings; from: { name: string | null; address: string } } | undefined> {
  const values = await readParameters(repos);
  const account = smtpAccountOf(values);
  if (!account.host || !account.from) return undefined;
  const sealed = values.get(PARAM.SMTP_PASSWORD) as string | null;
  return {
    settings: {
      host: account.host,
      port: account.port,
      security: account.security,
      auth: account.auth,
      user: account.user,
      password: account.auth && sealed ? openSecret(deps, sealed) : null,
      allowInvalidCertificate: account.allowInvalidCertificate,
    },
    from: { name: account.fromName, address: account.from },
  };
}

export interface ImapAccount {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  user: string;
  password: string;
  mailbox: string;
  allowInvalidCertificate: boolean;
  /** Set when the folder is read with a team mailbox's OAuth2 grant (XOAUTH2): `user` and `password` are empty then. */
  oauthMailboxId?: number;
}

/**
 * The support mailbox to read for replies (parameters 9010–9015), password opened; undefined while no host, user or
 * password is set. For the IMAP reader only, never returned by the API.
 */
export async function imapAccount(
  deps: Pick<Deps, 'secrets'>,
  repos: Uses<{ settings: 'getParameters' }>,
): Promise<ImapAccount | undefined> {
  const values = await readParameters(repos);
  const host = values.get(PARAM.IMAP_HOST) as string | null;
  const user = values.get(PARAM.IMAP_USER) as string | null;
  const sealed = values.get(PARAM.IMAP_PASSWORD) as string | null;
  if (!host || !user || !sealed) return undefined;
  return {
    host,
    port: Number(values.get(PARAM.IMAP_PORT) ?? 993),
    security: (values.get(PARAM.IMAP_SECURITY) as ImapAccount['security'] | null) ?? 'tls',
    user,
    password: openSecret(deps, sealed),
    mailbox: (values.get(PARAM.IMAP_MAILBOX) as string | null) || 'INBOX',
    allowInvalidCertificate: values.get(PARAM.SMTP_ALLOW_INVALID_CERTIFICATE) === true,
  };
}
