import type { OutboxOutcome, Storage } from '../../ports/storage.ts';

/**
 * Group commit of attempt outcomes. An outcome is written in the next turn of the event loop together with every
 * other outcome that arrived in the same turn, or while the previous write was running: one transaction for what
 * the pooled connections finished at about the same time, instead of one per mail. Nothing waits on a timer, so
 * the mails whose outcome is not yet written are only those finishing at this moment, as with a write per mail; a
 * crash re-sends at most those (with the same Message-ID).
 *
 * A write that fails (database unreachable) fails its outcomes' promises and stops the batch from sending more:
 * those mails keep their claims, which expire and re-queue them.
 */
export class OutcomeRecorder {
  private pending: {
    id: number;
    outcome: OutboxOutcome;
    done: (recorded: boolean) => void;
    fail: (error: unknown) => void;
  }[] = [];
  private writing = false;
  failed = false;

  constructor(
    private readonly storage: Storage,
    private readonly claimToken: string,
  ) {}

  record(id: number, outcome: OutboxOutcome): Promise<boolean> {
    return new Promise((done, fail) => {
      this.pending.push({ id, outcome, done, fail });
      if (this.pending.length === 1 && !this.writing) setImmediate(() => void this.write());
    });
  }

  private async write(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    this.writing = true;
    try {
      const recorded = new Set(await this.storage.outbox.finishOutboxAttempts(this.claimToken, group));
      for (const item of group) item.done(recorded.has(item.id));
    } catch (error) {
      this.failed = true;
      for (const item of group) item.fail(error);
    } finally {
      this.writing = false;
      if (this.pending.length > 0) void this.write();
    }
  }
}
