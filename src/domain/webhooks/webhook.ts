/** The events an endpoint may take (docs/webhooks.md). */
export const WEBHOOK_EVENTS = [
  'message.created',
  'ticket.created',
  'ticket.changed',
  'mail.sent',
  'mail.deferred',
  'mail.failed',
  'mail.bounced',
  'inbound.held',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['queued', 'sending', 'delivered', 'deferred', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const WEBHOOK_ATTEMPT_RESULTS = ['delivered', 'deferred', 'failed', 'interrupted'] as const;

export const MAX_WEBHOOK_URL = 2000;
export const MAX_WEBHOOK_DESCRIPTION = 200;

/** An administrator's endpoint; its secret is write-only (sealed at rest, shown once when generated). */
export interface WebhookEndpoint {
  id: number;
  url: string;
  description: string;
  events: WebhookEvent[];
  /** Never receives what only staff may see (internal notes). */
  publicOnly: boolean;
  active: boolean;
  /** Loopback, private and link-local addresses (and plain HTTP) allowed by an administrator. */
  allowPrivate: boolean;
  createdAt: string;
  updatedAt: string;
}

export type WebhookEndpointFields = Pick<
  WebhookEndpoint,
  'url' | 'description' | 'events' | 'publicOnly' | 'active' | 'allowPrivate'
>;

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  /** What a receiver de-duplicates by: the same on every attempt, and on "send again". */
  eventId: string;
  event: WebhookEvent;
  ticketId: number | null;
  body: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  attemptsSince: string;
  nextAttemptAt: string | null;
  lastReply: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface WebhookAttempt {
  at: string;
  result: (typeof WEBHOOK_ATTEMPT_RESULTS)[number];
  reply: string | null;
  /** The endpoint's HTTP status; null when it never answered. */
  httpStatus: number | null;
  /** How long the attempt took; null for an interrupted one. */
  durationMs: number | null;
}

export interface NewWebhookDelivery {
  endpointId: number;
  eventId: string;
  event: WebhookEvent;
  ticketId: number | null;
  body: string;
}
