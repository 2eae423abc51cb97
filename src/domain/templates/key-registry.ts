import { dateFormatter, type Locale, type Localized } from '../locale.ts';
import { statusName } from '../tickets/ticket-status.ts';
import { MAX_MESSAGE_LENGTH } from '../messages/message.ts';
import { CONVERSATION_KEYS } from './conversation-keys.ts';
import { MAX_RENDERED_SIGNATURE, type RenderContext, type TemplateKey } from './render-context.ts';

export type { RenderContext, SignatureRenderer, TemplateKey } from './render-context.ts';
export { MAX_RENDERED_SIGNATURE } from './render-context.ts';

const NOT_ASSIGNED: Localized = {
  'en-US': 'not assigned yet',
  'pt-BR': 'ainda não atribuído',
  'es-ES': 'aún sin asignar',
};
const NOT_SET: Localized = { 'en-US': 'not set', 'pt-BR': 'não informado', 'es-ES': 'sin especificar' };
const NOT_LOGGED: Localized = { 'en-US': 'not logged', 'pt-BR': 'não registrado', 'es-ES': 'no registrado' };

/** A value, or words for "nothing yet" in the recipient's language: a mail never says "Responsible: ." */
function orElse(value: string | null | undefined, whenEmpty: Localized, ctx: RenderContext): string {
  return value ? value : whenEmpty[ctx.recipient.locale];
}

/**
 * Names of people and the ticket's classification fields are at most 120 characters (users/user.ts,
 * tickets/ticket-fields.ts).
 */
const NAME_LENGTH = 120;

const formatted = new Map<string, string>();

/** Formatted to the minute: memoised per locale, time zone and minute (many mails share them); bounded. */
function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  const key = `${locale}|${timeZone}|${iso.slice(0, 16)}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = dateFormatter(locale, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(new Date(iso));
    if (formatted.size >= 2000) formatted.delete(formatted.keys().next().value!);
    formatted.set(key, text);
  }
  return text;
}

function formatDate(day: string | null, locale: Locale): string {
  if (!day) return '';
  return dateFormatter(locale, { dateStyle: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * The key registry: every key of the five CITSmart/4biz documents (en-US, pt-BR, es-ES), aliases folded onto one
 * value, plus Parley's own keys. A template may use any name listed here and nothing else.
 */
export const TEMPLATE_KEYS: readonly TemplateKey[] = [
  {
    name: 'IDSERVICEREQUEST',
    aliases: ['IDSOLICITACAOSERVICO', 'IDSOLICITUDSERVICIO'],
    origin: 'citsmart',
    description: {
      'en-US': 'Number of the ticket (public key)',
      'pt-BR': 'Número do ticket (chave pública)',
      'es-ES': 'Número del ticket (clave pública)',
    },
    maxLength: 10,
    value: (c) => String(c.ticket.number),
  },
  {
    name: 'COMMENTTEXT',
    aliases: [],
    origin: 'citsmart',
    multiline: true,
    description: {
      'en-US': 'Text of the message',
      'pt-BR': 'Texto da mensagem',
      'es-ES': 'Texto del mensaje',
    },
    maxLength: MAX_MESSAGE_LENGTH,
    value: (c) => c.message.text,
    html: (c) => c.message.html ?? null,
  },
  {
    name: 'DATETIMECREATED',
    aliases: ['DATAHORA'],
    origin: 'citsmart',
    description: {
      'en-US': 'Date and time the message was registered, in the recipient’s language and time zone',
      'pt-BR': 'Data e hora em que a mensagem foi registrada, no idioma e fuso horário do destinatário',
      'es-ES': 'Fecha y hora en que se registró el mensaje, en el idioma y la zona horaria del destinatario',
    },
    maxLength: 64,
    value: (c) => formatDateTime(c.message.createdAt, c.recipient.locale, c.recipient.timeZone),
  },
  {
    name: 'USERNAME',
    aliases: ['REGISTRADOPOR'],
    origin: 'citsmart',
    description: {
      'en-US': 'Name of the person who wrote the message',
      'pt-BR': 'Nome de quem registrou a mensagem',
      'es-ES': 'Nombre de quien escribió el mensaje',
    },
    maxLength: NAME_LENGTH,
    value: (c) => c.message.authorName,
  },
  {
    name: 'REQUESTERNAME',
    aliases: ['NOMECONTATO'],
    origin: 'citsmart',
    description: {
      'en-US': 'Name of the requester (contact)',
      'pt-BR': 'Nome do solicitante (contato)',
      'es-ES': 'Nombre del solicitante (contacto)',
    },
    maxLength: NAME_LENGTH,
    value: (c) => c.ticket.contactName || c.ticket.requesterName,
  },
  {
    name: 'REQUESTRESPONSIBLENAME',
    aliases: [],
    origin: 'citsmart',
    description: {
      'en-US': 'Name of the technician responsible for the ticket (“not assigned yet” while nobody is)',
      'pt-BR': 'Nome do técnico responsável pelo ticket (“ainda não atribuído” enquanto não houver)',
      'es-ES': 'Nombre del técnico responsable del ticket (“aún sin asignar” mientras no haya)',
    },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.responsibleName, NOT_ASSIGNED, c),
  },
  {
    name: 'DEMANDA',
    aliases: [],
    origin: 'citsmart',
    description: { 'en-US': 'Demand (activity type)', 'pt-BR': 'Tipo da atividade', 'es-ES': 'Tipo de actividad' },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.demandType, NOT_SET, c),
  },
  {
    name: 'SERVICO',
    aliases: [],
    origin: 'citsmart',
    description: { 'en-US': 'Activity (catalogue item)', 'pt-BR': 'Atividade', 'es-ES': 'Actividad' },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.activity, NOT_SET, c),
  },
  {
    name: 'SERVICORELACIONADO',
    aliases: [],
    origin: 'citsmart',
    description: {
      'en-US': 'Service the activity belongs to',
      'pt-BR': 'Serviço',
      'es-ES': 'Servicio al que pertenece la actividad',
    },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.relatedService, NOT_SET, c),
  },
  {
    name: 'PORTFOLIO',
    aliases: [],
    origin: 'citsmart',
    description: { 'en-US': 'Portfolio', 'pt-BR': 'Portfólio', 'es-ES': 'Portafolio' },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.portfolio, NOT_SET, c),
  },
  {
    name: 'CATEGORIA',
    aliases: [],
    origin: 'citsmart',
    description: {
      'en-US': 'Occurrence category',
      'pt-BR': 'Categoria da ocorrência',
      'es-ES': 'Categoría de la ocurrencia',
    },
    maxLength: NAME_LENGTH,
    value: (c) => orElse(c.ticket.category, NOT_SET, c),
  },
  {
    name: 'TEMPOGASTODATA',
    aliases: [],
    origin: 'citsmart',
    description: {
      'en-US': 'Date of the time entry logged with the message (“not logged” when none)',
      'pt-BR': 'Tempo gasto – data (“não registrado” quando não houver)',
      'es-ES': 'Fecha del tiempo registrado con el mensaje (“no registrado” si no hay)',
    },
    maxLength: 32,
    value: (c) => orElse(formatDate(c.message.timeSpentDate, c.recipient.locale), NOT_LOGGED, c),
  },
  {
    name: 'TEMPOGASTOHORA',
    aliases: [],
    origin: 'citsmart',
    description: {
      'en-US': 'Time spent logged with the message, HH:MM (“not logged” when none)',
      'pt-BR': 'Tempo gasto – horas, HH:MM (“não registrado” quando não houver)',
      'es-ES': 'Tiempo dedicado registrado con el mensaje, HH:MM (“no registrado” si no hay)',
    },
    maxLength: 32,
    value: (c) => orElse(formatMinutes(c.message.timeSpentMinutes), NOT_LOGGED, c),
  },
  {
    name: 'TICKETTITLE',
    aliases: [],
    origin: 'parley',
    description: { 'en-US': 'Title of the ticket', 'pt-BR': 'Título do ticket', 'es-ES': 'Título del ticket' },
    maxLength: 200,
    value: (c) => c.ticket.title,
  },
  {
    name: 'TICKETSTATUS',
    aliases: [],
    origin: 'parley',
    description: {
      'en-US': 'Status of the ticket, in the recipient’s language',
      'pt-BR': 'Situação do ticket, no idioma do destinatário',
      'es-ES': 'Estado del ticket, en el idioma del destinatario',
    },
    maxLength: 32,
    value: (c) => statusName(c.ticket.status, c.recipient.locale),
  },
  {
    name: 'TICKETURL',
    aliases: [],
    origin: 'parley',
    description: {
      'en-US': 'Link that opens the ticket (portal for the requester, desk for technicians)',
      'pt-BR': 'Link que abre o ticket (portal para o solicitante, central para os técnicos)',
      'es-ES': 'Enlace que abre el ticket (portal para el solicitante, escritorio para los técnicos)',
    },
    maxLength: 2048,
    value: (c) => c.ticketUrl,
  },
  {
    name: 'SIGNATURE',
    aliases: ['ASSINATURA', 'FIRMA'],
    origin: 'parley',
    multiline: true,
    description: {
      'en-US':
        'Signature of the technician who wrote the message, else of the ticket’s team; nothing for a requester’s message',
      'pt-BR':
        'Assinatura do técnico que escreveu a mensagem, senão a da equipe do ticket; nada numa mensagem do solicitante',
      'es-ES':
        'Firma del técnico que escribió el mensaje, si no la del equipo del ticket; nada en un mensaje del solicitante',
    },
    maxLength: MAX_RENDERED_SIGNATURE,
    // The signature's own keys are filled in for this recipient, as text (escaped in HTML as any value).
    value: (c) => (c.signature ? c.signature(c) : ''),
  },
  ...CONVERSATION_KEYS,
];

const BY_NAME = new Map<string, TemplateKey>();
for (const key of TEMPLATE_KEYS) {
  for (const name of [key.name, ...key.aliases]) BY_NAME.set(name, key);
}

export function findTemplateKey(name: string): TemplateKey | undefined {
  return BY_NAME.get(name);
}

/** Every accepted name (canonical and aliases), for palettes and documentation. */
export function allKeyNames(): string[] {
  return [...BY_NAME.keys()];
}

export function describeKeys(locale: Locale) {
  return TEMPLATE_KEYS.map((k) => ({
    name: k.name,
    aliases: k.aliases,
    origin: k.origin,
    description: k.description[locale],
  }));
}
