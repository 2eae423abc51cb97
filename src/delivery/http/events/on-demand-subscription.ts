/** Ends a subscription. */
type Unsubscribe = () => Promise<void>;

/**
 * A subscription held only while someone needs it. The first `hold()` subscribes and every `hold()` resolves once the
 * subscription is in place; the subscription ends `lingerMs` after the last holder's `release()`, unless someone
 * holds it again meanwhile (a page reloading keeps it). A failed subscription is tried again by the next `hold()`.
 *
 * Live updates use it for ticket activity: an instance with no open page does not hear every other instance's
 * posts (on PostgreSQL a NOTIFY woke every instance for each message, about 0.15 ms of its HTTP thread each).
 */
export class OnDemandSubscription {
  private holders = 0;
  private active: Promise<Unsubscribe> | undefined;
  private linger: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly subscribe: () => Promise<Unsubscribe>,
    private readonly lingerMs: number,
    /** Told when ending a subscription after its linger failed (it is dropped all the same). */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Whether a subscription is in place or being made (for tests and metrics). */
  get subscribed(): boolean {
    return this.active !== undefined;
  }

  async hold(): Promise<void> {
    if (this.closed) throw new Error('The live updates are closed.');
    this.holders++;
    clearTimeout(this.linger);
    this.linger = undefined;
    const active = (this.active ??= this.subscribe());
    try {
      await active;
    } catch (error) {
      this.holders--;
      if (this.active === active) this.active = undefined;
      throw error;
    }
  }

  release(): void {
    if (--this.holders > 0 || this.closed) return;
    this.linger = setTimeout(() => void this.end().catch(this.onError), this.lingerMs);
    this.linger.unref();
  }

  /** Ends the subscription now, whoever holds it; later holds fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.linger);
    await this.end();
  }

  private async end(): Promise<void> {
    this.linger = undefined;
    const active = this.active;
    this.active = undefined;
    const unsubscribe = await active?.catch(() => undefined);
    await unsubscribe?.();
  }
}
