import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Locale } from '../locale.ts';
import { parameterDefinition } from './parameter-catalogue.ts';
import { readParameters, view, type ParameterView } from './parameters.ts';

export async function getParameter(
  deps: { storage: StorageOf<'settings'> },
  id: number,
  locale: Locale,
): Promise<ParameterView> {
  if (!parameterDefinition(id)) throw new DomainError('PARAMETER_NOT_FOUND', `There is no parameter ${id}.`);
  return view(id, await readParameters(deps.storage), locale);
}
