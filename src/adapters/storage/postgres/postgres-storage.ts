import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../sql/schema.ts';
import type { SearchTuning } from '../sql/sql-dialect.ts';
import { PREPARED_SQL_NAMES } from '../sql/sql-context.ts';
import { SqlStorage } from '../sql/sql-storage.ts';
import { withReadCache } from '../sql/read-cache.ts';
import { CacheNotices } from './cache-notices.ts';
import { NotifySignals } from './notify-signals.ts';
import { postgresDialect } from './postgres-dialect.ts';

const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;

/** Timestamps come back as ISO strings (as on SQLite); counts as numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ || oid === TIMESTAMP)
      return (v: string) => new Date(oid === TIMESTAMP ? `${v}Z` : v).toISOString();
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * LISTEN on a channel, on a connection of its own; reconnects after a second when the connection drops. After
 * (re)connecting the listener is called with '' (signals sent meanwhile are not replayed): the dispatchers look for
 * due mail then, and they also poll, so a lost signal only delays mail until the next poll.
 */
async function listenOn(
  connectionString: string,
  channel: string,
  listener: (payload: string) => void,
  onError?: (error: Error) => void,
  lost?: () => void,
) {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnectLater = (error: Error) => {
    lost?.();
    onError?.(error);
    if (!stopped) retry = setTimeout(() => void connect().catch(reconnectLater), 1000);
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString });
    c.on('notification', (n) => listener(n.payload ?? ''));
    c.on('error', (error) => {
      void c.end().catch(() => {}); // already broken; ending it only frees the socket
      reconnectLater(error);
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    listener(''); // signals sent while we were not listening are not replayed
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

export function openPostgresStorage(
  connectionString: string,
  options: {
    max?: number;
    onIdleError?: (error: Error) => void;
    searchTuning?: SearchTuning;
    /** The longest the read cache keeps a value without a notice (tests make it long to see notices alone). */
    cacheMaxAgeMs?: number;
  } = {},
): SqlStorage {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, types: types as pg.CustomTypesConfig });
  // An idle connection the server closes (restart, failover) is dropped by the pool and replaced on the next
  // query; without a listener that event would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const notices = new CacheNotices(
    (channel, listener, lost) => listenOn(connectionString, channel, listener, options.onIdleError, lost),
    options.cacheMaxAgeMs,
  );
  // Connections whose open transaction wrote a table behind the read cache: its commit moves the cache's version.
  const wroteCached = new WeakSet<object>();
  const changedOnceDone = (result: unknown) => {
    if (result instanceof Promise)
      result.then(
        () => notices.changed(),
        () => notices.changed(),
      );
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
      // Hot, fixed-shape queries (prepared once by the repositories) run as named statements on each connection.
      const name = typeof text === 'string' ? PREPARED_SQL_NAMES.get(text) : undefined;
      const result = name ? query({ name, text, values }, ...rest) : query(text, values, ...rest);
      if (typeof text === 'string') {
        if (notices.wrote(text)) {
          wroteCached.add(client);
          changedOnceDone(result);
        } else if (wroteCached.has(client) && (text === 'commit' || text === 'rollback')) {
          wroteCached.delete(client);
          changedOnceDone(result);
        }
      }
      return result;
    };
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const signals = new NotifySignals(kysely, (channel, listener) =>
    listenOn(connectionString, channel, listener, options.onIdleError),
  );
  return new SqlStorage({
    kysely,
    dialect: postgresDialect,
    signals,
    wrap: (repositories) => withReadCache(repositories, notices),
    onClose: () => notices.close(),
    ...(options.searchTuning ? { searchTuning: options.searchTuning } : {}),
  });
}
