import { DomainError } from '../errors.ts';
import { isEmailAddress } from '../users/user.ts';
import { MAX_HISTORY_MESSAGES } from '../templates/conversation-keys.ts';
import { DOTTED_QUAD, isForbiddenHost, NUMERIC_LABEL, parseIpv6 } from './forbidden-hosts.ts';
import type { ParameterDefinition, ParameterValue } from './parameter-catalogue.ts';

/** A parameter's value checked against its definition (`PARAMETER_CATALOGUE`) before it is stored. */

/** The longest a `days` parameter may be: a hundred years. */
export const MAX_PARAMETER_DAYS = 36500;

/** Which rule a value broke, for the web to say in the reader's language (`details.rule`). */
export type ParameterRule =
  | 'required'
  | 'templateId'
  | 'groupId'
  | 'email'
  | 'boolean'
  | 'text'
  | 'maxLength'
  | 'oneLine'
  | 'host'
  | 'forbiddenHost'
  | 'port'
  | 'days'
  | 'count'
  | 'enum';

function invalid(def: ParameterDefinition, rule: ParameterRule, reason: string): never {
  const details =
    rule === 'enum' ? { parameter: def.id, rule, options: [...def.options!] } : { parameter: def.id, rule };
  throw new DomainError('PARAMETER_INVALID', `Parameter ${def.id}: ${reason}`, { details });
}

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  if (DOTTED_QUAD.test(value)) return true;
  if (value.includes(':')) return parseIpv6(value.toLowerCase().replace(/^\[|\]$/g, '')) !== undefined;
  const labels = value.replace(/\.$/, '').split('.');
  // A name made only of numbers is an address in disguise (2852039166, 0xa9fea9fe, 0251.0376.0251.0376).
  if (labels.every((label) => NUMERIC_LABEL.test(label))) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** Validates and normalises a value for its parameter's type; throws PARAMETER_INVALID with the reason. */
export function validateParameterValue(def: ParameterDefinition, value: unknown): ParameterValue {
  if (value === null || value === '') {
    if (['boolean', 'port', 'enum', 'days', 'count'].includes(def.type))
      invalid(def, 'required', 'a value is required.');
    if (def.required) invalid(def, 'required', 'a value is required (it can be changed, not emptied).');
    return null;
  }
  switch (def.type) {
    case 'templateId':
    case 'groupId': {
      const id = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0 || id > 2_147_483_647) {
        if (def.type === 'groupId') invalid(def, 'groupId', 'must be the ID of a team.');
        invalid(def, 'templateId', 'must be the ID of an email template.');
      }
      return id;
    }
    case 'email':
      if (typeof value !== 'string' || !isEmailAddress(value.trim()))
        invalid(def, 'email', 'must be an email address.');
      return value.trim();
    case 'boolean':
      if (typeof value !== 'boolean') invalid(def, 'boolean', 'must be true or false.');
      return value;
    case 'text':
    case 'secret':
      if (typeof value !== 'string') invalid(def, 'text', 'must be text.');
      if (value.length > 255) invalid(def, 'maxLength', 'must be at most 255 characters.');
      if (/[\r\n\u0000]/.test(value)) invalid(def, 'oneLine', 'must be one line (no line breaks).');
      return value;
    case 'host': {
      if (typeof value !== 'string' || !isHostName(value.trim()))
        invalid(def, 'host', 'must be a host name or an IP address.');
      const host = value.trim();
      if (isForbiddenHost(host))
        invalid(
          def,
          'forbiddenHost',
          'link-local and cloud metadata addresses (also inside an IPv6 address) are not allowed.',
        );
      return host;
    }
    case 'port': {
      const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        invalid(def, 'port', 'must be a port number from 1 to 65535.');
      }
      return port;
    }
    case 'days': {
      const days = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_PARAMETER_DAYS)
        invalid(def, 'days', `must be a whole number of days from 1 to ${MAX_PARAMETER_DAYS}.`);
      return days;
    }
    case 'count': {
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_HISTORY_MESSAGES)
        invalid(def, 'count', `must be a whole number from 0 to ${MAX_HISTORY_MESSAGES}.`);
      return n;
    }
    case 'enum':
      if (typeof value !== 'string' || !def.options!.includes(value))
        invalid(def, 'enum', `must be one of ${def.options!.join(', ')}.`);
      return value;
  }
}
