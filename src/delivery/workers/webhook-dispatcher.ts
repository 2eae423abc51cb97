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
 * every `pollMs`, or sooner when a claim held by any dispatcher ends before then.
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
        const result = await dispatchWebhookBatch(this.deps, this.policy, {
          onWithdrawn: this.withdrawals.onWithdrawn,
        });
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

  private async untilNextLook(): Promise<number> {
    try {
      const expiry = await this.deps.storage.webhooks.earliestWebhookClaimExpiry();
      if (expiry === null) return this.options.pollMs;
      const ms = new Date(expiry).getTime() - this.deps.clock.now().getTime() + PAST_EXPIRY_MS;
      return Math.min(this.options.pollMs, Math.max(MIN_WAIT_MS, ms));
    } catch {
      return this.options.pollMs;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.starting?.catch(() => {}); // a start that failed has its own caller to tell
    this.wake?.();
    await this.loop;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.withdrawals.close();
  }
}
