import { previewTemplate } from '../templates/preview-template.ts';
import type { Actor } from '../users/user.ts';
import { checkAddress, sendNow, type MailDeps, type TestMailResult } from './smtp-test-send.ts';

/**
 * A template rendered as the preview renders it (against a ticket, or the latest one; the variant of `variant`, else
 * of `locale`), sent now to `to`.
 */
export async function sendTemplateTest(
  deps: MailDeps,
  actor: Actor,
  templateId: number,
  options: { to: string; ticketNumber?: number | null; locale?: string | null; variant?: string | null },
): Promise<TestMailResult> {
  checkAddress(options.to);
  const rendered = await previewTemplate(
    deps,
    actor,
    { id: templateId },
    { ticketNumber: options.ticketNumber, locale: options.locale, variant: options.variant },
  );
  return sendNow(deps, options.to, { subject: rendered.subject, html: rendered.html, text: rendered.text });
}
