/** How long after a claim's end a dispatcher looks, and the shortest wait between two looks. */
const PAST_EXPIRY_MS = 50;
const MIN_WAIT_MS = 100;

export interface ClaimExpirySource {
  /** When the first claim held by any dispatcher ends (ISO), or null when none is held. */
  earliestExpiry(): Promise<string | null>;
  /** This process's clock, ms. */
  now(): number;
  /** The longest wait between two looks. */
  pollMs: number;
  /** Re-queues the claims that expired and works on as many, beside the batch that runs; never throws. */
  takeOver(): Promise<void>;
  /** Whether the dispatcher still runs (a stopped one takes nothing over). */
  running(): boolean;
}

/**
 * When the first claim held by any dispatcher ends, for the outbox's and the webhooks' dispatchers alike: the loop
 * waits just past it between batches, and while a batch runs (a slow server may keep it for minutes) `during` looks at
 * that moment itself and takes over what expired (a dead dispatcher's work) beside the running batch, one such
 * take-over at a time, so a dead peer's work waits for a lease, not for the survivor's batch to end.
 */
export class ClaimExpiryWatch {
  /** When the first claim held by anyone ends (its clock, ms, just past it), as last read; null: none held. */
  private endsAt: number | null = null;
  /** The take-over running beside the batch, if any. */
  private takingOver: Promise<void> | undefined;

  constructor(private readonly source: ClaimExpirySource) {}

  /** Whether the first claim read as held has ended by now. */
  ended(): boolean {
    return this.endsAt !== null && this.source.now() >= this.endsAt;
  }

  /** Reads when the first claim held by anyone ends, and returns the wait until just past it (`untilClaimEnds`). */
  async untilNextLook(): Promise<number> {
    try {
      const expiry = await this.source.earliestExpiry();
      this.endsAt = expiry === null ? null : new Date(expiry).getTime() + PAST_EXPIRY_MS;
    } catch {
      this.endsAt = null; // the database is unreachable: the next batch says so
    }
    return this.untilClaimEnds();
  }

  /**
   * The poll interval, or less when the first claim still held (as last read) ends sooner: just past it, since a claim
   * is re-queued once its lease is strictly past. At least `MIN_WAIT_MS`, so clocks that disagree cannot make it spin.
   */
  untilClaimEnds(): number {
    if (this.endsAt === null) return this.source.pollMs;
    const ms = this.endsAt - this.source.now();
    return Math.min(this.source.pollMs, Math.max(MIN_WAIT_MS, ms));
  }

  /**
   * While a batch runs: wakes just after the first claim held by anyone ends (at the latest every `pollMs`) and takes
   * over what expired. Returns what stops it, once the batch is over (the loop looks for itself then).
   */
  during(): () => void {
    let watching = true;
    let timer: NodeJS.Timeout | undefined;
    const wake = async () => {
      if (!watching || !this.source.running()) return;
      this.takingOver ??= this.source.takeOver().finally(() => (this.takingOver = undefined));
      await this.takingOver;
      if (!watching) return;
      const wait = await this.untilNextLook();
      if (watching && this.source.running()) timer = setTimeout(() => void wake(), wait);
    };
    // First by the end read before this batch (so a short batch reads nothing more), then by a read at each look.
    timer = setTimeout(() => void wake(), this.untilClaimEnds());
    return () => {
      watching = false;
      clearTimeout(timer);
    };
  }

  /** The take-over in flight, if any, once it is over (a dispatcher that stops waits for it). */
  async settled(): Promise<void> {
    await this.takingOver;
  }
}
