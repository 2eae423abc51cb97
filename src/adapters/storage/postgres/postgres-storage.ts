import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../sql/schema.ts';
import type { SearchTuning } from '../sql/sql-dialect.ts';
import { PREPARED_SQL_NAMES } from '../sql/sql-context.ts';
import { SqlStorage } from '../sql/sql-storage.ts';
import { withReadCache } from '../sql/read-cache.ts';
import { CacheNotices } from './cache-notices.ts';
import { NotifySignals, type Listen } from './notify-signals.ts';
import { PgLeadership } from './pg-leadership.ts';
import { PgListener } from './pg-listener.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { poolSessionSettings } from './session-settings.ts';

/**
 * How long a pooled connection may stay idle before it is closed. pg's default, 10 s, closed the connections a burst
 * had opened as soon as the load eased; the next burst opened them again, each a new server process that plans every
 * statement afresh (`bench:fleet` at 200 posts a second: 12 connections opened in 20 s, each stalling the requests
 * that waited for it by about 100 ms). Five minutes keeps a pool as large as the load of the last minutes needed.
 */
export const POOL_IDLE_MS = 5 * 60_000;

/** The pool's size when none is given; `PARLEY_DATABASE_POOL_SIZE` (config.ts, which cannot import it) says 10 too. */
export const POOL_SIZE = 10;

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

export function openPostgresStorage(
  connectionString: string,
  options: {
    max?: number;
    /** How long a pooled connection may stay idle before it is closed (`POOL_IDLE_MS`). */
    idleMs?: number;
    onIdleError?: (error: Error) => void;
    /** Told when the NOTIFYs that follow a commit could not be sent (the write stands). */
    onSignalError?: (error: Error) => void;
    searchTuning?: SearchTuning;
    /** The longest the read cache keeps a value without a notice (tests make it long to see notices alone). */
    cacheMaxAgeMs?: number;
    /** How long a transaction may wait for this process before the server ends it (`poolSessionSettings`). */
    idleInTransactionMs?: number;
    /** Every transaction read-only, any write refused by the server (`parley doctor`). */
    readOnly?: boolean;
  } = {},
): SqlStorage {
  const settings = poolSessionSettings(options.idleInTransactionMs, options.readOnly);
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? POOL_SIZE,
    idleTimeoutMillis: options.idleMs ?? POOL_IDLE_MS,
    // Connections now stay idle for minutes: TCP keepalives from this end keep a NAT or firewall between from
    // forgetting them (the session settings make the server's end probe for a client that vanished).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: types as pg.CustomTypesConfig,
    // Awaited before the connection is lent out (pg-pool's hook); if it fails, the connection is closed and the query
    // it was opened for fails with the reason.
    onConnect: async (client) => {
      await client.query(settings);
    },
  });
  // An idle connection the server closes (restart, failover) is dropped by the pool and replaced on the next
  // query; without a listener that event would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  // Every LISTEN of this storage (outbox, ticket activity, presence, the read cache) on one connection of its own.
  const listener = new PgListener(connectionString, options.onIdleError);
  const listen: Listen = (channel, heard, lost) => listener.listen(channel, heard, lost);
  const notices = new CacheNotices(listen, options.cacheMaxAgeMs);
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
    // A connection the server ends while it is lent out (a transaction that waited too long, a restart) must not end
    // the process: the pool listens on idle connections only. The transaction's next query fails instead; told here
    // when the pool's own listener is not there to tell it, once (the server's reason, not the end of the stream
    // that follows it).
    let told = false;
    client.on('error', (error) => {
      if (told || client.listenerCount('error') !== 1) return;
      told = true;
      options.onIdleError?.(error);
    });
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
  const signals = new NotifySignals(kysely, listen, options.onSignalError);
  return new SqlStorage({
    kysely,
    dialect: postgresDialect,
    signals,
    wrap: (repositories) => withReadCache(repositories, notices),
    leadership: () => new PgLeadership(connectionString, options.onIdleError),
    onClose: async () => {
      await notices.close();
      await listener.end();
    },
    ...(options.searchTuning ? { searchTuning: options.searchTuning } : {}),
  });
}
