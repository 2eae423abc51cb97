import type { Locale } from '../locale.ts';
import type { TicketEvent } from '../notifications/event-mails.ts';
import type { EmailTemplateInput } from './email-template.ts';

const STYLE = 'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933;line-height:1.5';
const QUOTE = 'margin:12px 0;padding:8px 12px;border-left:3px solid #3b82f6;background:#f5f8ff';

interface Words {
  name: string;
  subject: string;
  heading: string;
  body: string;
  open: string;
  footer: string;
  quote: boolean;
}

/** `${SIGNATURE}` as each language writes it (the ticket's team's signature in an event's mail). */
const SIGNATURE_KEY: Record<Locale, string> = {
  'en-US': '${SIGNATURE}',
  'pt-BR': '${ASSINATURA}',
  'es-ES': '${FIRMA}',
};

function template(locale: Locale, w: Words): EmailTemplateInput {
  const html = [
    `<div style="${STYLE}">`,
    `<p><strong>${w.heading}</strong></p>`,
    `<p>${w.body}</p>`,
    ...(w.quote ? [`<blockquote style="${QUOTE}">\${COMMENTTEXT}</blockquote>`] : []),
    `<p><a href="\${TICKETURL}">${w.open}</a></p>`,
    `<p style="color:#6b7280;font-size:12px">${w.footer}</p>`,
    // The team's signature, last: nothing but an empty block when it has none.
    `<div>${SIGNATURE_KEY[locale]}</div>`,
    '</div>',
  ].join('\n');
  return { name: w.name, subject: w.subject, html, active: true };
}

const ID = '${IDSERVICEREQUEST}';
const T = '${TICKETTITLE}';

/**
 * The event templates Parley ships, in each language (keys as in the messaging template: the request's description is
 * ${COMMENTTEXT}); `seed --demo` stores them all and points parameters 9022–9025 at the en-US ones.
 */
export const DEFAULT_EVENT_TEMPLATES: Record<TicketEvent, Record<Locale, EmailTemplateInput>> = {
  acknowledgement: {
    'en-US': template('en-US', {
      name: 'New request received (en-US)',
      subject: `[#${ID}] We received your request: ${T}`,
      heading: `Request #${ID} – ${T}`,
      body: 'We received your request on ${DATETIMECREATED}. A technician will answer you here; you can reply to this email to add anything.',
      open: 'Follow your request',
      footer: 'Status: ${TICKETSTATUS}.',
      quote: true,
    }),
    'pt-BR': template('pt-BR', {
      name: 'Solicitação recebida (pt-BR)',
      subject: '[#${IDSOLICITACAOSERVICO}] Recebemos sua solicitação: ' + T,
      heading: 'Solicitação nº ${IDSOLICITACAOSERVICO} – ' + T,
      body: 'Recebemos sua solicitação em ${DATAHORA}. Um técnico vai respondê-lo por aqui; responda a este e-mail para acrescentar algo.',
      open: 'Acompanhar a solicitação',
      footer: 'Situação: ${TICKETSTATUS}.',
      quote: true,
    }),
    'es-ES': template('es-ES', {
      name: 'Solicitud recibida (es-ES)',
      subject: '[#${IDSOLICITUDSERVICIO}] Hemos recibido su solicitud: ' + T,
      heading: 'Solicitud n.º ${IDSOLICITUDSERVICIO} – ' + T,
      body: 'Hemos recibido su solicitud el ${DATETIMECREATED}. Un técnico le responderá aquí; responda a este correo para añadir algo.',
      open: 'Seguir la solicitud',
      footer: 'Estado: ${TICKETSTATUS}.',
      quote: true,
    }),
  },
  assigned: {
    'en-US': template('en-US', {
      name: 'Assigned to you (en-US)',
      subject: `[#${ID}] Assigned to you: ${T}`,
      heading: `Ticket #${ID} – ${T}`,
      body: '${USERNAME} made you responsible for this ticket of ${REQUESTERNAME}.',
      open: 'Open the ticket',
      footer: 'Status: ${TICKETSTATUS}.',
      quote: true,
    }),
    'pt-BR': template('pt-BR', {
      name: 'Atribuído a você (pt-BR)',
      subject: '[#${IDSOLICITACAOSERVICO}] Atribuído a você: ' + T,
      heading: 'Ticket nº ${IDSOLICITACAOSERVICO} – ' + T,
      body: '${REGISTRADOPOR} tornou você responsável por este ticket de ${NOMECONTATO}.',
      open: 'Abrir o ticket',
      footer: 'Situação: ${TICKETSTATUS}.',
      quote: true,
    }),
    'es-ES': template('es-ES', {
      name: 'Asignado a usted (es-ES)',
      subject: '[#${IDSOLICITUDSERVICIO}] Asignado a usted: ' + T,
      heading: 'Ticket n.º ${IDSOLICITUDSERVICIO} – ' + T,
      body: '${USERNAME} le hizo responsable de este ticket de ${REQUESTERNAME}.',
      open: 'Abrir el ticket',
      footer: 'Estado: ${TICKETSTATUS}.',
      quote: true,
    }),
  },
  'team-new': {
    'en-US': template('en-US', {
      name: 'New request in your team (en-US)',
      subject: `[#${ID}] New request in your team: ${T}`,
      heading: `Ticket #${ID} – ${T}`,
      body: '${REQUESTERNAME} opened a request for your team on ${DATETIMECREATED}; nobody is responsible for it yet.',
      open: 'Open the ticket',
      footer: 'Status: ${TICKETSTATUS}.',
      quote: true,
    }),
    'pt-BR': template('pt-BR', {
      name: 'Nova solicitação na sua equipe (pt-BR)',
      subject: '[#${IDSOLICITACAOSERVICO}] Nova solicitação na sua equipe: ' + T,
      heading: 'Ticket nº ${IDSOLICITACAOSERVICO} – ' + T,
      body: '${NOMECONTATO} abriu uma solicitação para a sua equipe em ${DATAHORA}; ainda não há responsável.',
      open: 'Abrir o ticket',
      footer: 'Situação: ${TICKETSTATUS}.',
      quote: true,
    }),
    'es-ES': template('es-ES', {
      name: 'Nueva solicitud en su equipo (es-ES)',
      subject: '[#${IDSOLICITUDSERVICIO}] Nueva solicitud en su equipo: ' + T,
      heading: 'Ticket n.º ${IDSOLICITUDSERVICIO} – ' + T,
      body: '${REQUESTERNAME} abrió una solicitud para su equipo el ${DATETIMECREATED}; aún no tiene responsable.',
      open: 'Abrir el ticket',
      footer: 'Estado: ${TICKETSTATUS}.',
      quote: true,
    }),
  },
  'closed-notice': {
    'en-US': template('en-US', {
      name: 'Reply to a closed ticket (en-US)',
      subject: `[#${ID}] This ticket is closed: ${T}`,
      heading: `Ticket #${ID} – ${T} is closed`,
      body: 'Your reply was not added to it. To ask for something else, open a new request in the portal: the link below shows the ticket and a button to open one.',
      open: 'Open the portal',
      footer: 'This is an automatic answer: replies to it are not read.',
      quote: false,
    }),
    'pt-BR': template('pt-BR', {
      name: 'Resposta a um ticket fechado (pt-BR)',
      subject: '[#${IDSOLICITACAOSERVICO}] Este ticket está fechado: ' + T,
      heading: 'O ticket nº ${IDSOLICITACAOSERVICO} – ' + T + ' está fechado',
      body: 'Sua resposta não foi acrescentada a ele. Para pedir outra coisa, abra uma nova solicitação no portal: o link abaixo mostra o ticket e um botão para abri-la.',
      open: 'Abrir o portal',
      footer: 'Esta é uma resposta automática: respostas a ela não são lidas.',
      quote: false,
    }),
    'es-ES': template('es-ES', {
      name: 'Respuesta a un ticket cerrado (es-ES)',
      subject: '[#${IDSOLICITUDSERVICIO}] Este ticket está cerrado: ' + T,
      heading: 'El ticket n.º ${IDSOLICITUDSERVICIO} – ' + T + ' está cerrado',
      body: 'Su respuesta no se añadió. Para pedir otra cosa, abra una nueva solicitud en el portal: el enlace de abajo muestra el ticket y un botón para abrirla.',
      open: 'Abrir el portal',
      footer: 'Esta es una respuesta automática: las respuestas a ella no se leen.',
      quote: false,
    }),
  },
};
