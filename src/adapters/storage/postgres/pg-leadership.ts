import pg from 'pg';
import type { Leadership } from '../../../ports/storage/leadership.ts';

/** The advisory lock of the outbox's leading dispatcher (per database): 'parley' and 1, in the two-key form. */
const LOCK_KEYS = [0x7061726c, 1] as const;
/**
 * A leader whose host vanishes (a power cut, a partition) leaves its connection open until TCP gives up: the server
 * probes it after 4 s of silence, every 2 s, 3 times, so the lock is free again about 10 s after the last answer.
 */
const SERVER_KEEPALIVE = 'set tcp_keepalives_idle = 4; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 3';

/**
 * PostgreSQL: a session-level advisory lock held on a connection of its own. It is freed the moment that connection
 * ends, so a dispatcher that is killed (its socket closed by the kernel) is followed at the next look of a standby;
 * one whose connection drops stops leading at once (`lead()` answers false until it holds the lock again).
 */
export class PgLeadership implements Leadership {
  private client: pg.Client | undefined;
  private holding = false;
  private closed = false;

  constructor(private readonly connectionString: string) {}

  async lead(): Promise<boolean> {
    if (this.closed) return false;
    if (this.holding && this.client) return true;
    try {
      const client = this.client ?? (await this.connect());
      const { rows } = await client.query<{ held: boolean }>('select pg_try_advisory_lock($1, $2) as held', [
        ...LOCK_KEYS,
      ]);
      this.holding = rows[0]?.held === true && this.client === client;
    } catch {
      this.drop();
    }
    return this.holding;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    await client.connect();
    try {
      await client.query(SERVER_KEEPALIVE);
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('closed');
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
    await client?.end().catch(() => {});
  }
}
