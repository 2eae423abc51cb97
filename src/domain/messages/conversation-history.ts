import type { Uses } from '../../ports/storage.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import type { ParameterValues } from '../parameters/parameters.ts';
import { MAX_HISTORY_MESSAGES, type HistoryEntry } from '../templates/conversation-keys.ts';
import { compiledForLocale, type EmailTemplate } from '../templates/email-template.ts';

/** True when some variant of the template says `${HISTORY}` (or an alias): only then is the history read. */
export function templateShowsHistory(template: EmailTemplate): boolean {
  return [template.locale, ...template.variants.map((v) => v.locale)].some((locale) => {
    const compiled = compiledForLocale(template, locale);
    return [compiled.subject, compiled.html, compiled.text].some((field) =>
      field.some((part) => typeof part !== 'string' && part.name === 'HISTORY'),
    );
  });
}

/**
 * The earlier public messages a new message's mails carry, newest first: as many as parameter 9035 says, never an
 * internal note nor a removed message, each with the names of its files (one prepared query). Read before the new
 * message is stored, so it is never its own history; empty when the template does not show it. Each with its author's
 * id: their words are in the mail, so the message's write checks they were not erased meanwhile (`renderedWith`).
 */
export async function conversationHistory(
  storage: Uses<{ messages: 'latestPublicMessages' }>,
  ticketId: number,
  template: EmailTemplate,
  parameters: ParameterValues,
): Promise<(HistoryEntry & { authorId: number })[]> {
  const wanted = Number(parameters.get(PARAM.MAIL_HISTORY) ?? 0);
  const count = Math.min(Math.max(0, Math.trunc(wanted)), MAX_HISTORY_MESSAGES);
  if (count === 0 || !templateShowsHistory(template)) return [];
  const messages = await storage.messages.latestPublicMessages(ticketId, count);
  if (messages.length === 0) return [];
  return messages.map((m) => ({
    authorId: m.authorId,
    authorName: m.authorName,
    createdAt: m.createdAt,
    text: m.text,
    attachments: m.fileNames,
  }));
}
