import { ClaimExpiryWatch } from './claim-expiry-watch.ts';
import { ClaimWithdrawals } from './claim-withdrawals.ts';
import { WakeableWait } from './wakeable-wait.ts';
import {
  dispatchBatch,
  type BatchResult,
  type DispatchDeps,
  type DispatchPolicy,
} from '../../domain/notifications/dispatch-outbox.ts';
import type { Leadership } from '../../ports/storage.ts';

/**
 * After a signal that follows a batch smaller than a full one, how long to let more mail arrive before claiming: under
 * load the batches fill instead of each message being claimed alone. A mail waits this much longer; nobody reading
 * mail notices.
 */
export const COALESCE_MS = 20;
/**
 * How often a batch started by a signal (or right after a full one) also re-queues expired claims. A batch started by
 * the timer always does: the timer is what wakes a dispatcher once a claim's lease has run out.
 */
export const REQUEUE_EVERY_MS = 1000;
/**
 * How often a standing-by dispatcher asks whether it may lead, and how often it looks for due mail all the same (it
 * also looks just after a claim held by anyone ends, as a leader does, whether the holder died or stalls).
 */
export const LEAD_CHECK_MS = 1000;
export const STANDBY_LOOK_MS = 10_000;

export interface DispatcherOptions {
  /** How often to look for due mail when no signal came (deferred mail, signals lost). */
  pollMs: number;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  onBatch?: (result: BatchResult) => void;
  /** The wait before claiming after a signal (default `COALESCE_MS`; 0: claim at once). */
  coalesceMs?: number;
  /**
   * Whether this dispatcher leads those sharing the database (`Storage.dispatchLeadership`); without it, it always
   * does. Standing by, it hears no signals: it asks to lead every `LEAD_CHECK_MS`, looks just after the first claim
   * held by anyone ends, and looks for due mail every `standbyLookMs` (a leader that stalls without dying still has
   * its mail sent).
   */
  leadership?: Leadership;
  /** How often a dispatcher standing by looks for mail (default `STANDBY_LOOK_MS`). */
  standbyLookMs?: number;
}

/**
 * Runs `dispatchBatch` in a loop: at once when a new mail is signalled, otherwise every `pollMs`, or sooner when a
 * claim held by any dispatcher ends before then (a dead dispatcher's mail is re-queued the moment its lease runs out).
 * One batch at a time per dispatcher; several dispatchers (processes) may share a PostgreSQL database, where one
 * leads and the others stand by (one dispatcher woken per mail, its batches whole).
 *
 * While a batch runs (a slow SMTP server may keep it for minutes), a timer of its own looks just after the first claim
 * held by anyone ends, as the loop does between batches: it re-queues the claims that expired (a dead dispatcher's)
 * and sends as many mails in a batch beside the running one (one such batch at a time), so a dead peer's mail waits
 * for a lease, not for the survivor's batch to end. Leading or standing by alike: a dispatcher standing by runs
 * batches at its looks only, and the leader that dies may be the peer whose mail is waiting.
 */
export class OutboxDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waits = new WakeableWait();
  private kicked = false;
  /** When this dispatcher last re-queued expired claims (its clock, ms). */
  private requeuedAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Withdrawn mail, heard by the batch in flight (its claims renewed at once). */
  private readonly withdrawals: ClaimWithdrawals;
  private leading = false;
  /** When this dispatcher, standing by, last looked for mail (performance.now()). */
  private standbyLookAt = Number.NEGATIVE_INFINITY;
  /** When the first claim held by anyone ends; takes over what expired while a batch runs. */
  private readonly expiries: ClaimExpiryWatch;

  constructor(
    private readonly deps: DispatchDeps,
    private readonly policy: DispatchPolicy,
    private readonly options: DispatcherOptions,
  ) {
    this.withdrawals = new ClaimWithdrawals(deps.storage, options.log, 'mail');
    this.expiries = new ClaimExpiryWatch({
      earliestExpiry: () => deps.storage.outbox.earliestClaimExpiry(),
      now: () => deps.clock.now().getTime(),
      pollMs: options.pollMs,
      takeOver: () => this.takeOver(),
      running: () => this.running,
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.follow();
    this.loop = this.run();
  }

  /**
   * Leads if it may (or still does): hears the signals while it leads, none while it stands by (but for withdrawn mail,
   * which it hears whether it leads or not). A leader that cannot listen (logged) still leads, and looks every
   * `pollMs` until it can; listening is tried again at each look.
   */
  private async follow(): Promise<void> {
    // Leading or not: a batch in flight (a dispatcher that stopped leading finishes its own) hears it.
    await this.withdrawals.listen();
    const leads = this.options.leadership ? await this.options.leadership.lead() : true;
    if (leads !== this.leading && this.options.leadership)
      this.options.log.info({ leads }, leads ? 'leading the outbox dispatchers' : 'standing by for the outbox');
    this.leading = leads;
    try {
      if (leads && !this.unsubscribe) {
        this.unsubscribe = await this.deps.storage.onOutboxSignal(() => this.kick());
      } else if (!leads && this.unsubscribe) {
        const unsubscribe = this.unsubscribe;
        this.unsubscribe = undefined;
        await unsubscribe();
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'could not listen for new mail; looking at every poll meanwhile');
    }
  }

  /**
   * Mail this dispatcher may be sending was taken back (cancelled, or changed and queued again): the batch in flight
   * renews its claims now, and leaves alone what it no longer holds instead of sending its copy.
   */
  withdrawn(): void {
    this.withdrawals.heard();
  }

  /** New mail may be due: look now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.waits.wake();
  }

  private async run() {
    let full = false;
    let byTimer = true; // the first look re-queues too
    const coalesceMs = this.options.coalesceMs ?? COALESCE_MS;
    while (this.running) {
      if (this.kicked && !full && coalesceMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, coalesceMs));
        if (!this.running) break; // stopped meanwhile: no new batch
      }
      this.kicked = false;
      const more = full;
      full = false;
      await this.follow();
      if (!this.running) break; // stopped while it asked: no new batch
      const standbyLookMs = this.options.standbyLookMs ?? STANDBY_LOOK_MS;
      const claimEnded = this.expiries.ended();
      if (this.leading || more || claimEnded || performance.now() - this.standbyLookAt >= standbyLookMs) {
        if (!this.leading) this.standbyLookAt = performance.now();
        const now = this.deps.clock.now().getTime();
        const requeue = byTimer || now - this.requeuedAt >= REQUEUE_EVERY_MS || now < this.requeuedAt;
        if (requeue) this.requeuedAt = now;
        try {
          const unwatch = this.expiries.during();
          const result = await dispatchBatch(this.deps, this.policy, {
            requeue,
            onWithdrawn: this.withdrawals.onWithdrawn,
          }).finally(unwatch);
          this.options.onBatch?.(result);
          full = result.claimed >= this.policy.batchSize;
          if (result.claimed > 0 || result.requeued > 0) this.options.log.info({ ...result }, 'outbox batch');
        } catch (error) {
          this.options.log.error({ err: error }, 'outbox batch failed; retrying at the next poll');
        }
      }
      byTimer = false;
      if (!this.running || full || this.kicked) continue;
      const untilLook = await this.expiries.untilNextLook();
      const wait = this.leading ? untilLook : Math.min(untilLook, LEAD_CHECK_MS);
      if (!this.running || this.kicked) continue;
      byTimer = await this.waits.wait(wait);
    }
  }

  /** Re-queues expired claims and sends as many mails, beside the batch that runs. */
  private async takeOver(): Promise<void> {
    try {
      const result = await dispatchBatch(this.deps, this.policy, {
        onWithdrawn: this.withdrawals.onWithdrawn,
        takeOver: true,
      });
      if (result.requeued === 0) return;
      this.options.onBatch?.(result);
      this.options.log.info({ ...result, takeOver: true }, 'outbox batch');
    } catch (error) {
      this.options.log.error({ err: error }, 'taking over expired outbox claims failed; retrying at the next look');
    }
  }

  /** Finishes the batch in flight (and the one taking over expired claims beside it), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.waits.wake();
    await this.loop;
    await this.expiries.settled();
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.withdrawals.close();
    await this.options.leadership?.close();
  }
}
