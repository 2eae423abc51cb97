import { sql, type Kysely } from 'kysely';
import type { ActivityListeners, PresenceSignal } from '../../../ports/storage/activity.ts';
import type { Database } from '../sql/schema.ts';
import type { SqlSignals } from '../sql/sql-dialect.ts';

/**
 * LISTEN on `channel`; `listener` hears each payload, and '' whenever the connection is (re)opened; `lost` is told when
 * the connection drops (it is re-opened a second later).
 */
export type Listen = (
  channel:
    | 'parley_outbox'
    | 'parley_outbox_withdrawn'
    | 'parley_webhook'
    | 'parley_ticket'
    | 'parley_presence'
    | 'parley_cache',
  listener: (payload: string) => void,
  lost?: () => void,
) => Promise<() => Promise<void>>;

/**
 * PostgreSQL: processes LISTEN to the channels they need (a dispatcher standing by, only to withdrawn work), and write
 * NOTIFY in their own statement or transaction (delivered at commit), so every listener hears every signal of its
 * channels and nothing is left to deliver after a commit.
 */
export class NotifySignals implements SqlSignals {
  readonly signalsStayInProcess = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly listen: Listen,
  ) {}

  deliver(): void {}

  onOutboxSignal(listener: () => void) {
    return this.listen('parley_outbox', () => listener());
  }

  /** Also on every (re)opening of the connection: a withdrawal sent meanwhile is not replayed, a renewal is cheap. */
  onOutboxWithdrawn(listener: () => void) {
    return this.listen('parley_outbox_withdrawn', () => listener());
  }

  onWebhookSignal(listener: () => void) {
    return this.listen('parley_webhook', () => listener());
  }

  onTicketActivity(listener: (ticketIds: number[], staffOnly: boolean) => void, also: ActivityListeners = {}) {
    return this.listen('parley_ticket', (payload) => {
      if (payload === '') return also.missed?.(); // (re)connected: what was signalled meanwhile is not replayed
      if (payload.startsWith('i')) {
        const ticketId = Number(payload.slice(1));
        return also.inbound?.(payload.length > 1 && Number.isInteger(ticketId) ? ticketId : null);
      }
      const everyone: number[] = [];
      const staff: number[] = [];
      for (const item of payload.split(',')) {
        const id = Number(item.startsWith('s') ? item.slice(1) : item);
        if (item && Number.isInteger(id)) (item.startsWith('s') ? staff : everyone).push(id);
      }
      if (everyone.length > 0) listener(everyone, false);
      if (staff.length > 0) listener(staff, true);
    });
  }

  async signalInbound(ticketId: number | null = null) {
    await sql`select pg_notify('parley_ticket', ${ticketId === null ? 'i' : `i${ticketId}`})`.execute(this.kysely);
  }

  /** Every process heard it already. */
  relayTicketActivity(): void {}

  async signalPresence(signal: PresenceSignal) {
    await sql`select pg_notify('parley_presence', ${JSON.stringify(signal)})`.execute(this.kysely);
  }

  /** A payload that is not a presence report (the '' of a re-opened connection) is ignored: reports are refreshed. */
  onPresence(listener: (signal: PresenceSignal) => void) {
    return this.listen('parley_presence', (payload) => {
      const signal = parsePresence(payload);
      if (signal) listener(signal);
    });
  }
}

function parsePresence(payload: string): PresenceSignal | null {
  if (payload === '') return null;
  try {
    const s = JSON.parse(payload) as Partial<PresenceSignal>;
    const valid =
      Number.isInteger(s.ticketNumber) &&
      Number.isInteger(s.userId) &&
      typeof s.name === 'string' &&
      typeof s.tab === 'string' &&
      (s.state === 'viewing' || s.state === 'typing' || s.state === 'left') &&
      typeof s.expiresAt === 'string';
    return valid ? (s as PresenceSignal) : null;
  } catch {
    return null;
  }
}
