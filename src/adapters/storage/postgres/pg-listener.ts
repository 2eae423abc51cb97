import pg from 'pg';
import { SERVER_KEEPALIVE } from './session-settings.ts';

interface Subscriber {
  listener: (payload: string) => void;
  lost?: () => void;
}

/**
 * The LISTEN channels of one storage on one connection of their own, opened at the first subscription and closed
 * with the last. When the connection drops, every subscriber is told (`lost`) and it is re-opened a second later;
 * once (re)opened, every subscriber hears '' (signals sent while nobody listened are not replayed): the dispatchers
 * look for due mail then, pages refetch, the read cache starts afresh.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly channels = new Map<string, Set<Subscriber>>();
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly onError?: (error: Error) => void,
  ) {}

  async listen(channel: string, listener: (payload: string) => void, lost?: () => void) {
    const subscriber: Subscriber = { listener, ...(lost ? { lost } : {}) };
    const subscribers = this.channels.get(channel) ?? new Set();
    subscribers.add(subscriber);
    this.channels.set(channel, subscribers);
    try {
      await this.open();
      // Every time, not only for a channel's first subscriber: an earlier LISTEN may still be on its way.
      await this.client?.query(`LISTEN ${channel}`);
    } catch (error) {
      this.remove(channel, subscriber);
      throw error;
    }
    // Already open: this subscriber has not heard the '' of the opening.
    listener('');
    return async () => {
      this.remove(channel, subscriber);
      await this.connecting?.catch(() => {}); // a connection being opened sees the channels left when it is done
      if (this.channels.has(channel) || !this.client) return;
      if (this.channels.size === 0) await this.close();
      else await this.client.query(`UNLISTEN ${channel}`).catch(() => {});
    };
  }

  private remove(channel: string, subscriber: Subscriber) {
    const subscribers = this.channels.get(channel);
    subscribers?.delete(subscriber);
    if (subscribers?.size === 0) this.channels.delete(channel);
  }

  private open(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The storage is closed.'));
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect() {
    // Keepalive: a connection a NAT or firewall drops silently is noticed, and re-opened.
    const c = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    c.on('notification', (n) => {
      for (const s of this.channels.get(n.channel) ?? []) s.listener(n.payload ?? '');
    });
    c.on('error', (error) => {
      void c.end().catch(() => {}); // already broken; ending it only frees the socket
      if (this.client !== c) return;
      this.client = undefined;
      this.dropped(error);
    });
    await c.connect();
    try {
      await c.query(SERVER_KEEPALIVE);
      for (const channel of this.channels.keys()) await c.query(`LISTEN ${channel}`);
    } catch (error) {
      void c.end().catch(() => {});
      throw error;
    }
    if (this.channels.size === 0 || this.closed) {
      // Everyone left (or the storage closed) while it was being opened: nothing may keep the process alive.
      await c.end().catch(() => {});
      return;
    }
    this.client = c;
  }

  private dropped(error: Error) {
    this.onError?.(error);
    for (const subscribers of this.channels.values()) for (const s of subscribers) s.lost?.();
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.channels.size === 0 || this.closed) return;
      this.open().then(
        () => {
          for (const subscribers of this.channels.values()) for (const s of subscribers) s.listener('');
        },
        (e: Error) => this.dropped(e),
      );
    }, 1000);
  }

  private async close() {
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }

  /** Closes the connection whoever still listens (the storage is closing); nothing is re-opened after. */
  async end(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    this.channels.clear();
    await this.close();
  }
}
