import { sql, type Updateable } from 'kysely';
import type { Ticket } from '../../../../domain/tickets/ticket.ts';
import type { NewTicketEvent, TicketEvent, TicketEventKind } from '../../../../domain/tickets/ticket-event.ts';
import { DEFAULT_TICKET_ORDER, type TicketOrder } from '../../../../domain/tickets/ticket-order.ts';
import type { Page, PageRequest, TicketScope } from '../../../../ports/storage/common.ts';
import type {
  ListedTicket,
  NewTicket,
  TicketChanges,
  TicketFilter,
  TicketRepository,
} from '../../../../ports/storage/tickets.ts';
import { touchTicket } from '../sql-context.ts';
import { SqlRepository } from '../sql-repository.ts';
import { toUser } from '../rows.ts';
import type { Database } from '../schema.ts';
import { afterCursor, decodeQueueCursor, encodeQueueCursor, seenByViewer, sortExpression } from '../ticket-queue.ts';
import { chooseSearchPlan, searchCondition } from '../ticket-search-plan.ts';
import { scopeCondition } from '../ticket-scope.ts';
import { eraseTicketsOfRequester } from '../erasure.ts';
import { ticketQuery, toTicket } from '../ticket-rows.ts';

/** Tickets moved into the default team per statement (6 bound values per event row). */
const MOVE_CHUNK = 1000;

export class SqlTicketRepository extends SqlRepository implements TicketRepository {
  async createTicket(t: NewTicket, at: string): Promise<Ticket> {
    const { id } = await this.db
      .insertInto('ticket')
      .values({
        title: t.title,
        description: t.description,
        status: 'new',
        requester_id: t.requesterId,
        contact_name: t.contactName,
        registered_by_id: t.registeredById,
        group_id: t.groupId,
        responsible_id: t.responsibleId,
        demand_type: t.demandType,
        activity: t.activity,
        related_service: t.relatedService,
        portfolio: t.portfolio,
        category: t.category,
        created_at: at,
        updated_at: at,
        last_activity_at: at,
        public_activity_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await touchTicket(this.ctx, id);
    return (await this.findTicketByNumber(id))!;
  }

  async findTicketByNumber(number: number) {
    // With its team's signature, copies mode and mailbox: a message's mails then need no read of their own for them;
    // and whether its requester was erased (a message's write checks one not erased then still is not).
    const [row] = await this.prepared(
      'ticket-by-number',
      () =>
        ticketQuery(this.ctx)
          .select([
            'requester.erased_at as requester_erased_at',
            'support_group.signature as group_signature',
            'support_group.copies_mode as group_copies_mode',
            'support_group.mailbox_id as group_mailbox_id',
          ])
          .where('ticket.id', '=', 0),
      [number],
    );
    return row && toTicket(row);
  }

  async ticketCopies(ticketId: number) {
    const rows = await this.db
      .selectFrom('ticket_copy')
      .innerJoin('app_user', 'app_user.id', 'ticket_copy.user_id')
      .selectAll('app_user')
      .where('ticket_copy.ticket_id', '=', ticketId)
      .orderBy('ticket_copy.added_at')
      .orderBy('app_user.id')
      .execute();
    return rows.map(toUser);
  }

  async setTicketCopies(ticketId: number, userIds: readonly number[], at: string) {
    await this.db
      .deleteFrom('ticket_copy')
      .where('ticket_id', '=', ticketId)
      .where('user_id', 'not in', [0, ...userIds])
      .execute();
    const existing = new Set(
      (await this.db.selectFrom('ticket_copy').select('user_id').where('ticket_id', '=', ticketId).execute()).map(
        (r) => r.user_id,
      ),
    );
    const added = userIds.filter((id) => !existing.has(id));
    if (added.length > 0)
      await this.db
        .insertInto('ticket_copy')
        .values(added.map((user_id) => ({ ticket_id: ticketId, user_id, added_at: at })))
        .execute();
    await touchTicket(this.ctx, ticketId);
  }

  async listTickets(
    scope: TicketScope,
    filter: TicketFilter,
    req: PageRequest & { order?: TicketOrder; viewerId?: number },
  ): Promise<Page<ListedTicket>> {
    const order = req.order ?? DEFAULT_TICKET_ORDER;
    const sortBy = sortExpression(order.sort, scope);
    const seen = req.viewerId === undefined ? sql<boolean>`1 = 1` : seenByViewer(req.viewerId, scope);
    let q = ticketQuery(this.ctx)
      .select([sortBy.as('sort_value'), sql<number | boolean>`case when ${seen} then 0 else 1 end`.as('unseen')])
      .orderBy(sortBy, order.direction)
      .orderBy('ticket.id', order.direction)
      .limit(req.limit + 1);
    const after = decodeQueueCursor(req.cursor, order);
    if (after) q = q.where(afterCursor(order, scope, after));
    const visible = scopeCondition(this.db, scope);
    if (visible) q = q.where(visible);
    if (filter.status) q = q.where('ticket.status', '=', filter.status);
    if (filter.responsibleId !== undefined) q = q.where('ticket.responsible_id', '=', filter.responsibleId);
    if (filter.unassigned) q = q.where('ticket.responsible_id', 'is', null);
    if (filter.groupId !== undefined) q = q.where('ticket.group_id', '=', filter.groupId);
    if (filter.unseen) q = q.where(sql<boolean>`not ${seen}`);
    if (filter.search) {
      const plan = await chooseSearchPlan(this.ctx, filter.search, order, scope);
      q = q.where(searchCondition(this.ctx, filter.search, scope.kind !== 'requester', plan));
    }
    const rows = await q.execute();
    const more = rows.length > req.limit;
    const shown = more ? rows.slice(0, req.limit) : rows;
    const last = shown[shown.length - 1];
    return {
      items: shown.map((r) => ({ ...toTicket(r), unseen: Boolean(Number(r.unseen)) })),
      nextCursor: more && last ? encodeQueueCursor(order, last.sort_value, last.id) : null,
    };
  }

  async markTicketSeen(ticketId: number, userId: number) {
    await sql`insert into ticket_seen (user_id, ticket_id, seen_at)
      select ${userId}, id, last_activity_at from ticket where id = ${ticketId}
      on conflict (user_id, ticket_id) do update set seen_at = excluded.seen_at`.execute(this.db);
  }

  async updateTicket(id: number, c: TicketChanges, at: string) {
    const values: Updateable<Database['ticket']> = { updated_at: at, last_activity_at: at, public_activity_at: at };
    if (c.title !== undefined) values.title = c.title;
    if (c.status !== undefined) values.status = c.status;
    if (c.groupId !== undefined) values.group_id = c.groupId;
    if (c.responsibleId !== undefined) values.responsible_id = c.responsibleId;
    if (c.demandType !== undefined) values.demand_type = c.demandType;
    if (c.activity !== undefined) values.activity = c.activity;
    if (c.relatedService !== undefined) values.related_service = c.relatedService;
    if (c.portfolio !== undefined) values.portfolio = c.portfolio;
    if (c.category !== undefined) values.category = c.category;
    await this.db.updateTable('ticket').set(values).where('id', '=', id).execute();
    await touchTicket(this.ctx, id);
  }

  async countTicketsOfGroup(groupId: number) {
    const r = await this.db
      .selectFrom('ticket')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async recordTicketEvents(events: readonly NewTicketEvent[], at: string) {
    if (events.length === 0) return;
    await this.db
      .insertInto('ticket_event')
      .values(
        events.map((e) => ({
          ticket_id: e.ticketId,
          actor_id: e.actorId,
          kind: e.kind,
          from_value: e.from,
          to_value: e.to,
          at,
        })),
      )
      .execute();
  }

  async ticketEvents(ticketId: number): Promise<TicketEvent[]> {
    const rows = await this.db
      .selectFrom('ticket_event')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      actorId: r.actor_id,
      kind: r.kind as TicketEventKind,
      from: r.from_value,
      to: r.to_value,
      at: r.at,
    }));
  }

  async moveTeamlessTickets(groupId: number, actorId: number | null, at: string) {
    // In chunks, so that any number of tickets stays within both databases' limits on bound values.
    const moved: number[] = [];
    for (;;) {
      const chunk = await this.db
        .selectFrom('ticket')
        .select('id')
        .where('group_id', 'is', null)
        .orderBy('id')
        .limit(MOVE_CHUNK)
        .execute();
      if (chunk.length === 0) return moved;
      const ids = (
        await this.db
          .updateTable('ticket')
          .set({ group_id: groupId, updated_at: at })
          .where(
            'id',
            'in',
            chunk.map((r) => r.id),
          )
          .where('group_id', 'is', null)
          .returning('id')
          .execute()
      ).map((r) => r.id);
      await this.recordTicketEvents(
        ids.map((ticketId) => ({ ticketId, actorId, kind: 'team', from: null, to: String(groupId) })),
        at,
      );
      for (const id of ids) await touchTicket(this.ctx, id);
      moved.push(...ids);
    }
  }

  async moveTicketStatus(id: number, from: string, to: string, at: string) {
    const r = await this.db
      .updateTable('ticket')
      .set({ status: to, updated_at: at, last_activity_at: at, public_activity_at: at })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await touchTicket(this.ctx, id);
    return true;
  }

  eraseTicketsOfRequester(requesterId: number, title: string, at: string) {
    return eraseTicketsOfRequester(this.ctx, requesterId, title, at);
  }
}
