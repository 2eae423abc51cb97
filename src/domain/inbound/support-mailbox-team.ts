import type { StorageOf } from '../deps.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';

/** The team whose technicians review mail of no ticket (parameter 9016), or null: administrators only. */
export async function supportMailboxTeam(deps: { storage: StorageOf<'settings'> }): Promise<number | null> {
  const team = (await readParameters(deps.storage)).get(PARAM.SUPPORT_MAILBOX_TEAM);
  return typeof team === 'number' ? team : null;
}
