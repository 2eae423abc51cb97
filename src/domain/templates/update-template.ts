import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import {
  audited,
  TEMPLATE_AUDITED_FIELDS,
  validateTemplate,
  type EmailTemplate,
  type EmailTemplateInput,
} from './email-template.ts';
import { templateInUse } from './template-in-use.ts';

/** Saves a template; `active`, `locale` or `variants` left out keep the current ones. The template row is locked first, so a concurrent
 * change of parameter 417 either sees the new state or is seen by this check. */
export async function updateTemplate(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  return deps.storage.transaction(async (tx) => {
    const current = await tx.settings.findTemplate(id, 'update');
    if (!current) throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
    // A client that sends no variants (or no locale) keeps the template's.
    const clean = validateTemplate({
      ...input,
      active: input.active ?? current.active,
      locale: input.locale ?? current.locale,
      variants: input.variants ?? current.variants,
    });
    const parameter = clean.active ? undefined : await templateInUse(tx, id);
    if (parameter !== undefined) {
      throw new DomainError(
        'TEMPLATE_IN_USE',
        `Template ${id} is named by parameter ${parameter}: point ${parameter} at another template (or empty it) before deactivating it.`,
        { details: { parameter } },
      );
    }
    const saved = (await tx.settings.updateTemplate(id, clean, deps.clock.now().toISOString()))!;
    const changes = changesBetween(audited(current), audited(saved), TEMPLATE_AUDITED_FIELDS);
    if (changes.length > 0)
      await recordAudit(tx, deps.clock, origin, {
        action: 'template.update',
        target: { type: 'template', id, label: saved.name },
        changes,
      });
    return saved;
  });
}
