import { DomainError } from '../errors.ts';
import { isForbiddenHost } from '../parameters/forbidden-hosts.ts';
import { isPrivateAddress } from './private-address.ts';
import {
  MAX_WEBHOOK_DESCRIPTION,
  MAX_WEBHOOK_URL,
  WEBHOOK_EVENTS,
  type WebhookEndpointFields,
  type WebhookEvent,
} from './webhook.ts';

/** Why an endpoint is refused: the web app words each reason in the reader's language. */
export type EndpointProblem =
  | 'url-length'
  | 'not-url'
  | 'not-https'
  | 'credentials'
  | 'forbidden'
  | 'private'
  | 'description-length'
  | 'no-events'
  | 'unknown-event';

function invalid(field: string, reason: EndpointProblem, message: string): never {
  throw new DomainError('WEBHOOK_ENDPOINT_INVALID', message, { details: { field, reason } });
}

/**
 * An endpoint's fields as an administrator gave them, checked: an absolute HTTPS URL without credentials (plain HTTP
 * only with private addresses allowed), not a link-local or metadata address ever, not a loopback or private literal
 * unless allowed; at least one known event, each once. Names are checked again on what they resolve to when sent.
 */
export function checkEndpoint(fields: WebhookEndpointFields): WebhookEndpointFields {
  const text = fields.url.trim();
  if (text.length === 0 || text.length > MAX_WEBHOOK_URL)
    invalid('url', 'url-length', `Give the endpoint's address, up to ${MAX_WEBHOOK_URL} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalid(
      'url',
      'not-url',
      'The endpoint address is not a URL; write it in full, as https://hooks.example.com/parley.',
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && fields.allowPrivate))
    invalid(
      'url',
      'not-https',
      'The endpoint address must start with https:// (plain http only for an allowed private address).',
    );
  if (url.username || url.password)
    invalid(
      'url',
      'credentials',
      'The endpoint address must not carry a user name or password; the signature proves the sender.',
    );
  if (isForbiddenHost(url.hostname))
    invalid(
      'url',
      'forbidden',
      'The endpoint is a link-local or cloud metadata address; Parley will not connect to it.',
    );
  if (isPrivateAddress(url.hostname) && !fields.allowPrivate)
    invalid(
      'url',
      'private',
      'The endpoint is a loopback or private address; allow private addresses for this endpoint to use it.',
    );
  const description = fields.description.trim();
  if (description.length > MAX_WEBHOOK_DESCRIPTION)
    invalid(
      'description',
      'description-length',
      `The description is longer than ${MAX_WEBHOOK_DESCRIPTION} characters.`,
    );
  const events = [...new Set(fields.events)];
  if (events.length === 0) invalid('events', 'no-events', 'Choose at least one event for the endpoint to receive.');
  for (const e of events)
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(e))
      invalid('events', 'unknown-event', `"${e}" is not an event Parley sends.`);
  return { ...fields, url: url.href, description, events: events as WebhookEvent[] };
}
