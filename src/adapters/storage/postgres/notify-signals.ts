import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { ActivityListeners, PresenceSignal } from '../../../ports/storage/activity.ts';
import type { Database } from '../sql/schema.ts';
import { PREPARED_SQL_NAMES } from '../sql/sql-context.ts';
import type { Activity, SqlSignals } from '../sql/sql-dialect.ts';

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
 * The longest `parley_ticket` payload sent: PostgreSQL refuses 8000 bytes or more, and a transaction may touch
 * thousands of tickets (an erasure, the teamless tickets moved to a team).
 */
export const TICKET_PAYLOAD_MAX = 7900;

/**
 * The NOTIFYs of some activities, one per channel: ticket ids joined with commas, `s` before a staff-only one, in as
 * many `parley_ticket` notifications as keep each under `TICKET_PAYLOAD_MAX`.
 */
export function notificationsOf(activities: readonly Activity[]): { channels: string[]; payloads: string[] } {
  const channels = new Set<string>();
  const tickets = new Map<number, boolean>(); // id → staff only
  for (const a of activities) {
    if (a.kind === 'outbox') channels.add('parley_outbox');
    else if (a.kind === 'outbox-withdrawn') channels.add('parley_outbox_withdrawn');
    else if (a.kind === 'webhook') channels.add('parley_webhook');
    else tickets.set(a.ticketId, (tickets.get(a.ticketId) ?? true) && a.staffOnly);
  }
  const out = { channels: [...channels], payloads: [...channels].map(() => '') };
  let payload = '';
  for (const [id, staffOnly] of tickets) {
    const item = staffOnly ? `s${id}` : String(id);
    if (payload && payload.length + 1 + item.length > TICKET_PAYLOAD_MAX) {
      out.channels.push('parley_ticket');
      out.payloads.push(payload);
      payload = '';
    }
    payload = payload ? `${payload},${item}` : item;
  }
  if (payload) {
    out.channels.push('parley_ticket');
    out.payloads.push(payload);
  }
  return out;
}

/** How long a write's NOTIFYs wait to go out with those of the writes that follow it (ms). */
export const NOTIFY_GATHER_MS = 10;

/**
 * PostgreSQL: processes LISTEN to the channels they need (a dispatcher standing by, only to withdrawn work); a write's
 * NOTIFYs go out after it has committed, never inside its transaction, gathered with those of the other writes of the
 * next `gatherMs` into one statement that the write does not wait for.
 *
 * Why not inside: PostgreSQL makes every transaction that notifies take one lock of the whole database at its commit
 * and hold it until its commit is on disk, so NOTIFY inside each post made all posts commit one at a time, each
 * waiting for its own flush, and one slow flush held up every post behind it (seen as `Lock: object` waits in
 * `pg_stat_activity`, hundreds of ms, on a machine kept half busy). Now the writes never take that lock: only the
 * statements that send the gathered NOTIFYs do, each through its own commit's flush (a transaction that notifies is
 * given a transaction id, so even a notify-only commit is flushed), and they are few. Why gathered: one such statement
 * per write, awaited, cost a tenth of the inbound replies a second (session 23); gathered, a process starts at most
 * one for its writes every `gatherMs` however busy (a withdrawal, `flush` and the presence and inbound signals below
 * go on their own, as they come; a send is not held back while an earlier one is still out).
 *
 * The cost: listeners hear of a write up to `gatherMs` later, and a process that dies between a commit and its NOTIFY
 * loses the signal; the dispatchers' polls and the pages' next refetch make up for it. A withdrawal (an erasure took
 * back mail or webhook deliveries a dispatcher may be sending) goes at once, and its write waits for it.
 */
export class NotifySignals implements SqlSignals {
  readonly signalsStayInProcess = false;
  private readonly notify: CompiledQuery;
  private pending: Activity[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly listen: Listen,
    /** Told when the NOTIFYs after a commit could not be sent (the write stands; listeners poll). */
    private readonly onError: (error: Error) => void = () => {},
    private readonly gatherMs = NOTIFY_GATHER_MS,
  ) {
    this.notify =
      sql`select pg_notify(n.channel, n.payload) from unnest(${[]}::text[], ${[]}::text[]) as n(channel, payload)`.compile(
        kysely,
      );
    // One fixed text for any number of notifications: a named statement, prepared once per connection.
    if (!PREPARED_SQL_NAMES.has(this.notify.sql)) PREPARED_SQL_NAMES.set(this.notify.sql, 'parley_notify');
  }

  private async send(notifications: { channels: string[]; payloads: string[] }) {
    if (notifications.channels.length === 0) return;
    await this.kysely.executeQuery({ ...this.notify, parameters: [notifications.channels, notifications.payloads] });
  }

  /** Gathers a committed write's activities; a withdrawal sends them all at once and resolves once sent. */
  deliver(activities: readonly Activity[]): Promise<void> | void {
    if (activities.length === 0) return;
    this.pending.push(...activities);
    if (activities.some((a) => a.kind === 'outbox-withdrawn')) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.gatherMs);
  }

  /** Sends what is gathered now, and resolves when every send begun so far has ended. Never fails. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      const sending = this.send(notificationsOf(batch))
        .catch((error: Error) => {
          try {
            this.onError(error);
          } catch {
            // A report that fails loses nothing more: the write stands, listeners poll.
          }
        })
        .finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
    await Promise.all(this.sending);
  }

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
    await this.send({ channels: ['parley_ticket'], payloads: [ticketId === null ? 'i' : `i${ticketId}`] });
  }

  /** Every process heard it already. */
  relayTicketActivity(): void {}

  async signalPresence(signal: PresenceSignal) {
    await this.send({ channels: ['parley_presence'], payloads: [JSON.stringify(signal)] });
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
