import type { PresenceSignal } from '../../ports/storage.ts';

/** How long a report lasts without a refresh (pages refresh every 20 s). */
export const PRESENCE_TTL_MS = 45_000;
/** How long "typing" lasts after the last keystroke report (pages report at most every 5 s while typing). */
export const TYPING_MS = 10_000;

/** Who else has a ticket open: a person once, typing when any of their pages is. */
export interface PresentPerson {
  id: number;
  name: string;
  typing: boolean;
}

interface Entry {
  userId: number;
  name: string;
  /** Epoch ms. */
  expiresAt: number;
  typingUntil: number;
}

/**
 * The ticket pages open now, per ticket and page (tab), kept in memory by each instance from the presence reports of
 * every instance; nothing is stored. A report replaces its page's entry; `left` removes it; an entry lapses at its
 * expiry. The methods that change it answer the ticket numbers whose people (`people`) changed.
 */
export class PresenceMap {
  private readonly tickets = new Map<number, Map<string, Entry>>();

  /** Applies a report at `now` (epoch ms); answers whether the ticket's people changed. */
  apply(signal: PresenceSignal, now: number): boolean {
    const before = this.key(signal.ticketNumber, now);
    const pages = this.tickets.get(signal.ticketNumber) ?? new Map<string, Entry>();
    const pageKey = `${signal.userId}:${signal.tab}`;
    const expiresAt = Math.min(Date.parse(signal.expiresAt), now + PRESENCE_TTL_MS);
    if (signal.state === 'left' || !(expiresAt > now)) pages.delete(pageKey);
    else
      pages.set(pageKey, {
        userId: signal.userId,
        name: signal.name,
        expiresAt,
        typingUntil: signal.state === 'typing' ? Math.min(expiresAt, now + TYPING_MS) : 0,
      });
    if (pages.size > 0) this.tickets.set(signal.ticketNumber, pages);
    else this.tickets.delete(signal.ticketNumber);
    return this.key(signal.ticketNumber, now) !== before;
  }

  /** Drops lapsed entries; answers the tickets whose people changed since `previous` (a typing spell ended, too). */
  sweep(previous: number, now: number): number[] {
    const changed: number[] = [];
    for (const [ticket, pages] of this.tickets) {
      const before = this.key(ticket, previous);
      for (const [pageKey, entry] of pages) if (entry.expiresAt <= now) pages.delete(pageKey);
      if (pages.size === 0) this.tickets.delete(ticket);
      if (this.key(ticket, now) !== before) changed.push(ticket);
    }
    return changed;
  }

  /** The people who have the ticket open at `now`, by name, `exceptUserId` left out (a page is not told of itself). */
  people(ticketNumber: number, now: number, exceptUserId?: number): PresentPerson[] {
    const byUser = new Map<number, PresentPerson>();
    for (const entry of this.tickets.get(ticketNumber)?.values() ?? []) {
      if (entry.expiresAt <= now || entry.userId === exceptUserId) continue;
      const person = byUser.get(entry.userId) ?? { id: entry.userId, name: entry.name, typing: false };
      person.typing ||= entry.typingUntil > now;
      byUser.set(entry.userId, person);
    }
    return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  }

  /** The tickets someone has open (lapsed entries may remain until the next sweep). */
  ticketNumbers(): number[] {
    return [...this.tickets.keys()];
  }

  /** Whether nothing is open anywhere. */
  get empty(): boolean {
    return this.tickets.size === 0;
  }

  private key(ticketNumber: number, now: number): string {
    return JSON.stringify(this.people(ticketNumber, now));
  }
}
