import type { Parley } from '../../../main.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/** The database answers, and holds exactly this version's migrations. */
export async function checkDatabase(parley: Pick<Parley, 'storage' | 'config'>): Promise<CheckResult> {
  const kind = parley.config.databaseUrl.split(':')[0]!.replace(/ql$/, '');
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
