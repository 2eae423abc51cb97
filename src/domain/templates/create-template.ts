import type { Deps } from '../deps.ts';
import { validateTemplate, type EmailTemplate, type EmailTemplateInput } from './email-template.ts';

export async function createTemplate(
  deps: Pick<Deps, 'storage' | 'clock'>,
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  const clean = validateTemplate(input);
  return deps.storage.createTemplate(clean, deps.clock.now().toISOString());
}
