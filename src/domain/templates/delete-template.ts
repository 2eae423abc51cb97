import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { templateInUse } from './template-in-use.ts';

export async function deleteTemplate(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    const template = await tx.settings.findTemplate(id, 'update');
    if (!template) throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
    const parameter = await templateInUse(tx, id);
    if (parameter !== undefined) {
      throw new DomainError(
        'TEMPLATE_IN_USE',
        `Template ${id} is named by parameter ${parameter}: point ${parameter} at another template (or empty it) before deleting it.`,
        { details: { parameter } },
      );
    }
    await tx.settings.deleteTemplate(id);
    await recordAudit(tx, deps.clock, origin, {
      action: 'template.delete',
      target: { type: 'template', id, label: template.name },
    });
  });
}
