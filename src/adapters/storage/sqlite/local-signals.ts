import { EventEmitter } from 'node:events';
import type { ActivityListeners, PresenceSignal } from '../../../ports/storage/activity.ts';
import type { Activity, SqlSignals } from '../sql/sql-dialect.ts';

/**
 * SQLite has no NOTIFY: signals go to this process's listeners, emitted after the commit that noted them. The
 * dispatcher thread or child of `parley serve` (its own storage) passes its ticket activity to `serve` by message
 * (`relayTicketActivity`).
 */
export class LocalSignals implements SqlSignals {
  readonly signalsStayInProcess = true;
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  deliver(activities: readonly Activity[]): void {
    const everyone = new Set<number>();
    const staff = new Set<number>();
    let outbox = false;
    let withdrawn = false;
    let webhook = false;
    for (const a of activities) {
      if (a.kind === 'outbox') outbox = true;
      else if (a.kind === 'outbox-withdrawn') withdrawn = true;
      else if (a.kind === 'webhook') webhook = true;
      else (a.staffOnly ? staff : everyone).add(a.ticketId);
    }
    if (withdrawn) this.emitter.emit('outbox-withdrawn');
    if (outbox) this.emitter.emit('outbox');
    if (webhook) this.emitter.emit('webhook');
    if (everyone.size > 0) this.emitter.emit('ticket', [...everyone], false);
    if (staff.size > 0) this.emitter.emit('ticket', [...staff], true);
  }

  async onOutboxSignal(listener: () => void) {
    this.emitter.on('outbox', listener);
    return async () => {
      this.emitter.off('outbox', listener);
    };
  }

  async onOutboxWithdrawn(listener: () => void) {
    this.emitter.on('outbox-withdrawn', listener);
    return async () => {
      this.emitter.off('outbox-withdrawn', listener);
    };
  }

  async onWebhookSignal(listener: () => void) {
    this.emitter.on('webhook', listener);
    return async () => {
      this.emitter.off('webhook', listener);
    };
  }

  async onTicketActivity(listener: (ticketIds: number[], staffOnly: boolean) => void, also: ActivityListeners = {}) {
    const inbound = (ticketId: number | null) => also.inbound?.(ticketId);
    this.emitter.on('ticket', listener);
    this.emitter.on('inbound', inbound);
    return async () => {
      this.emitter.off('ticket', listener);
      this.emitter.off('inbound', inbound);
    };
  }

  async signalInbound(ticketId: number | null = null) {
    this.emitter.emit('inbound', ticketId);
  }

  relayTicketActivity(ticketIds: readonly number[], staffOnly = false): void {
    if (ticketIds.length > 0) this.emitter.emit('ticket', [...ticketIds], staffOnly);
  }

  async signalPresence(signal: PresenceSignal) {
    this.emitter.emit('presence', signal);
  }

  async onPresence(listener: (signal: PresenceSignal) => void) {
    this.emitter.on('presence', listener);
    return async () => {
      this.emitter.off('presence', listener);
    };
  }
}
