import { PARAMETER_CATALOGUE } from '../../../domain/parameters/parameter-catalogue.ts';
import { readParameters } from '../../../domain/parameters/parameters.ts';
import type { Parley } from '../../../main.ts';
import { failed, passed, type CheckResult } from './check.ts';

/** The secret key opens every secret sealed with it (the SMTP and IMAP passwords): it is the key they were sealed with. */
export async function checkSecretKey(parley: Pick<Parley, 'deps' | 'config'>): Promise<CheckResult> {
  const source =
    parley.config.secretKeySource === 'environment'
      ? 'PARLEY_SECRET_KEY'
      : `${parley.config.dataDir}/secret.key`.replace(/\/+/g, '/');
  const values = await readParameters(parley.deps.storage);
  const sealed = PARAMETER_CATALOGUE.filter((def) => def.type === 'secret' && typeof values.get(def.id) === 'string');
  const unreadable = sealed.filter((def) => {
    try {
      parley.deps.secrets.open(values.get(def.id) as string);
      return false;
    } catch {
      return true;
    }
  });
  if (unreadable.length > 0)
    return failed(
      'secret key',
      `the key of ${source} cannot open the stored password of parameter(s) ${unreadable.map((d) => d.id).join(', ')}: ` +
        'restore the key they were sealed with, or enter the password(s) again in Admin.',
    );
  return passed(
    'secret key',
    sealed.length > 0
      ? `${source} opens the ${sealed.length} stored password(s).`
      : `${source} is present (no stored password to check it against yet).`,
  );
}
