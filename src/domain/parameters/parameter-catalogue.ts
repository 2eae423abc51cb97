import { DomainError } from '../errors.ts';
import type { Localized } from '../locale.ts';
import { isEmailAddress } from '../users/user.ts';
import { REOPEN_FROM, REOPEN_TO, TICKET_EVENT_DEFINITIONS, TICKET_EVENT_PARAM } from './ticket-event-parameters.ts';
import { MAX_HISTORY_MESSAGES } from '../templates/conversation-keys.ts';
import { DOTTED_QUAD, isForbiddenHost, NUMERIC_LABEL, parseIpv6 } from './forbidden-hosts.ts';

export { isForbiddenHost };

export type ParameterType =
  'templateId' | 'groupId' | 'email' | 'boolean' | 'text' | 'secret' | 'host' | 'port' | 'enum' | 'days' | 'count';
export type ParameterValue = string | number | boolean | null;

export interface ParameterDefinition {
  /** The number CITSmart's documentation gives the setting; Parley's own settings are numbered from 9001. */
  id: number;
  type: ParameterType;
  description: Localized;
  options?: readonly string[];
  /** Value when nothing is stored. */
  defaultValue: ParameterValue;
  /** Once set, it cannot be emptied again (only changed). */
  required?: boolean;
}

export const PARAM = {
  MESSAGING_TEMPLATE: 417,
  SMTP_FROM: 10,
  SMTP_AUTH: 11,
  SMTP_USER: 12,
  SMTP_PASSWORD: 13,
  SMTP_HOST: 14,
  SMTP_SECURITY: 199,
  SMTP_PORT: 269,
  SMTP_FROM_NAME: 9001,
  SMTP_ALLOW_INVALID_CERTIFICATE: 9002,
  INBOUND_OPEN_TICKETS: 9003,
  INBOUND_TICKET_GROUP: 9004,
  IMAP_HOST: 9010,
  IMAP_PORT: 9011,
  IMAP_SECURITY: 9012,
  IMAP_USER: 9013,
  IMAP_PASSWORD: 9014,
  IMAP_MAILBOX: 9015,
  SUPPORT_MAILBOX_TEAM: 9016,
  AUDIT_RETENTION_DAYS: 9017,
  DEFAULT_TEAM: 9018,
  ...TICKET_EVENT_PARAM,
  MAIL_HISTORY: 9035,
  COPIES_FROM_MAIL: 9036,
} as const;

/** Who in a requester's mail (To, Cc) becomes a copy of the ticket it opens or answers (parameter 9036). */
export const COPIES_FROM_MAIL = ['never', 'same-domain', 'anyone'] as const;
export type CopiesFromMail = (typeof COPIES_FROM_MAIL)[number];

export { REOPEN_FROM, REOPEN_TO };

export const IMAP_SECURITY = ['tls', 'starttls', 'none'] as const;

export const SMTP_SECURITY = ['none', 'starttls', 'tls'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

export const PARAMETER_CATALOGUE: readonly ParameterDefinition[] = [
  {
    id: PARAM.SMTP_FROM,
    type: 'email',
    defaultValue: null,
    description: {
      'en-US': 'Sender address of outgoing mail',
      'pt-BR': 'Endereço de remetente dos e-mails enviados',
      'es-ES': 'Dirección de remitente del correo saliente',
    },
  },
  {
    id: PARAM.SMTP_AUTH,
    type: 'boolean',
    defaultValue: false,
    description: {
      'en-US': 'SMTP server requires authentication',
      'pt-BR': 'O servidor SMTP requer autenticação',
      'es-ES': 'El servidor SMTP requiere autenticación',
    },
  },
  {
    id: PARAM.SMTP_USER,
    type: 'text',
    defaultValue: null,
    description: { 'en-US': 'SMTP user', 'pt-BR': 'Usuário SMTP', 'es-ES': 'Usuario SMTP' },
  },
  {
    id: PARAM.SMTP_PASSWORD,
    type: 'secret',
    defaultValue: null,
    description: {
      'en-US': 'SMTP password (write-only, encrypted at rest)',
      'pt-BR': 'Senha SMTP (somente escrita, criptografada no armazenamento)',
      'es-ES': 'Contraseña SMTP (solo escritura, cifrada en reposo)',
    },
  },
  {
    id: PARAM.SMTP_HOST,
    type: 'host',
    defaultValue: null,
    description: { 'en-US': 'SMTP host', 'pt-BR': 'Servidor SMTP', 'es-ES': 'Servidor SMTP' },
  },
  {
    id: PARAM.SMTP_SECURITY,
    type: 'enum',
    options: SMTP_SECURITY,
    defaultValue: 'starttls',
    description: {
      'en-US': 'SMTP connection security: none, STARTTLS or TLS',
      'pt-BR': 'Segurança da conexão SMTP: nenhuma, STARTTLS ou TLS',
      'es-ES': 'Seguridad de la conexión SMTP: ninguna, STARTTLS o TLS',
    },
  },
  {
    id: PARAM.SMTP_PORT,
    type: 'port',
    defaultValue: 587,
    description: { 'en-US': 'SMTP port', 'pt-BR': 'Porta SMTP', 'es-ES': 'Puerto SMTP' },
  },
  {
    id: PARAM.MESSAGING_TEMPLATE,
    type: 'templateId',
    defaultValue: null,
    description: {
      'en-US': 'ID of the email template used by messaging',
      'pt-BR': 'ID do modelo de e-mail usado pela mensageria',
      'es-ES': 'ID de la plantilla de correo usada por la mensajería',
    },
  },
  {
    id: PARAM.SMTP_FROM_NAME,
    type: 'text',
    defaultValue: null,
    description: {
      'en-US': 'Sender name of outgoing mail',
      'pt-BR': 'Nome do remetente dos e-mails enviados',
      'es-ES': 'Nombre del remitente del correo saliente',
    },
  },
  {
    id: PARAM.SMTP_ALLOW_INVALID_CERTIFICATE,
    type: 'boolean',
    defaultValue: false,
    description: {
      'en-US': 'Accept an SMTP server certificate that cannot be verified (unsafe; for internal servers only)',
      'pt-BR':
        'Aceitar um certificado do servidor SMTP que não pode ser verificado (inseguro; só para servidores internos)',
      'es-ES':
        'Aceptar un certificado del servidor SMTP que no se puede verificar (inseguro; solo para servidores internos)',
    },
  },
  {
    id: PARAM.INBOUND_OPEN_TICKETS,
    type: 'boolean',
    defaultValue: true,
    description: {
      'en-US': 'Open a ticket from unmatched mail of known requesters to the support address',
      'pt-BR':
        'Abrir um ticket a partir de e-mail sem correspondência de solicitantes conhecidos enviado ao endereço de suporte',
      'es-ES':
        'Abrir un ticket a partir de correo sin correspondencia de solicitantes conocidos enviado a la dirección de soporte',
    },
  },
  {
    id: PARAM.INBOUND_TICKET_GROUP,
    type: 'text',
    defaultValue: null,
    description: {
      'en-US': 'Name of the group that receives tickets opened from mail (empty: no group)',
      'pt-BR': 'Nome do grupo que recebe os tickets abertos por e-mail (vazio: nenhum grupo)',
      'es-ES': 'Nombre del grupo que recibe los tickets abiertos por correo (vacío: ningún grupo)',
    },
  },
  {
    id: PARAM.IMAP_HOST,
    type: 'host',
    defaultValue: null,
    description: {
      'en-US': 'IMAP host of the support mailbox read for replies (empty: no mailbox is read)',
      'pt-BR': 'Servidor IMAP da caixa de suporte lida para respostas (vazio: nenhuma caixa é lida)',
      'es-ES': 'Servidor IMAP del buzón de soporte leído para respuestas (vacío: no se lee ningún buzón)',
    },
  },
  {
    id: PARAM.IMAP_PORT,
    type: 'port',
    defaultValue: 993,
    description: { 'en-US': 'IMAP port', 'pt-BR': 'Porta IMAP', 'es-ES': 'Puerto IMAP' },
  },
  {
    id: PARAM.IMAP_SECURITY,
    type: 'enum',
    options: IMAP_SECURITY,
    defaultValue: 'tls',
    description: {
      'en-US': 'IMAP connection security: TLS, STARTTLS or none',
      'pt-BR': 'Segurança da conexão IMAP: TLS, STARTTLS ou nenhuma',
      'es-ES': 'Seguridad de la conexión IMAP: TLS, STARTTLS o ninguna',
    },
  },
  {
    id: PARAM.IMAP_USER,
    type: 'text',
    defaultValue: null,
    description: { 'en-US': 'IMAP user', 'pt-BR': 'Usuário IMAP', 'es-ES': 'Usuario IMAP' },
  },
  {
    id: PARAM.IMAP_PASSWORD,
    type: 'secret',
    defaultValue: null,
    description: {
      'en-US': 'IMAP password (write-only, encrypted at rest)',
      'pt-BR': 'Senha IMAP (somente escrita, criptografada no armazenamento)',
      'es-ES': 'Contraseña IMAP (solo escritura, cifrada en reposo)',
    },
  },
  {
    id: PARAM.IMAP_MAILBOX,
    type: 'text',
    defaultValue: 'INBOX',
    description: { 'en-US': 'IMAP folder to read', 'pt-BR': 'Pasta IMAP a ler', 'es-ES': 'Carpeta IMAP que se lee' },
  },
  {
    id: PARAM.SUPPORT_MAILBOX_TEAM,
    type: 'groupId',
    defaultValue: null,
    description: {
      'en-US':
        'Team of the support mailbox: its technicians review held mail that names no ticket (empty: administrators only)',
      'pt-BR':
        'Equipe da caixa de suporte: seus técnicos revisam o e-mail retido que não cita nenhum ticket (vazio: só administradores)',
      'es-ES':
        'Equipo del buzón de soporte: sus técnicos revisan el correo retenido que no cita ningún ticket (vacío: solo administradores)',
    },
  },
  {
    id: PARAM.AUDIT_RETENTION_DAYS,
    type: 'days',
    defaultValue: 365,
    description: {
      'en-US': 'Days the audit log of administrative changes is kept (older entries are removed)',
      'pt-BR':
        'Dias em que o registro de auditoria das alterações administrativas é mantido (as entradas mais antigas são removidas)',
      'es-ES':
        'Días que se conserva el registro de auditoría de los cambios administrativos (las entradas más antiguas se eliminan)',
    },
  },
  {
    id: PARAM.DEFAULT_TEAM,
    type: 'groupId',
    required: true,
    defaultValue: null,
    description: {
      'en-US':
        'Default team: the team of a ticket opened without one (portal, API, mail); setting it moves tickets that have no team into it',
      'pt-BR':
        'Equipe padrão: a equipe de um ticket aberto sem equipe (portal, API, e-mail); defini-la move para ela os tickets sem equipe',
      'es-ES':
        'Equipo predeterminado: el equipo de un ticket abierto sin equipo (portal, API, correo); fijarlo mueve a él los tickets sin equipo',
    },
  },
  ...TICKET_EVENT_DEFINITIONS,
  {
    id: PARAM.MAIL_HISTORY,
    type: 'count',
    defaultValue: 3,
    description: {
      'en-US': `Earlier public messages a mail carries below the reply marker, newest first (0 to ${MAX_HISTORY_MESSAGES}; key \${HISTORY})`,
      'pt-BR': `Mensagens públicas anteriores que um e-mail traz abaixo da linha de resposta, da mais recente (0 a ${MAX_HISTORY_MESSAGES}; chave \${HISTORICO})`,
      'es-ES': `Mensajes públicos anteriores que lleva un correo debajo de la línea de respuesta, del más reciente (0 a ${MAX_HISTORY_MESSAGES}; clave \${HISTORIAL})`,
    },
  },
  {
    id: PARAM.COPIES_FROM_MAIL,
    type: 'enum',
    options: COPIES_FROM_MAIL,
    defaultValue: 'same-domain',
    description: {
      'en-US':
        'Who in the To and Cc of a requester’s mail that opens or answers a ticket becomes its copy: no one, the people of the requester’s domain, or anyone (never an address of this desk)',
      'pt-BR':
        'Quem no Para e no Cc de um e-mail do solicitante que abre ou responde um ticket vira cópia dele: ninguém, as pessoas do domínio do solicitante, ou qualquer pessoa (nunca um endereço deste atendimento)',
      'es-ES':
        'Quién en el Para y el Cc de un correo del solicitante que abre o responde un ticket pasa a ser su copia: nadie, las personas del dominio del solicitante, o cualquier persona (nunca una dirección de este servicio)',
    },
  },
];

/** The longest a `days` parameter may be: a hundred years. */
export const MAX_PARAMETER_DAYS = 36500;

const BY_ID = new Map(PARAMETER_CATALOGUE.map((d) => [d.id, d]));

export function parameterDefinition(id: number): ParameterDefinition | undefined {
  return BY_ID.get(id);
}

/** Which rule a value broke, for the web to say in the reader's language (`details.rule`). */
export type ParameterRule =
  | 'required'
  | 'templateId'
  | 'groupId'
  | 'email'
  | 'boolean'
  | 'text'
  | 'maxLength'
  | 'oneLine'
  | 'host'
  | 'forbiddenHost'
  | 'port'
  | 'days'
  | 'count'
  | 'enum';

function invalid(def: ParameterDefinition, rule: ParameterRule, reason: string): never {
  const details =
    rule === 'enum' ? { parameter: def.id, rule, options: [...def.options!] } : { parameter: def.id, rule };
  throw new DomainError('PARAMETER_INVALID', `Parameter ${def.id}: ${reason}`, { details });
}

const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  if (DOTTED_QUAD.test(value)) return true;
  if (value.includes(':')) return parseIpv6(value.toLowerCase().replace(/^\[|\]$/g, '')) !== undefined;
  const labels = value.replace(/\.$/, '').split('.');
  // A name made only of numbers is an address in disguise (2852039166, 0xa9fea9fe, 0251.0376.0251.0376).
  if (labels.every((label) => NUMERIC_LABEL.test(label))) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** Validates and normalises a value for its parameter's type; throws PARAMETER_INVALID with the reason. */
export function validateParameterValue(def: ParameterDefinition, value: unknown): ParameterValue {
  if (value === null || value === '') {
    if (['boolean', 'port', 'enum', 'days', 'count'].includes(def.type))
      invalid(def, 'required', 'a value is required.');
    if (def.required) invalid(def, 'required', 'a value is required (it can be changed, not emptied).');
    return null;
  }
  switch (def.type) {
    case 'templateId':
    case 'groupId': {
      const id = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0 || id > 2_147_483_647) {
        if (def.type === 'groupId') invalid(def, 'groupId', 'must be the ID of a team.');
        invalid(def, 'templateId', 'must be the ID of an email template.');
      }
      return id;
    }
    case 'email':
      if (typeof value !== 'string' || !isEmailAddress(value.trim()))
        invalid(def, 'email', 'must be an email address.');
      return value.trim();
    case 'boolean':
      if (typeof value !== 'boolean') invalid(def, 'boolean', 'must be true or false.');
      return value;
    case 'text':
    case 'secret':
      if (typeof value !== 'string') invalid(def, 'text', 'must be text.');
      if (value.length > 255) invalid(def, 'maxLength', 'must be at most 255 characters.');
      if (/[\r\n\u0000]/.test(value)) invalid(def, 'oneLine', 'must be one line (no line breaks).');
      return value;
    case 'host': {
      if (typeof value !== 'string' || !isHostName(value.trim()))
        invalid(def, 'host', 'must be a host name or an IP address.');
      const host = value.trim();
      if (isForbiddenHost(host))
        invalid(
          def,
          'forbiddenHost',
          'link-local and cloud metadata addresses (also inside an IPv6 address) are not allowed.',
        );
      return host;
    }
    case 'port': {
      const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        invalid(def, 'port', 'must be a port number from 1 to 65535.');
      }
      return port;
    }
    case 'days': {
      const days = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_PARAMETER_DAYS)
        invalid(def, 'days', `must be a whole number of days from 1 to ${MAX_PARAMETER_DAYS}.`);
      return days;
    }
    case 'count': {
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_HISTORY_MESSAGES)
        invalid(def, 'count', `must be a whole number from 0 to ${MAX_HISTORY_MESSAGES}.`);
      return n;
    }
    case 'enum':
      if (typeof value !== 'string' || !def.options!.includes(value))
        invalid(def, 'enum', `must be one of ${def.options!.join(', ')}.`);
      return value;
  }
}
