import type { Locale } from '../locale.ts';
import type { EmailTemplateInput } from './email-template.ts';

const STYLE = 'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933;line-height:1.5';

function html(lines: { heading: string; wrote: string; footer: string; open: string; signature: string }) {
  return [
    `<div style="${STYLE}">`,
    '<p style="color:#9ca3af;font-size:12px">${REPLYABOVE}</p>',
    `<p><strong>${lines.heading}</strong></p>`,
    `<p>${lines.wrote}</p>`,
    '<blockquote style="margin:12px 0;padding:8px 12px;border-left:3px solid #3b82f6;background:#f5f8ff">${COMMENTTEXT}</blockquote>',
    `<p><a href="\${TICKETURL}">${lines.open}</a></p>`,
    `<p style="color:#6b7280;font-size:12px">${lines.footer}</p>`,
    // The signature (the author’s, else the team’s), then the earlier messages: nothing when there is none.
    `<div>${lines.signature}</div>`,
    '<div style="margin-top:16px;color:#6b7280;font-size:13px">${HISTORY}</div>',
    '</div>',
  ].join('\n');
}

/** The messaging template Parley ships in each language; `seed --demo` stores all three and points 417 at one. */
export const DEFAULT_TEMPLATES: Record<Locale, EmailTemplateInput> = {
  'en-US': {
    name: 'Messaging (en-US)',
    subject: '[#${IDSERVICEREQUEST}] New message: ${TICKETTITLE}',
    html: html({
      heading: 'Ticket #${IDSERVICEREQUEST} – ${TICKETTITLE}',
      wrote: '${USERNAME} wrote on ${DATETIMECREATED}:',
      open: 'Open the ticket',
      signature: '${SIGNATURE}',
      footer:
        'Requester: ${REQUESTERNAME} · Responsible: ${REQUESTRESPONSIBLENAME} · Status: ${TICKETSTATUS}. Reply to this email to answer.',
    }),
    active: true,
  },
  'pt-BR': {
    name: 'Mensageria (pt-BR)',
    subject: '[#${IDSOLICITACAOSERVICO}] Nova mensagem: ${TICKETTITLE}',
    html: html({
      heading: 'Ticket nº ${IDSOLICITACAOSERVICO} – ${TICKETTITLE}',
      wrote: '${REGISTRADOPOR} escreveu em ${DATAHORA}:',
      open: 'Abrir o ticket',
      signature: '${ASSINATURA}',
      footer:
        'Solicitante: ${NOMECONTATO} · Responsável: ${REQUESTRESPONSIBLENAME} · Situação: ${TICKETSTATUS}. Responda a este e-mail para continuar a conversa.',
    }),
    active: true,
  },
  'es-ES': {
    name: 'Mensajería (es-ES)',
    subject: '[#${IDSOLICITUDSERVICIO}] Nuevo mensaje: ${TICKETTITLE}',
    html: html({
      heading: 'Ticket n.º ${IDSOLICITUDSERVICIO} – ${TICKETTITLE}',
      wrote: '${USERNAME} escribió el ${DATETIMECREATED}:',
      open: 'Abrir el ticket',
      signature: '${FIRMA}',
      footer:
        'Solicitante: ${REQUESTERNAME} · Responsable: ${REQUESTRESPONSIBLENAME} · Estado: ${TICKETSTATUS}. Responda a este correo para contestar.',
    }),
    active: true,
  },
};

/**
 * One template of the shipped languages: en-US its default variant, pt-BR and es-ES its other variants (each
 * recipient gets their own language, `chooseVariant`).
 */
export function multilingual(name: string, byLocale: Record<Locale, EmailTemplateInput>): EmailTemplateInput {
  const variant = (locale: Locale) => ({
    locale,
    subject: byLocale[locale].subject,
    html: byLocale[locale].html,
    text: byLocale[locale].text ?? null,
  });
  return { ...variant('en-US'), name, active: true, variants: [variant('pt-BR'), variant('es-ES')] };
}

/** The messaging template Parley ships: one template with the three languages (`seed --demo` stores it). */
export const SHIPPED_MESSAGING_TEMPLATE = multilingual('Messaging', DEFAULT_TEMPLATES);
