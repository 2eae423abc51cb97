import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { templateInUse } from './template-in-use.ts';

export async function deleteTemplate(deps: { storage: StorageOf<'transaction'> }, id: number): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    if (!(await tx.settings.findTemplate(id, 'update')))
      throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
    if (await templateInUse(tx, id)) {
      throw new DomainError(
        'TEMPLATE_IN_USE',
        `Template ${id} is the messaging template (parameter 417): point 417 at another template before deleting it.`,
      );
    }
    await tx.settings.deleteTemplate(id);
  });
}
