import type { Clock } from '../../ports/clock.ts';
import type { SecretBox } from '../../ports/secret-box.ts';
import type { ClaimedWebhookDelivery, Storage, WebhookOutcome } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import { WebhookNotSent, WebhookWithdrawn, type WebhookSender } from '../../ports/webhook-sender.ts';
import { WEBHOOK_SENTENCES } from './webhook-results.ts';
import { retryDelaySeconds, type DispatchPolicy } from '../notifications/dispatch-outbox.ts';
import { withdrawalsHeard, type OnWithdrawn } from '../notifications/withdrawals-heard.ts';

export interface WebhookDispatchDeps {
  storage: Pick<Storage, 'webhooks' | 'onWebhookSignal' | 'onOutboxWithdrawn'>;
  clock: Clock;
  secrets: SecretBox;
  tokens: Tokens;
  sender: WebhookSender;
  random?: () => number;
}

export interface WebhookBatchResult {
  claimed: number;
  delivered: number;
  deferred: number;
  failed: number;
  requeued: number;
}

/** What an answer makes of a delivery: 2xx delivered; 410 Gone failed at once; anything else tried again later. */
function outcomeOf(status: number): { status: 'delivered' | 'deferred' | 'failed'; reply: string } {
  if (status >= 200 && status < 300) return { status: 'delivered', reply: `HTTP ${status}` };
  if (status === 410) return { status: 'failed', reply: 'HTTP 410: the endpoint is gone; not tried again.' };
  return { status: 'deferred', reply: `HTTP ${status}` };
}

type AttemptResult = { status: 'delivered' | 'deferred' | 'failed'; reply: string; httpStatus: number | null };

/**
 * One attempt, timed by the clock: what the endpoint answered (its status) or why it could not; null when the delivery
 * was no longer held as its request was about to go (nothing posted, nothing to record).
 */
async function timedAttempt(deps: WebhookDispatchDeps, d: ClaimedWebhookDelivery, stillWanted: () => boolean) {
  const started = deps.clock.now().getTime();
  const result = await attempt(deps, d, stillWanted);
  return result && { ...result, durationMs: Math.max(0, deps.clock.now().getTime() - started) };
}

async function attempt(
  deps: WebhookDispatchDeps,
  d: ClaimedWebhookDelivery,
  stillWanted: () => boolean,
): Promise<AttemptResult | null> {
  let secret: string;
  try {
    secret = deps.secrets.open(d.secretSealed);
  } catch {
    return {
      status: 'deferred',
      reply: WEBHOOK_SENTENCES.SECRET_UNREADABLE,
      httpStatus: null,
    };
  }
  try {
    const reply = await deps.sender.post({
      url: d.url,
      allowPrivate: d.allowPrivate,
      eventId: d.eventId,
      event: d.event,
      body: d.body,
      secret,
      timestamp: Math.floor(deps.clock.now().getTime() / 1000),
      stillWanted,
    });
    const outcome = outcomeOf(reply.status);
    const text = reply.text.replace(/\s+/g, ' ').trim();
    return { ...outcome, reply: text ? `${outcome.reply}: ${text}` : outcome.reply, httpStatus: reply.status };
  } catch (error) {
    if (error instanceof WebhookWithdrawn) return null;
    if (error instanceof WebhookNotSent)
      return { status: error.permanent ? 'failed' : 'deferred', reply: error.message, httpStatus: null };
    return { status: 'deferred', reply: WEBHOOK_SENTENCES.UNEXPECTED, httpStatus: null };
  }
}

/**
 * One round of the webhook dispatcher, with the outbox's discipline: re-queue expired claims, claim a batch with a
 * lease renewed every third of it, post each delivery (signed with the endpoint's secret, the same event id on
 * every attempt) and record the attempt while the claim is still this dispatcher's. Delivery is at least once: a
 * dispatcher killed after the endpoint answered, before its outcome was recorded, leaves the delivery to be posted
 * again once its lease ends, and the receiver de-duplicates it by its event id. Deferred deliveries come back after
 * a doubling delay with jitter, and fail after the give-up time. Deliveries an erasure deleted (`onWithdrawn`) are
 * found gone by a renewal at once, and not posted.
 */
export async function dispatchWebhookBatch(
  deps: WebhookDispatchDeps,
  policy: DispatchPolicy,
  options: {
    onWithdrawn?: OnWithdrawn;
    /**
     * Taking over a dead dispatcher's work beside a batch still running: claims only the deliveries whose expired
     * claims it re-queued (none when none were), not older deliveries due before them: it holds what the dead one held,
     * as much as another dispatcher did not claim first, and no more.
     */
    takeOver?: boolean;
  } = {},
): Promise<WebhookBatchResult> {
  const withdrawals = withdrawalsHeard(options.onWithdrawn);
  try {
    return await claimAndPost(deps, policy, options.takeOver === true, withdrawals.attach);
  } finally {
    withdrawals.stop();
  }
}

async function claimAndPost(
  deps: WebhookDispatchDeps,
  policy: DispatchPolicy,
  takeOver: boolean,
  hear: (renew: () => void) => void,
): Promise<WebhookBatchResult> {
  const random = deps.random ?? Math.random;
  const started = deps.clock.now();
  const requeuedIds = await deps.storage.webhooks.requeueExpiredWebhookClaims(started.toISOString());
  const requeued = requeuedIds.length;
  const none: WebhookBatchResult = { claimed: 0, delivered: 0, deferred: 0, failed: 0, requeued };
  if (takeOver && requeued === 0) return none;
  const token = deps.tokens.random(12);
  const leaseMs = policy.leaseSeconds * 1000;
  const claimed = await deps.storage.webhooks.claimWebhookDeliveries({
    now: started.toISOString(),
    leaseUntil: new Date(started.getTime() + leaseMs).toISOString(),
    token,
    // A take-over claims every delivery it re-queued, were it more than a batch (see dispatchBatch).
    ...(takeOver ? { ids: requeuedIds, limit: Math.max(policy.batchSize, requeued) } : { limit: policy.batchSize }),
  });
  const result: WebhookBatchResult = { ...none, claimed: claimed.length };
  if (claimed.length === 0) return result;

  const held = new Set(claimed.map((d) => d.id));
  let heldUntil = started.getTime() + leaseMs;
  const renew = async () => {
    const at = deps.clock.now().getTime();
    const still = new Set(await deps.storage.webhooks.renewWebhookClaims(token, new Date(at + leaseMs).toISOString()));
    for (const id of held) if (!still.has(id)) held.delete(id);
    heldUntil = at + leaseMs;
  };
  const renewal = setInterval(() => void renew().catch(() => {}), Math.max(100, leaseMs / 3));
  hear(() => void renew().catch(() => {}));
  // A delivery is posted only while its claim has a third of the lease left.
  const stillHeld = (id: number) => held.has(id) && deps.clock.now().getTime() < heldUntil - leaseMs / 3;
  try {
    let next = 0;
    const work = async () => {
      while (next < claimed.length) {
        const d = claimed[next++]!;
        if (!stillHeld(d.id)) continue;
        const attempted = await timedAttempt(deps, d, () => stillHeld(d.id));
        if (attempted === null) continue;
        let outcome = attempted;
        const now = deps.clock.now();
        let nextAttemptAt: string | null = null;
        if (outcome.status === 'deferred') {
          const ageHours = (now.getTime() - new Date(d.attemptsSince).getTime()) / 3_600_000;
          if (ageHours >= policy.giveUpHours)
            outcome = {
              ...outcome,
              status: 'failed',
              reply: `Not delivered after ${policy.giveUpHours} hours; the last answer: ${outcome.reply}`,
            };
          else
            nextAttemptAt = new Date(
              now.getTime() + retryDelaySeconds(policy, d.attemptCount + 1, random) * 1000,
            ).toISOString();
        }
        const recorded: WebhookOutcome = { ...outcome, at: now.toISOString(), nextAttemptAt };
        const done = await deps.storage.webhooks.finishWebhookAttempts(token, [{ id: d.id, outcome: recorded }]);
        if (done.length > 0) result[outcome.status]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(policy.concurrency, claimed.length) }, work));
  } finally {
    clearInterval(renewal);
  }
  return result;
}
