import { Gauge, type Registry } from 'prom-client';
import type { Storage } from '../../../ports/storage.ts';
import type { Clock } from '../../../ports/clock.ts';

/** What the backlog gauges read: one cheap query each, at every scrape. */
export interface BacklogSource {
  outbox: Pick<Storage['outbox'], 'oldestWaitingOutboxAt' | 'firstDueOutboxAt'>;
  inbound: Pick<Storage['inbound'], 'countHeldInboundMail'>;
}

/**
 * The backlog an operator alerts on, read from the database at each scrape (so every instance reports the same
 * figures): how long the oldest mail still waiting to be sent has waited (a mail the relay keeps deferring), how long
 * the mail due longest has been due (no dispatcher sends: a live one takes due mail within seconds), and how many
 * inbound mails wait for a reviewer. The counts of mail by state are `parley_outbox_entries{status}`.
 */
export function registerBacklogGauges(registry: Registry, storage: BacklogSource, clock: Clock): void {
  new Gauge({
    name: 'parley_outbox_oldest_queued_age_seconds',
    help: 'Seconds since the oldest mail still waiting to be sent (queued or deferred) was queued; 0 when none waits',
    registers: [registry],
    async collect() {
      const at = await storage.outbox.oldestWaitingOutboxAt();
      this.set(at === null ? 0 : Math.max(0, (clock.now().getTime() - Date.parse(at)) / 1000));
    },
  });
  new Gauge({
    name: 'parley_outbox_oldest_due_age_seconds',
    help: 'Seconds since the mail due longest (queued, or deferred until then) became due; 0 when none is overdue',
    registers: [registry],
    async collect() {
      const at = await storage.outbox.firstDueOutboxAt();
      this.set(at === null ? 0 : Math.max(0, (clock.now().getTime() - Date.parse(at)) / 1000));
    },
  });
  new Gauge({
    name: 'parley_inbound_held',
    help: 'Inbound mails held for review',
    registers: [registry],
    async collect() {
      this.set(await storage.inbound.countHeldInboundMail());
    },
  });
}
