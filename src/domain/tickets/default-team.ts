import type { Repositories } from '../../ports/storage.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';

/**
 * The team of a ticket opened without one: the group parameter 9018 names, or null while no default team is named (a
 * new installation before an administrator names one: the ticket opens in no queue, administrators see it, and it
 * joins the default team as soon as one is named).
 */
export async function defaultTeam(tx: Pick<Repositories, 'settings' | 'people'>): Promise<number | null> {
  const id = (await readParameters(tx)).get(PARAM.DEFAULT_TEAM);
  if (typeof id !== 'number') return null;
  return (await tx.people.findGroup(id)) ? id : null;
}
