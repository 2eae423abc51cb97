import type { Config } from '../../../config/config.ts';
import type { Parley } from '../../../main.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/**
 * The most connections one `parley serve` of this configuration opens (docs/operations.md, "Connections"): its pool
 * and LISTEN connection, and with a dispatcher thread or child that dispatcher's own, plus the lead's connection.
 */
export function serveConnections(config: Pick<Config, 'databasePoolSize' | 'dispatcher'>): number {
  const pool = config.databasePoolSize;
  if (config.dispatcher === 'thread' || config.dispatcher === 'child') return 2 * pool + 3;
  return config.dispatcher === 'inline' ? pool + 2 : pool + 1;
}

const WHOSE = {
  server: 'PostgreSQL allows',
  role: "the database role's CONNECTION LIMIT allows",
  database: "the database's CONNECTION LIMIT allows",
};

/**
 * The database server's limits on Parley's connections against what one `parley serve` may open: a problem when one
 * instance alone would pass a limit; else how many are free under the tightest one now (a count that includes the
 * instances already running). Null where there is no limit (SQLite).
 */
export async function checkConnections(parley: Pick<Parley, 'storage' | 'config'>): Promise<CheckResult | null> {
  let limits: Awaited<ReturnType<Parley['storage']['connectionLimits']>>;
  try {
    limits = await parley.storage.connectionLimits();
  } catch (error) {
    return failed('database connections', `the server's connection limits cannot be read (${reason(error)}).`);
  }
  if (!limits) return null;
  const needs = serveConnections(parley.config);
  const { databasePoolSize, dispatcher } = parley.config;
  const setting = `PARLEY_DATABASE_POOL_SIZE=${databasePoolSize}, PARLEY_DISPATCHER=${dispatcher}`;
  const mayOpen = `one parley serve may open ${needs} connections (${setting})`;
  const tooFew = limits.find((l) => l.allowed < needs);
  if (tooFew) {
    const raise = tooFew.of === 'server' ? 'raise max_connections' : `raise the ${tooFew.of}'s CONNECTION LIMIT`;
    return failed(
      'database connections',
      `${mayOpen} but ${WHOSE[tooFew.of]} ${tooFew.allowed}: ${raise} or lower PARLEY_DATABASE_POOL_SIZE.`,
    );
  }
  const tightest = limits.reduce((a, b) => (b.allowed - b.inUse < a.allowed - a.inUse ? b : a));
  const free = Math.max(0, tightest.allowed - tightest.inUse);
  const room =
    free >= needs
      ? `${free} free now`
      : `only ${free} free now, fewer than it may open: enough only in place of a running one`;
  return passed('database connections', `${mayOpen}; ${WHOSE[tightest.of]} ${tightest.allowed}, ${room}.`);
}
