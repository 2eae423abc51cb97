import { WEBHOOK_EVENTS, type WebhookEndpoint, type WebhookEvent } from '../../../types.ts';

/** An endpoint's fields as the form holds them. */
export interface EndpointForm {
  url: string;
  description: string;
  events: WebhookEvent[];
  publicOnly: boolean;
  allowPrivate: boolean;
  active: boolean;
}

export const EMPTY_FORM: EndpointForm = {
  url: '',
  description: '',
  events: [...WEBHOOK_EVENTS],
  publicOnly: true,
  allowPrivate: false,
  active: true,
};

export function formOf(e: WebhookEndpoint): EndpointForm {
  return {
    url: e.url,
    description: e.description,
    events: [...e.events],
    publicOnly: e.publicOnly,
    allowPrivate: e.allowPrivate,
    active: e.active,
  };
}

/** The body the API takes, trimmed; the events in the order Parley lists them. */
export function bodyOf(f: EndpointForm) {
  return {
    url: f.url.trim(),
    description: f.description.trim(),
    events: WEBHOOK_EVENTS.filter((e) => f.events.includes(e)),
    publicOnly: f.publicOnly,
    allowPrivate: f.allowPrivate,
    active: f.active,
  };
}
