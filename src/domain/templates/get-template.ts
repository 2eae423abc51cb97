import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { EmailTemplate } from './email-template.ts';

export async function getTemplate(deps: { storage: StorageOf<'settings'> }, id: number): Promise<EmailTemplate> {
  const t = await deps.storage.settings.findTemplate(id);
  if (!t) throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
  return t;
}
