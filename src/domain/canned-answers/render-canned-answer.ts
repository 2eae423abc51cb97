import type { Deps, StorageOf } from '../deps.ts';
import { resolveLocale } from '../locale.ts';
import { ticketUrl } from '../notifications/recipients.ts';
import { readSignature } from '../signatures/mail-signature.ts';
import { renderField } from '../templates/render-template.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import type { Actor } from '../users/user.ts';
import { canonicalLocale, chooseVariant, compileAnswerText } from './canned-answer.ts';
import { answerNotFound, mayUse, requireStaff } from './canned-answer-access.ts';

export interface RenderedAnswer {
  answerId: number;
  name: string;
  /** The variant used, and every variant the answer has (the default first). */
  locale: string;
  locales: string[];
  /** Plain text for the composer: values inserted as they are, never HTML-escaped. */
  text: string;
}

/**
 * An answer rendered for a ticket the actor may see: the variant of the requester's language (exact locale, then the
 * same language, then the answer's default) unless `locale` names another; its keys filled with the same renderer as
 * a notification's text body, for the requester (their language and time zone) and the ticket's latest public message.
 */
export async function renderCannedAnswer(
  deps: Pick<Deps, 'site'> & { storage: StorageOf<'cannedAnswers' | 'messages' | 'people' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
  answerId: number,
  options: { locale?: string | null } = {},
): Promise<RenderedAnswer> {
  requireStaff(actor);
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  const answer = await deps.storage.cannedAnswers.findCannedAnswer(answerId);
  if (!answer || !mayUse(actor, answer)) throw answerNotFound(answerId);
  const requester = await deps.storage.people.findUserById(ticket.requesterId);
  const wanted = (options.locale && canonicalLocale(options.locale)) || requester?.locale || actor.locale;
  const variant = chooseVariant(answer, wanted);
  const messages = await deps.storage.messages.listMessages(ticket.id, false);
  const last = messages.filter((m) => !m.internal).at(-1);
  const text = renderField(
    compileAnswerText(variant.locale, variant.text),
    {
      ticket,
      message: last
        ? {
            text: last.text,
            authorName: last.authorName,
            createdAt: last.createdAt,
            timeSpentMinutes: last.timeSpentMinutes,
            timeSpentDate: last.timeSpentDate,
          }
        : {
            text: ticket.description,
            authorName: ticket.requesterName,
            createdAt: ticket.createdAt,
            timeSpentMinutes: null,
            timeSpentDate: null,
          },
      recipient: { locale: resolveLocale(variant.locale), timeZone: requester?.timeZone ?? actor.timeZone },
      // ${SIGNATURE}: the signature of the technician inserting the answer, else the ticket's team's.
      signature: await readSignature(deps.storage, actor, ticket),
      ticketUrl: ticketUrl(deps.site.publicUrl, ticket, { role: 'requester' }),
    },
    'text',
  );
  return {
    answerId: answer.id,
    name: answer.name,
    locale: variant.locale,
    locales: answer.variants.map((v) => v.locale),
    text,
  };
}
