import { sql, type Selectable } from 'kysely';
import type { Ticket } from '../../../domain/tickets/ticket.ts';
import type { TicketStatus } from '../../../domain/tickets/ticket-status.ts';
import { copiesModeOf } from '../../../domain/notifications/mailings.ts';
import type { Database } from './schema.ts';
import type { SqlContext } from './sql-dialect.ts';

/** A ticket's row with the names it shows, the ids of its copies and (when read for a message) its team's. */
export type TicketRow = Selectable<Database['ticket']> & {
  requester_name: string;
  requester_erased_at?: string | null;
  registered_by_name: string;
  responsible_name: string | null;
  group_name: string | null;
  copy_ids: string | null;
  group_signature?: string | null;
  group_copies_mode?: string | null;
  group_mailbox_id?: number | null;
};

export function toTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    number: r.id,
    title: r.title,
    description: r.description,
    status: r.status as TicketStatus,
    requesterId: r.requester_id,
    requesterName: r.requester_name,
    ...(r.requester_erased_at !== undefined ? { requesterErased: r.requester_erased_at !== null } : {}),
    contactName: r.contact_name,
    registeredById: r.registered_by_id,
    registeredByName: r.registered_by_name,
    groupId: r.group_id,
    groupName: r.group_name,
    responsibleId: r.responsible_id,
    responsibleName: r.responsible_name,
    demandType: r.demand_type,
    activity: r.activity,
    relatedService: r.related_service,
    portfolio: r.portfolio,
    category: r.category,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastActivityAt: r.last_activity_at,
    publicActivityAt: r.public_activity_at ?? r.last_activity_at,
    copyIds: r.copy_ids
      ? r.copy_ids
          .split(',')
          .map(Number)
          .sort((a, b) => a - b)
      : [],
    ...(r.group_signature !== undefined ? { groupSignature: r.group_signature } : {}),
    ...(r.group_copies_mode !== undefined ? { groupCopiesMode: copiesModeOf(r.group_copies_mode) } : {}),
    ...(r.group_mailbox_id !== undefined ? { groupMailboxId: r.group_mailbox_id } : {}),
  };
}

/** Tickets with the names they show and the ids of their copies. */
export function ticketQuery(ctx: SqlContext) {
  return ctx.db
    .selectFrom('ticket')
    .innerJoin('app_user as requester', 'requester.id', 'ticket.requester_id')
    .innerJoin('app_user as registrar', 'registrar.id', 'ticket.registered_by_id')
    .leftJoin('app_user as responsible', 'responsible.id', 'ticket.responsible_id')
    .leftJoin('support_group', 'support_group.id', 'ticket.group_id')
    .selectAll('ticket')
    .select([
      'requester.name as requester_name',
      'registrar.name as registered_by_name',
      'responsible.name as responsible_name',
      'support_group.name as group_name',
      sql<
        string | null
      >`(select ${ctx.dialect.joinIds(sql`c.user_id`)} from ticket_copy c where c.ticket_id = ticket.id)`.as(
        'copy_ids',
      ),
    ]);
}
