import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { resolveLocale, type Locale } from '../locale.ts';
import { ticketUrl } from '../notifications/recipients.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import type { Ticket } from '../tickets/ticket.ts';
import type { Repositories } from '../../ports/storage.ts';
import type { Actor } from '../users/user.ts';
import {
  compileTemplate,
  renderTemplate,
  validateTemplate,
  type EmailTemplate,
  type EmailTemplateInput,
  type RenderedMail,
} from './email-template.ts';

export async function createTemplate(
  deps: Pick<Deps, 'storage' | 'clock'>,
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  const clean = validateTemplate(input);
  return deps.storage.createTemplate(clean, deps.clock.now().toISOString());
}

async function templateInUse(repos: Repositories, id: number): Promise<boolean> {
  return (await readParameters(repos)).get(PARAM.MESSAGING_TEMPLATE) === id;
}

/** Saves a template; `active` left out keeps the current state. The template row is locked first, so a concurrent
 * change of parameter 417 either sees the new state or is seen by this check. */
export async function updateTemplate(
  deps: Pick<Deps, 'storage' | 'clock'>,
  id: number,
  input: EmailTemplateInput,
): Promise<EmailTemplate> {
  return deps.storage.transaction(async (tx) => {
    const current = await tx.findTemplate(id, 'update');
    if (!current) throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
    const clean = validateTemplate({ ...input, active: input.active ?? current.active });
    if (!clean.active && (await templateInUse(tx, id))) {
      throw new DomainError(
        'TEMPLATE_IN_USE',
        `Template ${id} is the messaging template (parameter 417): point 417 at another template before deactivating it.`,
      );
    }
    return (await tx.updateTemplate(id, clean, deps.clock.now().toISOString()))!;
  });
}

export async function deleteTemplate(deps: Pick<Deps, 'storage'>, id: number): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    if (!(await tx.findTemplate(id, 'update')))
      throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
    if (await templateInUse(tx, id)) {
      throw new DomainError(
        'TEMPLATE_IN_USE',
        `Template ${id} is the messaging template (parameter 417): point 417 at another template before deleting it.`,
      );
    }
    await tx.deleteTemplate(id);
  });
}

export async function getTemplate(deps: Pick<Deps, 'storage'>, id: number): Promise<EmailTemplate> {
  const t = await deps.storage.findTemplate(id);
  if (!t) throw new DomainError('TEMPLATE_NOT_FOUND', `There is no email template ${id}.`);
  return t;
}

const SAMPLE_TEXT: Record<Locale, string> = {
  'en-US': 'This is how a message will look in the notification.\nA second line.',
  'pt-BR': 'É assim que uma mensagem aparecerá na notificação.\nUma segunda linha.',
  'es-ES': 'Así se verá un mensaje en la notificación.\nUna segunda línea.',
};

/**
 * Renders a template (stored, or an unsaved draft) against a real ticket and its latest public message,
 * for a recipient in the given locale. The same code path as a real notification.
 */
export async function previewTemplate(
  deps: Pick<Deps, 'storage' | 'clock' | 'site'>,
  actor: Actor,
  source: { id: number } | { draft: EmailTemplateInput },
  options: { ticketNumber?: number | null; locale?: string | null },
): Promise<RenderedMail & { ticketNumber: number | null }> {
  const template = 'id' in source ? await getTemplate(deps, source.id) : validateTemplate(source.draft);
  const compiled = compileTemplate(template);
  const locale = resolveLocale(options.locale ?? actor.locale);
  let ticket: Ticket | undefined;
  if (options.ticketNumber != null) {
    ticket = await deps.storage.findTicketByNumber(options.ticketNumber);
    if (!ticket) throw new DomainError('TICKET_NOT_FOUND', `Ticket ${options.ticketNumber} does not exist.`);
  } else {
    ticket = (await deps.storage.listTickets({ kind: 'all' }, {}, { limit: 1 })).items[0];
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
  const messages = ticket ? await deps.storage.listMessages(ticket.id, false) : [];
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
  });
  return { ...rendered, ticketNumber: ticket?.number ?? null };
}
