import { dateFormatter, type Locale, type Localized } from '../locale.ts';
import type { HistoryEntry, RenderContext, TemplateKey } from './render-context.ts';

export type { HistoryEntry };

/** The most earlier messages a mail may carry (parameter 9035 is bounded by it). */
export const MAX_HISTORY_MESSAGES = 10;
/** A long earlier message is cut to this many characters in the mail (the ticket page has all of it). */
export const HISTORY_TEXT_LIMIT = 2000;
/** At most this many file names per earlier message, each cut to HISTORY_NAME_LIMIT characters. */
export const HISTORY_FILES_LIMIT = 10;
export const HISTORY_NAME_LIMIT = 100;

/**
 * The reply marker, in each language. Parley's reply extraction cuts an incoming reply at any line framed by `##-`
 * and `-##` (quote prefixes, wrapping and the words themselves do not matter: inbound/reply-above-marker.ts), so a
 * reply posts only what was written above it, whichever language the mail was in.
 */
export const REPLY_MARKER: Localized = {
  'en-US': '##- Reply above this line -##',
  'pt-BR': '##- Responda acima desta linha -##',
  'es-ES': '##- Responda por encima de esta línea -##',
};

const EARLIER: Localized = {
  'en-US': 'Earlier in this conversation:',
  'pt-BR': 'Antes nesta conversa:',
  'es-ES': 'Antes en esta conversación:',
};
const FILES: Localized = { 'en-US': 'Attachments', 'pt-BR': 'Anexos', 'es-ES': 'Adjuntos' };
const MORE_FILES: Localized = { 'en-US': 'more', 'pt-BR': 'outros', 'es-ES': 'más' };

function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // never leave half of a surrogate pair
  return `${text.slice(0, end)}…`;
}

function when(iso: string, locale: Locale, timeZone: string): string {
  return dateFormatter(locale, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** The earlier messages, newest first, as text in the recipient's language; empty when there are none. */
export function historyText(ctx: RenderContext): string {
  const entries = ctx.history ?? [];
  if (entries.length === 0) return '';
  const { locale, timeZone } = ctx.recipient;
  const blocks = entries.slice(0, MAX_HISTORY_MESSAGES).map((e) => {
    const lines = [`${e.authorName} – ${when(e.createdAt, locale, timeZone)}`, cut(e.text, HISTORY_TEXT_LIMIT)];
    if (e.attachments.length > 0) {
      const names = e.attachments.slice(0, HISTORY_FILES_LIMIT).map((n) => cut(n, HISTORY_NAME_LIMIT));
      const more = e.attachments.length - names.length;
      lines.push(`${FILES[locale]}: ${names.join(', ')}${more > 0 ? ` (+${more} ${MORE_FILES[locale]})` : ''}`);
    }
    return lines.join('\n');
  });
  return [EARLIER[locale], ...blocks].join('\n\n');
}

/** The longest `historyText` can be (names are at most 120 characters, a date at most 64). */
const HISTORY_MAX_LENGTH =
  40 +
  MAX_HISTORY_MESSAGES *
    (2 + 120 + 3 + 64 + 1 + HISTORY_TEXT_LIMIT + 1 + 1 + 14 + HISTORY_FILES_LIMIT * (HISTORY_NAME_LIMIT + 3) + 16);

/** Parley's keys of the conversation: the reply marker and the earlier messages (issue 15). */
export const CONVERSATION_KEYS: readonly TemplateKey[] = [
  {
    name: 'REPLYABOVE',
    aliases: ['RESPONDAACIMA', 'RESPONDAPORENCIMA'],
    origin: 'parley',
    description: {
      'en-US': `The line a reply is written above, in the recipient’s language (“${REPLY_MARKER['en-US']}”): Parley posts only what a reply has above it`,
      'pt-BR': `A linha acima da qual se escreve a resposta, no idioma do destinatário (“${REPLY_MARKER['pt-BR']}”): o Parley publica só o que a resposta tem acima dela`,
      'es-ES': `La línea encima de la cual se escribe la respuesta, en el idioma del destinatario (“${REPLY_MARKER['es-ES']}”): Parley publica solo lo que la respuesta tiene encima`,
    },
    maxLength: 64,
    value: (c) => REPLY_MARKER[c.recipient.locale],
  },
  {
    name: 'HISTORY',
    aliases: ['HISTORICO', 'HISTORIAL'],
    origin: 'parley',
    multiline: true,
    description: {
      'en-US':
        'The earlier public messages of the ticket, newest first (how many: parameter 9035; never an internal note; files named, not attached); empty when there are none',
      'pt-BR':
        'As mensagens públicas anteriores do ticket, da mais recente à mais antiga (quantas: parâmetro 9035; nunca uma nota interna; anexos citados, não anexados); vazio quando não há',
      'es-ES':
        'Los mensajes públicos anteriores del ticket, del más reciente al más antiguo (cuántos: parámetro 9035; nunca una nota interna; adjuntos nombrados, no adjuntados); vacío si no hay',
    },
    maxLength: HISTORY_MAX_LENGTH,
    value: historyText,
  },
];
