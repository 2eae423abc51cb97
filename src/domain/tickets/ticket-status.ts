import type { Locale, Localized } from '../locale.ts';

export const TICKET_STATUSES = ['new', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const STATUS_NAMES: Record<TicketStatus, Localized> = {
  new: { 'en-US': 'New', 'pt-BR': 'Novo', 'es-ES': 'Nuevo' },
  in_progress: { 'en-US': 'In progress', 'pt-BR': 'Em andamento', 'es-ES': 'En curso' },
  waiting: { 'en-US': 'Waiting', 'pt-BR': 'Aguardando', 'es-ES': 'En espera' },
  resolved: { 'en-US': 'Resolved', 'pt-BR': 'Resolvido', 'es-ES': 'Resuelto' },
  closed: { 'en-US': 'Closed', 'pt-BR': 'Fechado', 'es-ES': 'Cerrado' },
};

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

export function statusName(status: TicketStatus, locale: Locale): string {
  return STATUS_NAMES[status][locale];
}
