import type { Localized } from '../locale.ts';
import { REOPEN_FROM, REOPEN_TO, TICKET_EVENT_DEFINITIONS, TICKET_EVENT_PARAM } from './ticket-event-parameters.ts';
import { MAX_HISTORY_MESSAGES } from '../templates/conversation-keys.ts';
import { isForbiddenHost } from './forbidden-hosts.ts';

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
      'en-US':
        'Days the audit log of administrative changes is kept (older entries are removed, but for the record of each erasure and the email and name changes of users not erased)',
      'pt-BR':
        'Dias em que o registro de auditoria das alterações administrativas é mantido (as entradas mais antigas são removidas, exceto o registro de cada apagamento de dados pessoais e as alterações de e-mail e nome de usuários não apagados)',
      'es-ES':
        'Días que se conserva el registro de auditoría de los cambios administrativos (las entradas más antiguas se eliminan, salvo el registro de cada borrado de datos personales y los cambios de correo y nombre de usuarios no borrados)',
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

const BY_ID = new Map(PARAMETER_CATALOGUE.map((d) => [d.id, d]));

export function parameterDefinition(id: number): ParameterDefinition | undefined {
  return BY_ID.get(id);
}
