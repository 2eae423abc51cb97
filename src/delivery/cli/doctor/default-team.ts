import { PARAM } from '../../../domain/parameters/parameter-catalogue.ts';
import { readParameters } from '../../../domain/parameters/parameters.ts';
import type { Parley } from '../../../main.ts';
import { failed, passed, type CheckResult } from './check.ts';

/**
 * Parameter 9018 names the team of a ticket opened without one; while it is unset such a ticket reaches no
 * technician's queue (only administrators see it).
 */
export async function checkDefaultTeam(parley: Pick<Parley, 'deps'>): Promise<CheckResult> {
  const { storage } = parley.deps;
  const id = (await readParameters(storage)).get(PARAM.DEFAULT_TEAM);
  if (typeof id !== 'number')
    return failed(
      'default team',
      'parameter 9018 is not set: a ticket opened without a team reaches no technician, only administrators see it; name a team in Admin > Parameters.',
    );
  const group = await storage.people.findGroup(id);
  if (!group) return failed('default team', `parameter 9018 names team ${id}, which does not exist.`);
  return passed('default team', `tickets opened without a team go to "${group.name}" (parameter 9018).`);
}
