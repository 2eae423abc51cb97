import { ClaimWithdrawals } from './claim-withdrawals.ts';
import type { DispatchPolicy } from '../../domain/notifications/dispatch-outbox.ts';
import {
  dispatchWebhookBatch,
  type WebhookBatchResult,
  type WebhookDispatchDeps,
} from '../../domain/webhooks/dispatch-webhooks.ts';

const PAST_EXPIRY_MS = 50;
const MIN_WAIT_MS = 100;

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
  private wake: (() => void) | undefined;
  private kicked = false;
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Deliveries an erasure deleted, heard by the batch in flight (its claims renewed at once). */
  private readonly withdrawals: ClaimWithdrawals;
  /** Its start under way, which `stop()` waits for: a dispatcher stopped while it started leaves nothing listening. */
  private starting: Promise<void> | undefined;
  /** The batch taking over expired claims beside the running one, if any. */
  private takingOver: Promise<void> | undefined;
  /** When the first claim held by anyone ends (its clock, ms, just past it), as last read; null: none held. */
  private claimEndsAt: number | null = null;

  constructor(
    private readonly deps: WebhookDispatchDeps,
    private readonly policy: DispatchPolicy,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.withdrawals = new ClaimWithdrawals(deps.storage, options.log, 'webhook deliveries');
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
    this.wake?.();
  }

  private async run() {
    while (this.running) {
      this.kicked = false;
      let full = false;
      try {
        await this.withdrawals.listen(); // tried again before each batch until it works
        if (!this.running) break;
        const unwatch = this.watchExpiries();
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
      const wait = await this.untilNextLook();
      if (!this.running || this.kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * While a batch runs: wakes just after the first claim held by anyone ends (at the latest every `pollMs`) and takes
   * over what expired. Returns what stops it, once the batch is over (the loop looks for itself then).
   */
  private watchExpiries(): () => void {
    let watching = true;
    let timer: NodeJS.Timeout | undefined;
    const wake = async () => {
      if (!watching || !this.running) return;
      this.takingOver ??= this.takeOver().finally(() => (this.takingOver = undefined));
      await this.takingOver;
      if (!watching) return;
      const wait = await this.untilNextLook();
      if (watching && this.running) timer = setTimeout(() => void wake(), wait);
    };
    // First by the end read before this batch (so a short batch reads nothing more), then by a read at each look.
    timer = setTimeout(() => void wake(), this.untilClaimEnds());
    return () => {
      watching = false;
      clearTimeout(timer);
    };
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

  /** The first claim held by anyone ends (and the wait until just past it, at most `pollMs`), read now. */
  private async untilNextLook(): Promise<number> {
    try {
      const expiry = await this.deps.storage.webhooks.earliestWebhookClaimExpiry();
      this.claimEndsAt = expiry === null ? null : new Date(expiry).getTime() + PAST_EXPIRY_MS;
    } catch {
      this.claimEndsAt = null; // the database is unreachable: the next batch says so
    }
    return this.untilClaimEnds();
  }

  /** The wait until just past the end of the first claim as last read, at most `pollMs`, at least `MIN_WAIT_MS`. */
  private untilClaimEnds(): number {
    if (this.claimEndsAt === null) return this.options.pollMs;
    const ms = this.claimEndsAt - this.deps.clock.now().getTime();
    return Math.min(this.options.pollMs, Math.max(MIN_WAIT_MS, ms));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.starting?.catch(() => {}); // a start that failed has its own caller to tell
    this.wake?.();
    await this.loop;
    await this.takingOver;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.withdrawals.close();
  }
}
