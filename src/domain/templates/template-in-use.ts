import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { Repositories } from '../../ports/storage.ts';

/** Parameters naming an email template: messaging (417) and the event mails (9022–9025). */
export const TEMPLATE_PARAMETERS = [
  PARAM.MESSAGING_TEMPLATE,
  PARAM.ACKNOWLEDGEMENT_TEMPLATE,
  PARAM.ASSIGNED_TEMPLATE,
  PARAM.TEAM_NEW_TEMPLATE,
  PARAM.CLOSED_NOTICE_TEMPLATE,
] as const;

/** The first parameter naming the template, or undefined when none does. */
export async function templateInUse(repos: Repositories, id: number): Promise<number | undefined> {
  const values = await readParameters(repos);
  return TEMPLATE_PARAMETERS.find((p) => values.get(p) === id);
}
