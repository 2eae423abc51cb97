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

/**
 * The database server's connection limit against what one `parley serve` may open: a problem when one instance
 * alone would be refused connections; else how many are free now (which counts the instances already running).
 * Null where there is no limit (SQLite).
 */
export async function checkConnections(parley: Pick<Parley, 'storage' | 'config'>): Promise<CheckResult | null> {
  let limit: { allowed: number; inUse: number } | null;
  try {
    limit = await parley.storage.connectionLimit();
  } catch (error) {
    return failed('database connections', `the server's connection limit cannot be read (${reason(error)}).`);
  }
  if (!limit) return null;
  const needs = serveConnections(parley.config);
  const setting = `PARLEY_DATABASE_POOL_SIZE=${parley.config.databasePoolSize}, dispatcher ${parley.config.dispatcher}`;
  if (needs > limit.allowed)
    return failed(
      'database connections',
      `one parley serve may open ${needs} (${setting}) but PostgreSQL allows ${limit.allowed}: raise max_connections ` +
        'or lower PARLEY_DATABASE_POOL_SIZE.',
    );
  const free = limit.allowed - limit.inUse;
  const room =
    free >= needs
      ? `${free} free now`
      : `only ${free} free now: enough only if this configuration replaces an instance that is running`;
  return passed(
    'database connections',
    `one parley serve may open ${needs} (${setting}); PostgreSQL allows ${limit.allowed}, ${room}.`,
  );
}
