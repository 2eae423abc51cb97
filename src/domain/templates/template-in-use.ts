import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { Repositories } from '../../ports/storage.ts';

export async function templateInUse(repos: Repositories, id: number): Promise<boolean> {
  return (await readParameters(repos)).get(PARAM.MESSAGING_TEMPLATE) === id;
}
