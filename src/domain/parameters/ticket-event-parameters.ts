import type { Localized } from '../locale.ts';

/** The parameters of a ticket's events (issue 16): what a requester's message moves, and the event mails' templates. */
export const TICKET_EVENT_PARAM = {
  REOPEN_FROM: 9020,
  REOPEN_TO: 9021,
  ACKNOWLEDGEMENT_TEMPLATE: 9022,
  ASSIGNED_TEMPLATE: 9023,
  TEAM_NEW_TEMPLATE: 9024,
  CLOSED_NOTICE_TEMPLATE: 9025,
} as const;

/** Which statuses a requester's message moves back (parameter 9020). */
export const REOPEN_FROM = ['waiting-and-resolved', 'waiting', 'resolved', 'none'] as const;
/** The status it moves them to (parameter 9021). */
export const REOPEN_TO = ['in_progress', 'new'] as const;

/** Their definitions, in the catalogue's shape (parameter-catalogue.ts lists them). */
export const TICKET_EVENT_DEFINITIONS: readonly {
  id: number;
  type: 'enum' | 'templateId';
  description: Localized;
  options?: readonly string[];
  defaultValue: string | null;
}[] = [
  {
    id: TICKET_EVENT_PARAM.REOPEN_FROM,
    type: 'enum',
    options: REOPEN_FROM,
    defaultValue: 'waiting-and-resolved',
    description: {
      'en-US': "Statuses from which a requester's message moves a ticket back to work (a closed ticket stays closed)",
      'pt-BR':
        'Situações das quais uma mensagem do solicitante devolve o ticket ao trabalho (um ticket fechado continua fechado)',
      'es-ES':
        'Estados de los que un mensaje del solicitante devuelve el ticket al trabajo (un ticket cerrado sigue cerrado)',
    },
  },
  {
    id: TICKET_EVENT_PARAM.REOPEN_TO,
    type: 'enum',
    options: REOPEN_TO,
    defaultValue: 'in_progress',
    description: {
      'en-US': "Status a ticket takes when a requester's message moves it back to work",
      'pt-BR': 'Situação que o ticket assume quando uma mensagem do solicitante o devolve ao trabalho',
      'es-ES': 'Estado que toma el ticket cuando un mensaje del solicitante lo devuelve al trabajo',
    },
  },
  {
    id: TICKET_EVENT_PARAM.ACKNOWLEDGEMENT_TEMPLATE,
    type: 'templateId',
    defaultValue: null,
    description: {
      'en-US': 'ID of the email template acknowledging a new request to its requester (empty: not sent)',
      'pt-BR':
        'ID do modelo de e-mail que confirma ao solicitante o recebimento de uma nova solicitação (vazio: não enviado)',
      'es-ES':
        'ID de la plantilla de correo que acusa recibo de una nueva solicitud a su solicitante (vacío: no se envía)',
    },
  },
  {
    id: TICKET_EVENT_PARAM.ASSIGNED_TEMPLATE,
    type: 'templateId',
    defaultValue: null,
    description: {
      'en-US': 'ID of the email template telling a technician a ticket was assigned to them (empty: not sent)',
      'pt-BR': 'ID do modelo de e-mail que avisa um técnico de que um ticket lhe foi atribuído (vazio: não enviado)',
      'es-ES': 'ID de la plantilla de correo que avisa a un técnico de que se le asignó un ticket (vacío: no se envía)',
    },
  },
  {
    id: TICKET_EVENT_PARAM.TEAM_NEW_TEMPLATE,
    type: 'templateId',
    defaultValue: null,
    description: {
      'en-US':
        "ID of the email template telling a team's technicians of a new request nobody is responsible for (empty: not sent)",
      'pt-BR':
        'ID do modelo de e-mail que avisa os técnicos da equipe de uma nova solicitação sem responsável (vazio: não enviado)',
      'es-ES':
        'ID de la plantilla de correo que avisa a los técnicos del equipo de una nueva solicitud sin responsable (vacío: no se envía)',
    },
  },
  {
    id: TICKET_EVENT_PARAM.CLOSED_NOTICE_TEMPLATE,
    type: 'templateId',
    defaultValue: null,
    description: {
      'en-US':
        'ID of the email template answering a reply to a closed ticket with how to open a new request (empty: not sent)',
      'pt-BR':
        'ID do modelo de e-mail que responde a uma resposta a um ticket fechado com como abrir uma nova solicitação (vazio: não enviado)',
      'es-ES':
        'ID de la plantilla de correo que responde a una respuesta a un ticket cerrado con cómo abrir una nueva solicitud (vacío: no se envía)',
    },
  },
];
