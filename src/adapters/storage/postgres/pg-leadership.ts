import pg from 'pg';
import type { Leadership } from '../../../ports/storage/leadership.ts';
import { SERVER_KEEPALIVE } from './session-settings.ts';

/** The advisory lock of the outbox's leading dispatcher (per database): 'parl' and 1, in the two-key form. */
export const LEAD_LOCK_KEYS = [0x7061726c, 1] as const;
/** How long opening the connection, or a question on it, may take before `lead()` answers false (and asks again). */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * PostgreSQL: a session-level advisory lock held on a connection of its own. It is freed the moment that connection
 * ends, so a dispatcher that is killed (its socket closed by the kernel) is followed at the next lead check of a
 * standby; one whose connection reports an error stops leading at once (`lead()` answers false until it holds the
 * lock again). A failure to reach the database is told to `onError` once, until it leads or stands by again.
 */
export class PgLeadership implements Leadership {
  private client: pg.Client | undefined;
  private holding = false;
  private closed = false;
  private asking: Promise<boolean> | undefined;
  private failing = false;

  constructor(
    private readonly connectionString: string,
    private readonly onError?: (error: Error) => void,
  ) {}

  lead(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.holding && this.client) return Promise.resolve(true);
    // One question at a time: two connections opened at once could leave one holding the lock unseen.
    this.asking ??= this.ask().finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async ask(): Promise<boolean> {
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ held: boolean }>('select pg_try_advisory_lock($1, $2) as held', [
        ...LEAD_LOCK_KEYS,
      ]);
      if (this.client !== client) return false; // dropped or closed meanwhile: the lock went with it
      this.holding = rows[0]?.held === true;
      this.failing = false;
    } catch (error) {
      this.drop();
      if (!this.failing && !this.closed) this.onError?.(error as Error);
      this.failing = true;
    }
    return this.holding;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A question on a connection that went silent fails (and the connection is dropped) rather than hanging the loop.
      query_timeout: CONNECT_TIMEOUT_MS,
    });
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    await client.connect();
    try {
      await client.query(SERVER_KEEPALIVE);
      if (this.closed) throw new Error('The leadership was closed while it connected.');
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    return client;
  }

  private drop() {
    this.holding = false;
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => {}); // a broken connection: ending it frees the socket, and the lock with it
  }

  async close(): Promise<void> {
    this.closed = true;
    this.holding = false;
    const client = this.client;
    this.client = undefined;
    await this.asking?.catch(() => {});
    await client?.end().catch(() => {});
  }
}
