import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Locale } from '../locale.ts';
import type { Repositories } from '../../ports/storage.ts';
import type { SecretBox } from '../../ports/secret-box.ts';
import type { SmtpSettings } from '../../ports/mail-transport.ts';
import type { Actor } from '../users/user.ts';
import {
  PARAM,
  PARAMETER_CATALOGUE,
  parameterDefinition,
  validateParameterValue,
  type ParameterValue,
  type SmtpSecurity,
} from './parameter-catalogue.ts';

/** Stored form: JSON of the value; a secret is sealed by the SecretBox first and never read back out here. */
function decode(stored: string | undefined): ParameterValue {
  if (stored === undefined) return null;
  return JSON.parse(stored) as ParameterValue;
}

export type ParameterValues = ReadonlyMap<number, ParameterValue>;

export async function readParameters(repos: Pick<Repositories, 'getParameters'>): Promise<ParameterValues> {
  const stored = await repos.getParameters();
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

export async function listParameters(deps: Pick<Deps, 'storage'>, locale: Locale): Promise<ParameterView[]> {
  const values = await readParameters(deps.storage);
  return PARAMETER_CATALOGUE.map((def) => view(def.id, values, locale)).sort((a, b) => a.id - b.id);
}

function view(id: number, values: ParameterValues, locale: Locale): ParameterView {
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

export async function getParameter(deps: Pick<Deps, 'storage'>, id: number, locale: Locale): Promise<ParameterView> {
  if (!parameterDefinition(id)) throw new DomainError('PARAMETER_NOT_FOUND', `There is no parameter ${id}.`);
  return view(id, await readParameters(deps.storage), locale);
}

/** Validates a value for its type (417: an existing, active template) and encodes it for storage. */
async function encodeChecked(
  repos: Repositories,
  secrets: SecretBox,
  id: number,
  value: unknown,
): Promise<string | null> {
  const def = parameterDefinition(id);
  if (!def) throw new DomainError('PARAMETER_NOT_FOUND', `There is no parameter ${id}.`);
  const clean = validateParameterValue(def, value);
  if (clean === null) return null;
  if (def.type === 'templateId') {
    const template = await repos.findTemplate(clean as number, 'share');
    if (!template)
      throw new DomainError('PARAMETER_INVALID', `Parameter ${id}: there is no email template with ID ${clean}.`, {
        details: { parameter: id, rule: 'templateMissing', value: clean },
      });
    if (!template.active) {
      throw new DomainError(
        'PARAMETER_INVALID',
        `Parameter ${id}: email template ${clean} ("${template.name}") is inactive.`,
        { details: { parameter: id, rule: 'templateInactive', value: clean } },
      );
    }
  }
  if (def.type === 'groupId' && !(await repos.findGroup(clean as number))) {
    throw new DomainError('PARAMETER_INVALID', `Parameter ${id}: there is no team with ID ${clean}.`, {
      details: { parameter: id },
    });
  }
  return JSON.stringify(def.type === 'secret' ? secrets.seal(clean as string) : clean);
}

export async function setParameter(
  deps: Pick<Deps, 'storage' | 'clock' | 'secrets'>,
  actor: Actor,
  id: number,
  value: unknown,
): Promise<ParameterView> {
  return deps.storage.transaction(async (tx) => {
    const before = await readParameters(tx);
    const stored = await encodeChecked(tx, deps.secrets, id, value);
    const account = SECRET_DESTINATIONS.find((d) => d.where.includes(id));
    if (
      account &&
      before.get(account.secret) != null &&
      !sameDestination(id, before.get(id) ?? null, decode(stored ?? undefined))
    ) {
      throw new DomainError('PARAMETER_INVALID', account.refusal, {
        details: { parameter: id, field: 'password', reason: 'password-required' },
      });
    }
    await tx.setParameter(id, stored, deps.clock.now().toISOString(), actor.id);
    const values = await readParameters(tx);
    checkCredentials(smtpAccountOf(values));
    return view(id, values, actor.locale);
  });
}

// ---- where a stored password is sent

/**
 * A stored password goes only to the server it was entered for: changing the host, port or security of its account
 * needs the password again (else an administrator's session, or whoever took it, could point the account at a
 * server of theirs and receive the password when Parley signs in).
 */
const SECRET_DESTINATIONS: readonly { secret: number; where: readonly number[]; refusal: string }[] = [
  {
    secret: PARAM.SMTP_PASSWORD,
    where: [PARAM.SMTP_HOST, PARAM.SMTP_PORT, PARAM.SMTP_SECURITY, PARAM.SMTP_ALLOW_INVALID_CERTIFICATE],
    refusal:
      'Changing the SMTP host, port or security, or accepting a certificate that cannot be verified, needs the SMTP password again: change them on the SMTP account together with the password, or remove the stored password (parameter 13) first.',
  },
  {
    secret: PARAM.IMAP_PASSWORD,
    where: [PARAM.IMAP_HOST, PARAM.IMAP_PORT, PARAM.IMAP_SECURITY],
    refusal:
      'Changing the IMAP host, port or security needs the IMAP password again: remove the stored IMAP password (parameter 9014) first, then set it again after the change.',
  },
];

function sameDestination(id: number, before: ParameterValue, after: ParameterValue): boolean {
  // Accepting an unverifiable certificate lets whoever sits on the way act as the server: a new destination.
  // Requiring a valid certificate again moves nothing.
  if (id === PARAM.SMTP_ALLOW_INVALID_CERTIFICATE) return !(after === true && before !== true);
  const def = parameterDefinition(id)!;
  const value = (v: ParameterValue) => (v === null ? def.defaultValue : v);
  const [a, b] = [value(before), value(after)];
  if (def.type === 'host' && typeof a === 'string' && typeof b === 'string') {
    const host = (h: string) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '')
        .replace(/\.$/, '');
    return host(a) === host(b);
  }
  return a === b;
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
  repos: Pick<Repositories, 'getParameters'>,
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

/** With authentication on, the account needs both a user and a password (whichever parameter was just set). */
function checkCredentials(account: SmtpAccount) {
  if (account.auth && (!account.user || !account.passwordSet)) {
    throw new DomainError('SMTP_ACCOUNT_INVALID', 'Authentication is on: give the SMTP user and password.', {
      details: { field: account.user ? 'password' : 'user' },
    });
  }
}

export interface SmtpAccountInput {
  host: string;
  port: number;
  security: string;
  auth: boolean;
  user?: string | null;
  /**
   * Omitted or null: keep the stored password (refused when the host, port or security change while authentication
   * is on; with authentication off, such a change removes it); "": remove it.
   */
  password?: string | null;
  from: string;
  fromName?: string | null;
  allowInvalidCertificate?: boolean;
}

export async function saveSmtpAccount(
  deps: Pick<Deps, 'storage' | 'clock' | 'secrets'>,
  actor: Actor,
  input: SmtpAccountInput,
): Promise<SmtpAccount> {
  return deps.storage.transaction(async (tx) => {
    const before = await readParameters(tx);
    const moved =
      before.get(PARAM.SMTP_PASSWORD) != null &&
      input.password == null &&
      [
        [PARAM.SMTP_HOST, input.host],
        [PARAM.SMTP_PORT, input.port],
        [PARAM.SMTP_SECURITY, input.security],
        [PARAM.SMTP_ALLOW_INVALID_CERTIFICATE, input.allowInvalidCertificate ?? false],
      ].some(
        ([id, value]) => !sameDestination(id as number, before.get(id as number) ?? null, value as ParameterValue),
      );
    if (moved && input.auth) {
      throw new DomainError(
        'SMTP_ACCOUNT_INVALID',
        'Changing the SMTP host, port or security, or accepting an unverifiable certificate, needs the password again: enter it with the change.',
        {
          details: { field: 'password', reason: 'password-required' },
        },
      );
    }
    const writes: [number, unknown][] = [
      [PARAM.SMTP_HOST, input.host],
      [PARAM.SMTP_PORT, input.port],
      [PARAM.SMTP_SECURITY, input.security],
      [PARAM.SMTP_AUTH, input.auth],
      [PARAM.SMTP_USER, input.user ?? null],
      [PARAM.SMTP_FROM, input.from],
      [PARAM.SMTP_FROM_NAME, input.fromName ?? null],
      [PARAM.SMTP_ALLOW_INVALID_CERTIFICATE, input.allowInvalidCertificate ?? false],
    ];
    if (input.password != null) writes.push([PARAM.SMTP_PASSWORD, input.password]);
    // Authentication off: the stored password is not in use, and is not kept for a server it was not entered for.
    else if (moved) writes.push([PARAM.SMTP_PASSWORD, null]);
    const encoded: [number, string | null][] = [];
    for (const [id, value] of writes) encoded.push([id, await encodeChecked(tx, deps.secrets, id, value)]);
    const at = deps.clock.now().toISOString();
    for (const [id, stored] of encoded) await tx.setParameter(id, stored, at, actor.id);
    const account = smtpAccountOf(await readParameters(tx));
    checkCredentials(account);
    return account;
  });
}

export interface ImapAccount {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  user: string;
  password: string;
  mailbox: string;
  allowInvalidCertificate: boolean;
}

/**
 * The support mailbox to read for replies (parameters 9010–9015), password opened; undefined while no host, user or
 * password is set. For the IMAP reader only, never returned by the API.
 */
export async function imapAccount(
  deps: Pick<Deps, 'secrets'>,
  repos: Pick<Repositories, 'getParameters'>,
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
