import type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointFields,
  WebhookEvent,
} from '../../domain/webhooks/webhook.ts';
import type { Page, PageRequest } from './common.ts';

export interface WebhookClaim {
  now: string;
  leaseUntil: string;
  token: string;
  limit: number;
  /** Only these deliveries, if still due (a take-over claims what it re-queued, not older deliveries due before). */
  ids?: readonly number[];
}

export interface WebhookOutcome {
  status: 'delivered' | 'deferred' | 'failed';
  at: string;
  reply: string;
  nextAttemptAt: string | null;
  /** The endpoint's HTTP status, when it answered. */
  httpStatus: number | null;
  durationMs: number;
}

/** A claimed delivery with what sending it needs: its endpoint's URL, switch and sealed secret. */
export interface ClaimedWebhookDelivery extends WebhookDelivery {
  url: string;
  allowPrivate: boolean;
  secretSealed: string;
}

/**
 * Webhook endpoints and their deliveries. Deliveries are queued in the transaction of the event they report, and
 * claimed, renewed, re-queued and finished by the dispatchers with the outbox's lease discipline.
 */
export interface WebhookRepository {
  createWebhookEndpoint(fields: WebhookEndpointFields, secretSealed: string, at: string): Promise<WebhookEndpoint>;
  /** Undefined when there is no such endpoint. `secretSealed` replaces the secret when given. */
  updateWebhookEndpoint(
    id: number,
    fields: Partial<WebhookEndpointFields>,
    secretSealed: string | undefined,
    at: string,
  ): Promise<WebhookEndpoint | undefined>;
  deleteWebhookEndpoint(id: number): Promise<boolean>;
  findWebhookEndpoint(id: number): Promise<WebhookEndpoint | undefined>;
  listWebhookEndpoints(): Promise<readonly WebhookEndpoint[]>;
  /** Every endpoint's sealed signing secret, by id (for `parley doctor`'s key check; never returned by the API). */
  webhookEndpointSecrets(): Promise<{ id: number; secretSealed: string }[]>;
  /** The active endpoints that take `event`. */
  webhookEndpointsFor(event: WebhookEvent): Promise<WebhookEndpoint[]>;
  /** Queues deliveries and wakes the dispatchers once committed; returns their ids. */
  queueWebhookDeliveries(deliveries: readonly NewWebhookDelivery[], at: string): Promise<number[]>;
  findWebhookDelivery(id: number): Promise<(WebhookDelivery & { attempts: WebhookAttempt[] }) | undefined>;
  listWebhookDeliveries(
    filter: { endpointId?: number; status?: WebhookDeliveryStatus },
    page: PageRequest,
  ): Promise<Page<WebhookDelivery>>;
  /** Claims due deliveries (queued or deferred, next attempt reached) of active endpoints for one dispatcher. */
  claimWebhookDeliveries(claim: WebhookClaim): Promise<ClaimedWebhookDelivery[]>;
  /** Deliveries whose claim expired (their dispatcher died mid-send) become due again; returns their ids. */
  requeueExpiredWebhookClaims(now: string): Promise<number[]>;
  /** When the first claim still held ends, or null when none is held. */
  earliestWebhookClaimExpiry(): Promise<string | null>;
  /** Extends a dispatcher's claims that are still its own; returns their ids. */
  renewWebhookClaims(token: string, leaseUntil: string): Promise<number[]>;
  /** Records attempts and new states atomically, each only while its claim is still this dispatcher's. */
  finishWebhookAttempts(
    claimToken: string,
    outcomes: readonly { id: number; outcome: WebhookOutcome }[],
  ): Promise<number[]>;
  /**
   * Erasure: removes the deliveries (and their attempts), sent or not, about the erased person's tickets, those of the
   * messages they wrote elsewhere (a copied ticket's) and of `messageIds` (others' messages quoting their mail), those
   * about `inboundMailIds` (their mail erased: `inbound.held`), and every one whose body names one of their
   * `addresses` (on any ticket or none: a held mail of theirs, a mail to them); returns how many.
   */
  eraseWebhookDeliveriesOf(of: {
    ticketIds: readonly number[];
    authorId: number;
    addresses: readonly string[];
    messageIds?: readonly number[];
    inboundMailIds?: readonly number[];
  }): Promise<number>;
  /** "Send again": a delivery not being sent is due now, its backoff started again (same event id). */
  resendWebhookDelivery(id: number, at: string): Promise<WebhookDelivery | undefined>;
}
