import { sql, type ExpressionBuilder } from 'kysely';
import type { TicketScope } from '../../../ports/storage/common.ts';
import type { Database } from './schema.ts';
import type { Db } from './sql-dialect.ts';

/** The tickets that copy a user (a subquery of ticket ids). */
export function copiedTo(db: Db, userId: number) {
  return db.selectFrom('ticket_copy').select('ticket_copy.ticket_id').where('ticket_copy.user_id', '=', userId);
}

/**
 * The condition a listing puts on `ticket` for a scope, in SQL what `canSeeTicket` (domain/tickets/ticket-access.ts)
 * decides for one ticket: a requester's own and those copying them; a technician's groups', those they are
 * responsible for, requested or registered; everything for `all` (undefined: no condition).
 */
export function scopeCondition(db: Db, scope: TicketScope) {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'requester') {
    return (eb: ExpressionBuilder<Database, 'ticket'>) =>
      eb.or([
        eb('ticket.requester_id', '=', scope.requesterId),
        eb('ticket.id', 'in', copiedTo(db, scope.requesterId)),
      ]);
  }
  if (scope.groupIds.length === 0) {
    return (eb: ExpressionBuilder<Database, 'ticket'>) =>
      eb.or([
        eb('ticket.responsible_id', '=', scope.userId),
        eb('ticket.requester_id', '=', scope.userId),
        eb('ticket.registered_by_id', '=', scope.userId),
      ]);
  }
  // A team's tickets are a large share of all: the page is found fastest by walking the sort order and keeping what
  // the scope allows, not by gathering every ticket of the scope through its indexes and sorting them (which SQLite's
  // planner prefers for an OR of indexed columns). `+column` (an expression, not the column) keeps the indexes out.
  return () =>
    sql<boolean>`(+ticket.responsible_id = ${scope.userId} or +ticket.requester_id = ${scope.userId} or +ticket.registered_by_id = ${scope.userId} or +ticket.group_id in (${sql.join(scope.groupIds as number[])}))`;
}
