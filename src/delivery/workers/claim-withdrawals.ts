import type { Storage } from '../../ports/storage.ts';
import type { OnWithdrawn } from '../../domain/notifications/withdrawals-heard.ts';

/**
 * What a dispatcher hears of work taken back while its batch may hold it (`Storage.onOutboxWithdrawn`: an erasure
 * cancelled mail or deleted webhook deliveries): each batch in flight registers the renewal of its claims
 * (`onWithdrawn`), and a withdrawal renews them all at once. Listening that fails is logged and tried again at the next
 * `listen()`; meanwhile claims are renewed on their timer only.
 */
export class ClaimWithdrawals {
  private unhear: (() => Promise<void>) | undefined;
  private readonly renewals = new Set<() => void>();

  constructor(
    private readonly storage: Pick<Storage, 'onOutboxWithdrawn'>,
    private readonly log: { error(obj: object, msg: string): void },
    /** What the dispatcher sends, for its log line: "mail", "webhook deliveries". */
    private readonly what: string,
  ) {}

  async listen(): Promise<void> {
    if (this.unhear) return;
    try {
      this.unhear = await this.storage.onOutboxWithdrawn(() => this.heard());
    } catch (error) {
      this.log.error({ err: error }, `could not listen for withdrawn ${this.what}; claims are renewed on their timer`);
    }
  }

  /** Work was taken back: every batch in flight renews its claims now. */
  heard(): void {
    for (const renew of this.renewals) renew();
  }

  /** Passed to a batch, which registers its renewal while it runs. */
  readonly onWithdrawn: OnWithdrawn = (renew) => {
    this.renewals.add(renew);
    return () => this.renewals.delete(renew);
  };

  async close(): Promise<void> {
    const unhear = this.unhear;
    this.unhear = undefined;
    await unhear?.();
  }
}
