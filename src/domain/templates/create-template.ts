import type { Deps, StorageOf } from '../deps.ts';
import { validateTemplate, type EmailTemplate, type EmailTemplateInput } from './email-template.ts';

export async function createTemplate(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'settings'> },
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  const clean = validateTemplate(input);
  return deps.storage.settings.createTemplate(clean, deps.clock.now().toISOString());
}
