import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import type { SecretBox } from '../../ports/secret-box.ts';
import { PARAM, parameterDefinition, type ParameterValue } from './parameter-catalogue.ts';
import { validateParameterValue } from './parameter-validation.ts';
import type { SmtpAccount } from './parameters.ts';

/** Validates a value for its type (417: an existing, active template) and encodes it for storage. */
export async function encodeChecked(
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
    const template = await repos.settings.findTemplate(clean as number, 'share');
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
  if (def.type === 'groupId' && !(await repos.people.findGroup(clean as number))) {
    throw new DomainError('PARAMETER_INVALID', `Parameter ${id}: there is no team with ID ${clean}.`, {
      details: { parameter: id },
    });
  }
  return JSON.stringify(def.type === 'secret' ? secrets.seal(clean as string) : clean);
}

// ---- where a stored password is sent

/**
 * A stored password goes only to the server it was entered for: changing the host, port or security of its account
 * needs the password again (else an administrator's session, or whoever took it, could point the account at a
 * server of theirs and receive the password when Parley signs in).
 */
export const SECRET_DESTINATIONS: readonly { secret: number; where: readonly number[]; refusal: string }[] = [
  {
    secret: PARAM.SMTP_PASSWORD,
    where: [PARAM.SMTP_HOST, PARAM.SMTP_PORT, PARAM.SMTP_SECURITY, PARAM.SMTP_ALLOW_INVALID_CERTIFICATE],
    refusal:
      'Changing the SMTP host, port or security, or accepting a certificate that cannot be verified, needs the SMTP password again: change them on the SMTP account together with the password, or remove the stored password (parameter 13) first.',
  },
  {
    secret: PARAM.IMAP_PASSWORD,
    // The IMAP reader follows the SMTP account's certificate check (9002) too.
    where: [PARAM.IMAP_HOST, PARAM.IMAP_PORT, PARAM.IMAP_SECURITY, PARAM.SMTP_ALLOW_INVALID_CERTIFICATE],
    refusal:
      'Changing the IMAP host, port or security, or accepting a certificate that cannot be verified (which the IMAP reader does too), needs the IMAP password again: remove the stored IMAP password (parameter 9014) first, then set it again after the change.',
  },
];

export function sameDestination(id: number, before: ParameterValue, after: ParameterValue): boolean {
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

/** With authentication on, the account needs both a user and a password (whichever parameter was just set). */
export function checkCredentials(account: SmtpAccount) {
  if (account.auth && (!account.user || !account.passwordSet)) {
    throw new DomainError('SMTP_ACCOUNT_INVALID', 'Authentication is on: give the SMTP user and password.', {
      details: { field: account.user ? 'password' : 'user' },
    });
  }
}
