import { ClaimExpiryWatch } from './claim-expiry-watch.ts';
import { ClaimWithdrawals } from './claim-withdrawals.ts';
import { WakeableWait } from './wakeable-wait.ts';
import type { DispatchPolicy } from '../../domain/notifications/dispatch-outbox.ts';
import {
  dispatchWebhookBatch,
  type WebhookBatchResult,
  type WebhookDispatchDeps,
} from '../../domain/webhooks/dispatch-webhooks.ts';

export interface WebhookDispatcherOptions {
  pollMs: number;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  onBatch?: (result: WebhookBatchResult) => void;
}

/**
 * Runs `dispatchWebhookBatch` in a loop beside the outbox dispatcher (`parley dispatch`, or inline in `serve`): at once
 * when deliveries are signalled (the webhooks' own signal: a message posted without hooks does not wake it), otherwise
 * every `pollMs`, or sooner when a claim held by any dispatcher ends before then. While a batch runs (a slow endpoint
 * may keep it for minutes), a timer of its own looks just after the first claim held by anyone ends, as the loop
 * does between batches: it re-queues the claims that expired (a dead dispatcher's) and posts as many deliveries in a
 * batch beside the running one (one such batch at a time), so a dead peer's deliveries wait for a lease, not for the
 * survivor's batch to end.
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waits = new WakeableWait();
  private kicked = false;
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Deliveries an erasure deleted, heard by the batch in flight (its claims renewed at once). */
  private readonly withdrawals: ClaimWithdrawals;
  /** Its start under way, which `stop()` waits for: a dispatcher stopped while it started leaves nothing listening. */
  private starting: Promise<void> | undefined;
  /** When the first claim held by anyone ends; takes over what expired while a batch runs. */
  private readonly expiries: ClaimExpiryWatch;

  constructor(
    private readonly deps: WebhookDispatchDeps,
    private readonly policy: DispatchPolicy,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.withdrawals = new ClaimWithdrawals(deps.storage, options.log, 'webhook deliveries');
    this.expiries = new ClaimExpiryWatch({
      earliestExpiry: () => deps.storage.webhooks.earliestWebhookClaimExpiry(),
      now: () => deps.clock.now().getTime(),
      pollMs: options.pollMs,
      takeOver: () => this.takeOver(),
      running: () => this.running,
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.starting = this.begin();
    await this.starting;
  }

  private async begin(): Promise<void> {
    const unsubscribe = await this.deps.storage.onWebhookSignal(() => this.kick());
    if (this.running) await this.withdrawals.listen();
    if (!this.running) {
      await unsubscribe();
      await this.withdrawals.close();
      return;
    }
    this.unsubscribe = unsubscribe;
    this.loop = this.run();
  }

  /** Deliveries this dispatcher may be posting were deleted (an erasure): the batch in flight renews its claims now. */
  withdrawn(): void {
    this.withdrawals.heard();
  }

  kick(): void {
    this.kicked = true;
    this.waits.wake();
  }

  private async run() {
    while (this.running) {
      this.kicked = false;
      let full = false;
      try {
        await this.withdrawals.listen(); // tried again before each batch until it works
        if (!this.running) break;
        const unwatch = this.expiries.during();
        const result = await dispatchWebhookBatch(this.deps, this.policy, {
          onWithdrawn: this.withdrawals.onWithdrawn,
        }).finally(unwatch);
        this.options.onBatch?.(result);
        full = result.claimed >= this.policy.batchSize;
        if (result.claimed > 0 || result.requeued > 0) this.options.log.info({ ...result }, 'webhook batch');
      } catch (error) {
        this.options.log.error({ err: error }, 'webhook batch failed; retrying at the next poll');
      }
      if (!this.running || full || this.kicked) continue;
      const wait = await this.expiries.untilNextLook();
      if (!this.running || this.kicked) continue;
      await this.waits.wait(wait);
    }
  }

  /** Re-queues expired claims and posts as many deliveries, beside the batch that runs. */
  private async takeOver(): Promise<void> {
    try {
      const result = await dispatchWebhookBatch(this.deps, this.policy, {
        onWithdrawn: this.withdrawals.onWithdrawn,
        takeOver: true,
      });
      if (result.requeued === 0) return;
      this.options.onBatch?.(result);
      this.options.log.info({ ...result, takeOver: true }, 'webhook batch');
    } catch (error) {
      this.options.log.error({ err: error }, 'taking over expired webhook claims failed; retrying at the next look');
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.starting?.catch(() => {}); // a start that failed has its own caller to tell
    this.waits.wake();
    await this.loop;
    await this.expiries.settled();
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.withdrawals.close();
  }
}
