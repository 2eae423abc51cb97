import type { Config } from '../../../config/config.ts';
import { createParley, NoSqliteDatabaseError, type Parley } from '../../../main.ts';
import type { Clock } from '../../../ports/clock.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/** "sqlite" or "postgres", as the lines name the database. */
const kindOf = (config: Pick<Config, 'databaseUrl'>) => config.databaseUrl.split(':')[0]!.replace(/ql$/, '');

/**
 * Parley with its database opened `readOnly`: an SQLite file only if there is one, every write refused, so a wrong
 * path (a backup restored elsewhere) creates neither the file nor its folder; a line says what is missing instead.
 */
export function openReadOnly(config: Readonly<Config>, clock: Clock): { parley: Parley } | { problem: CheckResult } {
  try {
    return { parley: createParley(config, { clock, readOnly: true }) };
  } catch (error) {
    if (error instanceof NoSqliteDatabaseError)
      return {
        problem: failed(
          'database',
          `sqlite: no database at ${error.path}; check PARLEY_DATABASE_URL and where the backup was restored (for ` +
            'a new desk, "parley migrate" creates one).',
        ),
      };
    return { problem: failed('database', `${kindOf(config)} cannot be opened (${reason(error)}).`) };
  }
}

/** The database answers, and holds exactly this version's migrations. */
export async function checkDatabase(parley: Pick<Parley, 'storage' | 'config'>): Promise<CheckResult> {
  const kind = kindOf(parley.config);
  try {
    await parley.storage.ping();
  } catch (error) {
    return failed('database', `${kind} cannot be reached (${reason(error)}); check PARLEY_DATABASE_URL.`);
  }
  let state;
  try {
    state = await parley.storage.migrationState();
  } catch (error) {
    return failed('database', `${kind} answers, but its migrations cannot be read (${reason(error)}).`);
  }
  if (state.unknown.length > 0)
    return failed(
      'database',
      `${kind} was migrated by a newer Parley (${state.unknown.join(', ')}): run that version, or restore the backup taken before the upgrade.`,
    );
  if (state.pending.length > 0)
    return failed(
      'database',
      `${kind} lacks ${state.pending.length} migration(s) (${state.pending.join(', ')}): run "parley migrate" (or start "parley serve", which migrates).`,
    );
  return passed('database', `${kind} reachable and fully migrated.`);
}
