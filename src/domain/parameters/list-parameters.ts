import type { StorageOf } from '../deps.ts';
import type { Locale } from '../locale.ts';
import { PARAMETER_CATALOGUE } from './parameter-catalogue.ts';
import { readParameters, view, type ParameterView } from './parameters.ts';

export async function listParameters(
  deps: { storage: StorageOf<'settings'> },
  locale: Locale,
): Promise<ParameterView[]> {
  const values = await readParameters(deps.storage);
  return PARAMETER_CATALOGUE.map((def) => view(def.id, values, locale)).sort((a, b) => a.id - b.id);
}
