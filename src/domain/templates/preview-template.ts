import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { resolveLocale, type Locale } from '../locale.ts';
import { ticketUrl } from '../notifications/recipients.ts';
import { readSignature } from '../signatures/mail-signature.ts';
import type { Ticket } from '../tickets/ticket.ts';
import type { Actor } from '../users/user.ts';
import {
  compileTemplate,
  renderTemplate,
  validateTemplate,
  type EmailTemplateInput,
  type RenderedMail,
} from './email-template.ts';
import { getTemplate } from './get-template.ts';
import { chooseVariant } from './template-variant.ts';

const SAMPLE_TEXT: Record<Locale, string> = {
  'en-US': 'This is how a message will look in the notification.\nA second line.',
  'pt-BR': 'É assim que uma mensagem aparecerá na notificação.\nUma segunda linha.',
  'es-ES': 'Así se verá un mensaje en la notificación.\nUna segunda línea.',
};

/**
 * Renders a template (stored, or an unsaved draft) against a real ticket and its latest public message,
 * for a recipient in the given locale. The same code path as a real notification: the variant shown is the one a
 * recipient of `variant` (else of `locale`, else of the caller's locale) would receive.
 */
export async function previewTemplate(
  deps: Pick<Deps, 'clock' | 'site'> & { storage: StorageOf<'messages' | 'people' | 'settings' | 'tickets'> },
  actor: Actor,
  source: { id: number } | { draft: EmailTemplateInput },
  options: { ticketNumber?: number | null; locale?: string | null; variant?: string | null },
): Promise<RenderedMail & { ticketNumber: number | null; variant: string }> {
  const template = 'id' in source ? await getTemplate(deps, source.id) : validateTemplate(source.draft);
  const chosen = chooseVariant(template, options.variant ?? options.locale ?? actor.locale);
  const compiled = compileTemplate(chosen);
  const locale = resolveLocale(options.locale ?? options.variant ?? actor.locale);
  let ticket: Ticket | undefined;
  if (options.ticketNumber != null) {
    ticket = await deps.storage.tickets.findTicketByNumber(options.ticketNumber);
    if (!ticket) throw new DomainError('TICKET_NOT_FOUND', `Ticket ${options.ticketNumber} does not exist.`);
  } else {
    ticket = (await deps.storage.tickets.listTickets({ kind: 'all' }, {}, { limit: 1 })).items[0];
  }
  const now = deps.clock.now().toISOString();
  const sampleTicket: Ticket = ticket ?? {
    id: 0,
    number: 0,
    title: 'Sample ticket',
    description: '',
    status: 'in_progress',
    requesterId: 0,
    requesterName: 'Maria Requester',
    contactName: null,
    registeredById: 0,
    registeredByName: actor.name,
    groupId: null,
    groupName: null,
    responsibleId: actor.id,
    responsibleName: actor.name,
    demandType: 'Incident',
    activity: 'Email',
    relatedService: 'Collaboration',
    portfolio: 'IT services',
    category: 'Access',
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
    publicActivityAt: now,
    copyIds: [],
  };
  const messages = ticket ? await deps.storage.messages.listMessages(ticket.id, false) : [];
  const last = messages[messages.length - 1];
  const rendered = renderTemplate(compiled, {
    ticket: sampleTicket,
    message: last
      ? {
          text: last.text,
          authorName: last.authorName,
          createdAt: last.createdAt,
          timeSpentMinutes: last.timeSpentMinutes,
          timeSpentDate: last.timeSpentDate,
        }
      : {
          text: SAMPLE_TEXT[locale],
          authorName: actor.name,
          createdAt: now,
          timeSpentMinutes: 90,
          timeSpentDate: now.slice(0, 10),
        },
    recipient: { locale, timeZone: actor.timeZone },
    ticketUrl: ticketUrl(deps.site.publicUrl, sampleTicket, { role: 'requester' }),
    // ${SIGNATURE} as if the one previewing wrote: their own signature, else the ticket's team's.
    signature: await readSignature(deps.storage, actor, sampleTicket),
  });
  return { ...rendered, ticketNumber: ticket?.number ?? null, variant: chosen.locale };
}
