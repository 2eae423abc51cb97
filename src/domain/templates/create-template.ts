import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import {
  audited,
  TEMPLATE_AUDITED_FIELDS,
  validateTemplate,
  type EmailTemplate,
  type EmailTemplateInput,
} from './email-template.ts';

export async function createTemplate(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  const clean = validateTemplate(input);
  return deps.storage.transaction(async (tx) => {
    const template = await tx.settings.createTemplate(clean, deps.clock.now().toISOString());
    await recordAudit(tx, deps.clock, origin, {
      action: 'template.create',
      target: { type: 'template', id: template.id, label: template.name },
      changes: changesBetween(undefined, audited(template), TEMPLATE_AUDITED_FIELDS),
    });
    return template;
  });
}
