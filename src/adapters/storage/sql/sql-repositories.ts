import {
  sql,
  type CompiledQuery,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type Transaction,
  type Updateable,
} from 'kysely';
import type { Message, MessageSource } from '../../../domain/messages/message.ts';
import {
  OUTBOX_STATUSES,
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxStatus,
} from '../../../domain/notifications/outbox-entry.ts';
import type { EmailTemplate } from '../../../domain/templates/email-template.ts';
import type { Ticket } from '../../../domain/tickets/ticket.ts';
import type { TicketStatus } from '../../../domain/tickets/ticket-status.ts';
import type { Locale } from '../../../domain/locale.ts';
import type { Role, User } from '../../../domain/users/user.ts';
import type { ApiToken, NewApiToken } from '../../../domain/users/api-token.ts';
import type {
  InboundMail,
  InboundOutcome,
  InboundReason,
  InboundStatus,
  RawMail,
} from '../../../domain/inbound/inbound-mail.ts';
import type { Attachment, NewAttachment, StoredAttachment } from '../../../domain/messages/attachment.ts';
import type {
  InboundFilter,
  OutboxReference,
  Group,
  NewMessage,
  NewTicket,
  ActorKey,
  NewUser,
  OutboxClaim,
  OutboxOutcome,
  Page,
  PageRequest,
  Repositories,
  Session,
  TemplateRow,
  TicketChanges,
  TicketFilter,
  TicketScope,
  UserChanges,
} from '../../../ports/storage.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Booleans are written as 1 and 0: SQLite has no boolean type (and better-sqlite3 refuses JS booleans), and
 * PostgreSQL reads '1'/'0' as true/false for its boolean columns. Rows come back as 0/1 or true/false: Boolean().
 */
function bool(value: boolean): number {
  return value ? 1 : 0;
}

function messageRow(m: NewMessage): Record<string, unknown> {
  return {
    ticket_id: m.ticketId,
    author_id: m.authorId,
    text: m.text,
    internal: bool(m.internal),
    send_email: bool(m.sendEmail),
    source: m.source,
    time_spent_minutes: m.timeSpentMinutes,
    time_spent_date: m.timeSpentDate,
    created_at: m.createdAt,
  };
}

function outboxRow(e: NewOutboxEntry, at: string): Record<string, unknown> {
  return {
    ticket_id: e.ticketId,
    message_id: e.messageId,
    recipient_id: e.recipientId,
    to_address: e.toAddress,
    to_name: e.toName,
    subject: e.subject,
    html: e.html,
    text: e.text,
    message_id_header: e.messageIdHeader,
    thread_id: e.threadId,
    reply_to: e.replyTo,
    status: 'queued',
    next_attempt_at: at,
    attempts_since: at,
    created_at: at,
    updated_at: at,
  };
}

/** The activity times a new message moves: both for a public message, the staff's only for an internal note. */
function touchColumns(m: NewMessage): RawBuilder<unknown> {
  return m.internal
    ? sql`last_activity_at = ${m.createdAt}`
    : sql`last_activity_at = ${m.createdAt}, public_activity_at = ${m.createdAt}`;
}

/** Column types of outbox_entry that a VALUES list must spell out on PostgreSQL (the rest are text). */
const OUTBOX_TYPES: Record<string, string> = {
  ticket_id: 'integer',
  recipient_id: 'integer',
  next_attempt_at: 'timestamptz',
  attempts_since: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/** Ids are 32-bit on PostgreSQL. */
const MAX_ID = 2_147_483_647;

/** Cursors are opaque to callers: the last id seen, base64url-encoded. */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | undefined {
  if (!cursor) return undefined;
  const id = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(id) && id > 0 && id <= MAX_ID ? id : undefined;
}

function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!.id) : null };
}

function toUser(r: Selectable<Database['app_user']>): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    locale: r.locale as Locale,
    timeZone: r.time_zone,
    active: Boolean(r.active),
    createdAt: r.created_at,
  };
}

function toApiToken(
  r: Pick<
    Selectable<Database['api_token']>,
    'id' | 'user_id' | 'name' | 'scope' | 'created_at' | 'expires_at' | 'last_used_at'
  >,
): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scope: r.scope === 'read' ? 'read' : 'full',
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

function toTemplate(r: Selectable<Database['email_template']>): EmailTemplate {
  return {
    id: r.id,
    name: r.name,
    subject: r.subject,
    html: r.html,
    text: r.text,
    active: Boolean(r.active),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toOutbox(r: Selectable<Database['outbox_entry']>): OutboxEntry {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    recipientId: r.recipient_id,
    toAddress: r.to_address,
    toName: r.to_name,
    subject: r.subject,
    html: r.html,
    text: r.text,
    messageIdHeader: r.message_id_header,
    threadId: r.thread_id,
    replyTo: r.reply_to,
    status: r.status as OutboxStatus,
    attemptCount: r.attempt_count,
    attemptsSince: r.attempts_since,
    nextAttemptAt: r.next_attempt_at,
    lastReply: r.last_reply,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  };
}

/** Every column of inbound_mail but the raw bytes (read only on demand). */
const INBOUND_COLUMNS = [
  'id',
  'received_at',
  'updated_at',
  'status',
  'reason',
  'reason_text',
  'size',
  'sha256',
  'envelope_from',
  'envelope_to',
  'remote_address',
  'helo',
  'message_id_header',
  'duplicate_of',
  'from_address',
  'from_name',
  'subject',
  'ticket_id',
  'message_id',
  'outbox_id',
  'text',
  'trimmed',
  'attempts',
  'resolved_by',
  'resolved_at',
  'attachment_note',
  'raw_removed_at',
] as const;

/** Decided mail whose original may be removed after the retention period; held mail keeps it for its reviewer. */
const RAW_REMOVABLE: readonly InboundStatus[] = ['posted', 'duplicate', 'bounce', 'discarded'];

function toInbound(r: Omit<Selectable<Database['inbound_mail']>, 'raw' | 'dedupe_key' | 'sender_key'>): InboundMail {
  let envelopeTo: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.envelope_to);
    if (Array.isArray(parsed)) envelopeTo = parsed.map(String);
  } catch {
    envelopeTo = [];
  }
  return {
    id: r.id,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    status: r.status as InboundStatus,
    reason: r.reason as InboundReason | null,
    reasonText: r.reason_text,
    size: r.size,
    sha256: r.sha256,
    envelopeFrom: r.envelope_from,
    envelopeTo,
    remoteAddress: r.remote_address,
    helo: r.helo,
    messageIdHeader: r.message_id_header,
    duplicateOf: r.duplicate_of,
    fromAddress: r.from_address,
    fromName: r.from_name,
    subject: r.subject,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    outboxId: r.outbox_id,
    text: r.text,
    trimmed: r.trimmed,
    attempts: r.attempts,
    resolvedById: r.resolved_by,
    resolvedAt: r.resolved_at,
    attachmentNote: r.attachment_note,
    rawRemovedAt: r.raw_removed_at,
  };
}

/** Every column of attachment but the bytes (read only for a download). */
const ATTACHMENT_COLUMNS = [
  'attachment.id',
  'attachment.ticket_id',
  'attachment.message_id',
  'attachment.inbound_mail_id',
  'attachment.name',
  'attachment.content_type',
  'attachment.inline',
  'attachment.size',
  'attachment.sha256',
  'attachment.created_at',
] as const;

function toAttachment(r: Omit<Selectable<Database['attachment']>, 'content' | 'position'>): Attachment {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    inboundMailId: r.inbound_mail_id,
    name: r.name,
    contentType: r.content_type,
    inline: Boolean(r.inline),
    size: r.size,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}

function bytesOf(value: unknown): Uint8Array {
  const raw = value as Uint8Array;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The NOTIFY payload of a stored message: the ticket id, prefixed with `s` when only staff may hear of it (a note). */
function activityPayload(m: NewMessage): string {
  return m.internal ? `s${m.ticketId}` : String(m.ticketId);
}

/** storeInboundMessage on SQLite: the mail was decided meanwhile; the transaction is rolled back. */
export class InboundNotPending extends Error {}

/** PostgreSQL's unique_violation, SQLite's UNIQUE/PRIMARY KEY constraint failures. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A SQLite connection that runs statements synchronously (better-sqlite3), given by the SQLite adapter. */
export interface DirectSqlite {
  run<R>(sql: string, parameters: readonly unknown[]): R[];
  /** No transaction is open on the connection. */
  idle(): boolean;
}

/**
 * Hot queries are built and compiled by Kysely once per dialect, then run with new parameters: building and
 * compiling a query costs more than SQLite takes to run it. `build` must take its placeholders in the order the
 * parameters are given (checked: the counts must match).
 */
const PREPARED = new Map<string, CompiledQuery>();

/**
 * The SQL text of every prepared query, with a short name: the PostgreSQL adapter runs these as named statements,
 * so the server parses and plans each once per connection instead of on every call.
 */
export const PREPARED_SQL_NAMES = new Map<string, string>();

/**
 * The storage contract in SQL, shared by SQLite and PostgreSQL. Dialect differences live in the Kysely dialect
 * set-up (`sqlite/`, `postgres/`), not here.
 */
export class SqlRepositories implements Repositories {
  /** `rowLocks`: inside a PostgreSQL transaction, reads that guard a decision lock the rows they read. */
  /** Set when `signalOutbox` was called on SQLite: the storage emits the signal after the commit. */
  signalled = false;
  /** SQLite: tickets whose thread or mail states changed here; the storage announces them after the commit. */
  readonly touchedTickets = new Set<number>();
  /** SQLite: tickets that only got an internal note here: announced to staff only. */
  readonly staffOnlyTickets = new Set<number>();

  /** A ticket's thread or mail states changed: NOTIFY (delivered at commit) on PostgreSQL, noted on SQLite. */
  protected async touchTicket(ticketId: number | null): Promise<void> {
    if (ticketId === null) return;
    if (this.dialectName === 'postgres')
      await sql`select pg_notify('parley_ticket', ${String(ticketId)})`.execute(this.db);
    else this.touchedTickets.add(ticketId);
  }

  constructor(
    protected readonly db: Db,
    private readonly rowLocks: boolean,
    /** PostgreSQL outside a transaction: claims still skip locked rows, signals still use NOTIFY. */
    private readonly skipLocked = rowLocks,
    /** SQLite: the connection itself, for prepared queries (see `prepared`). */
    protected readonly direct?: { sqlite: DirectSqlite; inOwnTransaction: boolean },
  ) {}

  // ---- users and groups
  async createUser(u: NewUser, at: string): Promise<User> {
    const row = await this.db
      .insertInto('app_user')
      .values({
        email: u.email,
        name: u.name,
        role: u.role,
        locale: u.locale,
        time_zone: u.timeZone,
        password_hash: u.passwordHash,
        active: bool(true),
        created_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  private get dialectName(): 'postgres' | 'sqlite' {
    return this.skipLocked ? 'postgres' : 'sqlite';
  }

  private async prepared<R>(
    name: string,
    build: () => { compile(): CompiledQuery<R> },
    parameters: readonly unknown[],
  ): Promise<R[]> {
    const key = `${this.dialectName}:${name}`;
    let compiled = PREPARED.get(key) as CompiledQuery<R> | undefined;
    if (!compiled) {
      compiled = build().compile();
      if (compiled.parameters.length !== parameters.length) {
        throw new Error(
          `Prepared query ${name} has ${compiled.parameters.length} placeholders, not ${parameters.length}.`,
        );
      }
      PREPARED.set(key, compiled);
      // Names are never reused: a text seen before (the same SQL on both dialects) keeps its name.
      if (!PREPARED_SQL_NAMES.has(compiled.sql))
        PREPARED_SQL_NAMES.set(compiled.sql, `parley_${PREPARED_SQL_NAMES.size + 1}`);
    }
    // SQLite: better-sqlite3 runs a statement synchronously, so a prepared query runs on the connection at once,
    // without Kysely's per-query promise chain and connection lock, when nobody else's transaction is open on it:
    // inside this repository's own transaction, or when the connection is idle. Otherwise it waits its turn in Kysely.
    const direct = this.direct;
    if (direct && (direct.inOwnTransaction || direct.sqlite.idle()))
      return direct.sqlite.run<R>(compiled.sql, parameters);
    return (await this.db.executeQuery<R>({ ...compiled, parameters })).rows;
  }

  /** SQLite: the change counter of migration 002, which SqlStorage's read cache checks. */
  protected async changeCounter(): Promise<number> {
    const build = () => ({
      compile: () =>
        sql<{ version: number }>`select version from parley_change_counter where id = ${1}`.compile(this.db),
    });
    const [row] = await this.prepared<{ version: number }>('change-counter', build, [1]);
    return row?.version ?? Number.NaN;
  }

  async findUserById(id: number) {
    const [row] = await this.prepared(
      'user-by-id',
      () => this.db.selectFrom('app_user').selectAll().where('id', '=', 0),
      [id],
    );
    return row && toUser(row);
  }

  async findActor(key: ActorKey) {
    const q = () =>
      this.db
        .selectFrom('app_user')
        .leftJoin('group_member', 'group_member.user_id', 'app_user.id')
        .selectAll('app_user')
        .select('group_member.group_id');
    let rows;
    let token: ApiToken | null = null;
    if ('userId' in key) {
      rows = (await this.prepared('actor-by-id', () => q().where('app_user.id', '=', 0), [key.userId])).map((r) => ({
        ...r,
        csrf_hash: null,
        expires_at: null,
      }));
    } else if ('email' in key) {
      rows = (await this.prepared('actor-by-email', () => q().where('app_user.email', '=', ''), [key.email])).map(
        (r) => ({ ...r, csrf_hash: null, expires_at: null }),
      );
    } else if ('tokenHash' in key) {
      const byToken = () =>
        q()
          .innerJoin('api_token', 'api_token.user_id', 'app_user.id')
          .select([
            'api_token.id as token_id',
            'api_token.name as token_name',
            'api_token.scope as token_scope',
            'api_token.created_at as token_created_at',
            'api_token.expires_at as token_expires_at',
            'api_token.last_used_at as token_last_used_at',
          ])
          .where('api_token.token_hash', '=', '');
      const tokenRows = await this.prepared('actor-by-token', byToken, [key.tokenHash]);
      const t = tokenRows[0];
      token = t
        ? toApiToken({
            id: t.token_id,
            user_id: t.id,
            name: t.token_name,
            scope: t.token_scope,
            created_at: t.token_created_at,
            expires_at: t.token_expires_at,
            last_used_at: t.token_last_used_at,
          })
        : null;
      rows = tokenRows.map((r) => ({ ...r, csrf_hash: null, expires_at: null }));
    } else {
      const bySession = () =>
        q()
          .innerJoin('user_session', 'user_session.user_id', 'app_user.id')
          .select(['user_session.csrf_hash', 'user_session.expires_at'])
          .where('user_session.id_hash', '=', '');
      rows = await this.prepared('actor-by-session', bySession, [key.sessionHash]);
    }
    const first = rows[0];
    if (!first) return undefined;
    return {
      user: toUser(first),
      groupIds: rows
        .map((r) => r.group_id)
        .filter((g): g is number => g !== null)
        .sort((a, b) => a - b),
      session:
        first.csrf_hash !== null && first.expires_at !== null
          ? { userId: first.id, csrfHash: first.csrf_hash, expiresAt: first.expires_at }
          : null,
      ...('tokenHash' in key ? { token } : {}),
    };
  }

  async findUserByEmail(email: string) {
    const row = await this.db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  async listUsers(req: PageRequest) {
    const after = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('app_user')
      .selectAll()
      .orderBy('id', 'asc')
      .limit(req.limit + 1);
    if (after) q = q.where('id', '>', after);
    return page((await q.execute()).map(toUser), req.limit);
  }

  async countUsers() {
    const r = await this.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async groupsWithMembers(rows: { id: number; name: string }[]): Promise<Group[]> {
    if (rows.length === 0) return [];
    const members = await this.db
      .selectFrom('group_member')
      .select(['group_id', 'user_id'])
      .where(
        'group_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      memberIds: members.filter((m) => m.group_id === r.id).map((m) => m.user_id),
    }));
  }

  async createGroup(name: string): Promise<Group> {
    const row = await this.db.insertInto('support_group').values({ name }).returningAll().executeTakeFirstOrThrow();
    return { id: row.id, name: row.name, memberIds: [] };
  }

  async findGroup(id: number) {
    const rows = await this.db.selectFrom('support_group').selectAll().where('id', '=', id).execute();
    return (await this.groupsWithMembers(rows))[0];
  }

  async findGroupByName(name: string) {
    const rows = await this.db.selectFrom('support_group').selectAll().where('name', '=', name).execute();
    return (await this.groupsWithMembers(rows))[0];
  }

  async listGroups() {
    const rows = await this.db.selectFrom('support_group').selectAll().orderBy('name').execute();
    return this.groupsWithMembers(rows);
  }

  async addGroupMember(groupId: number, userId: number) {
    await this.db
      .insertInto('group_member')
      .values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
  }

  async updateUser(id: number, c: UserChanges) {
    const values: Updateable<Database['app_user']> = {};
    if (c.name !== undefined) values.name = c.name;
    if (c.role !== undefined) values.role = c.role;
    if (c.locale !== undefined) values.locale = c.locale;
    if (c.timeZone !== undefined) values.time_zone = c.timeZone;
    if (c.active !== undefined) values.active = bool(c.active);
    if (c.passwordHash !== undefined) values.password_hash = c.passwordHash;
    if (Object.keys(values).length > 0)
      await this.db.updateTable('app_user').set(values).where('id', '=', id).execute();
    const row = await this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async setUserGroups(userId: number, groupIds: readonly number[]) {
    let remove = this.db.deleteFrom('group_member').where('user_id', '=', userId);
    if (groupIds.length > 0) remove = remove.where('group_id', 'not in', [...groupIds]);
    await remove.execute();
    for (const groupId of groupIds) await this.addGroupMember(groupId, userId);
  }

  async renameGroup(id: number, name: string) {
    await this.db.updateTable('support_group').set({ name }).where('id', '=', id).execute();
    return this.findGroup(id);
  }

  async deleteGroup(id: number) {
    await this.db.deleteFrom('group_member').where('group_id', '=', id).execute();
    const r = await this.db.deleteFrom('support_group').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async countTicketsOfGroup(groupId: number) {
    const r = await this.db
      .selectFrom('ticket')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async listStaff() {
    const rows = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('role', 'in', ['technician', 'admin'])
      .where('active', '=', bool(true))
      .orderBy('name')
      .execute();
    const groups = await this.groupIdsOfUsers(rows.map((r) => r.id));
    return rows.map((r) => ({ ...toUser(r), groupIds: groups.get(r.id) ?? [] }));
  }

  async removeGroupMember(groupId: number, userId: number) {
    await this.db.deleteFrom('group_member').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  }

  async groupIdsOfUser(userId: number) {
    const rows = await this.db.selectFrom('group_member').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.group_id);
  }

  async groupIdsOfUsers(userIds: readonly number[]) {
    const result = new Map<number, number[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('group_member')
      .select(['user_id', 'group_id'])
      .where('user_id', 'in', userIds as number[])
      .orderBy('group_id')
      .execute();
    for (const r of rows) result.get(r.user_id)?.push(r.group_id);
    return result;
  }

  async staffOfGroup(groupId: number) {
    const rows = await this.db
      .selectFrom('app_user')
      .innerJoin('group_member', 'group_member.user_id', 'app_user.id')
      .selectAll('app_user')
      .where('group_member.group_id', '=', groupId)
      .where('app_user.role', 'in', ['technician', 'admin'])
      .where('app_user.active', '=', bool(true))
      .orderBy('app_user.id')
      .execute();
    return rows.map(toUser);
  }

  // ---- tickets and messages
  private ticketQuery() {
    return this.db
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
        (this.dialectName === 'postgres'
          ? sql<
              string | null
            >`(select string_agg(c.user_id::text, ',' order by c.user_id) from ticket_copy c where c.ticket_id = ticket.id)`
          : sql<string | null>`(select group_concat(c.user_id) from ticket_copy c where c.ticket_id = ticket.id)`
        ).as('copy_ids'),
      ]);
  }

  private static toTicket(
    r: Selectable<Database['ticket']> & {
      requester_name: string;
      registered_by_name: string;
      responsible_name: string | null;
      group_name: string | null;
      copy_ids: string | null;
    },
  ): Ticket {
    return {
      id: r.id,
      number: r.id,
      title: r.title,
      description: r.description,
      status: r.status as TicketStatus,
      requesterId: r.requester_id,
      requesterName: r.requester_name,
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
    };
  }

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
    await this.touchTicket(id);
    return (await this.findTicketByNumber(id))!;
  }

  async findTicketByNumber(number: number) {
    const [row] = await this.prepared('ticket-by-number', () => this.ticketQuery().where('ticket.id', '=', 0), [
      number,
    ]);
    return row && SqlRepositories.toTicket(row);
  }

  /** The tickets that copy a user. */
  private copiedTo(userId: number) {
    return this.db.selectFrom('ticket_copy').select('ticket_copy.ticket_id').where('ticket_copy.user_id', '=', userId);
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
    await this.touchTicket(ticketId);
  }

  async listTickets(scope: TicketScope, filter: TicketFilter, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.ticketQuery()
      .orderBy('ticket.id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('ticket.id', '<', before);
    if (scope.kind === 'requester') {
      q = q.where((eb) =>
        eb.or([
          eb('ticket.requester_id', '=', scope.requesterId),
          eb('ticket.id', 'in', this.copiedTo(scope.requesterId)),
        ]),
      );
    }
    if (scope.kind === 'technician') {
      q = q.where((eb) =>
        eb.or([
          eb('ticket.responsible_id', '=', scope.userId),
          eb('ticket.requester_id', '=', scope.userId),
          ...(scope.groupIds.length > 0 ? [eb('ticket.group_id', 'in', scope.groupIds as number[])] : []),
        ]),
      );
    }
    if (filter.status) q = q.where('ticket.status', '=', filter.status);
    if (filter.responsibleId !== undefined) q = q.where('ticket.responsible_id', '=', filter.responsibleId);
    if (filter.unassigned) q = q.where('ticket.responsible_id', 'is', null);
    if (filter.groupId !== undefined) q = q.where('ticket.group_id', '=', filter.groupId);
    return page((await q.execute()).map(SqlRepositories.toTicket), req.limit);
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
    await this.touchTicket(id);
  }

  /** An insert of one row whose columns are always the same: prepared once, the row's values in column order. */
  private async insertRow<T extends keyof Database>(
    name: string,
    table: T,
    row: Record<string, unknown>,
  ): Promise<number> {
    const build = () =>
      this.db
        .insertInto(table)
        .values(Object.fromEntries(Object.keys(row).map((k) => [k, 0])) as never)
        .returning('id' as never);
    const [inserted] = await this.prepared(name, build, Object.values(row));
    return (inserted as { id: number }).id;
  }

  async storeMessage(m: NewMessage, mails: readonly Omit<NewOutboxEntry, 'messageId'>[]) {
    if (this.dialectName === 'postgres') return (await this.storeMessageInOneStatement(m, mails))!;
    // SQLite (inside the transaction SqlStorage opens): prepared statements, one after the other.
    const messageId = await this.insertRow('insert-message', 'ticket_message', messageRow(m));
    // An internal note moves the staff's activity time only; requesters see the time of what they can see.
    if (m.internal)
      await this.prepared(
        'touch-ticket',
        () => this.db.updateTable('ticket').set({ last_activity_at: '' }).where('id', '=', 0),
        [m.createdAt, m.ticketId],
      );
    else {
      const touch = () =>
        this.db.updateTable('ticket').set({ last_activity_at: '', public_activity_at: '' }).where('id', '=', 0);
      await this.prepared('touch-ticket-public', touch, [m.createdAt, m.createdAt, m.ticketId]);
    }
    const outboxIds: number[] = [];
    for (const mail of mails)
      outboxIds.push(
        await this.insertRow('insert-outbox-entry', 'outbox_entry', outboxRow({ ...mail, messageId }, m.createdAt)),
      );
    if (outboxIds.length > 0) this.signalled = true;
    (m.internal ? this.staffOnlyTickets : this.touchedTickets).add(m.ticketId);
    return { messageId, outboxIds };
  }

  /**
   * PostgreSQL: the message, the ticket's activity time, the outbox rows and the NOTIFY in one statement (one round
   * trip; a statement is atomic, and NOTIFY is delivered at commit).
   */
  private async storeMessageInOneStatement(
    m: NewMessage,
    mails: readonly Omit<NewOutboxEntry, 'messageId'>[],
    inbound?: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ): Promise<{ messageId: number; outboxIds: number[] } | undefined> {
    const message = messageRow(m);
    const columns = Object.keys(message);
    const outboxColumns = mails.length
      ? Object.keys(outboxRow({ ...mails[0]!, messageId: 0 }, m.createdAt)).filter((c) => c !== 'message_id')
      : [];
    const outboxValues = mails.map((mail) => {
      const row = outboxRow({ ...mail, messageId: 0 }, m.createdAt);
      return sql`(${sql.join(outboxColumns.map((c) => sql`${row[c]}::${sql.raw(OUTBOX_TYPES[c] ?? 'text')}`))})`;
    });
    // With an inbound mail: its outcome first (the message's id drawn beforehand), and the rest only if it was
    // still pending; a second process doing the same waits for the row, then finds it decided and stores nothing.
    const insertMessage = inbound
      ? sql`n as (
        select nextval(pg_get_serial_sequence('ticket_message', 'id'))::integer as id
      ), f as (
        ${this.finishStatement(inbound.id, { ...inbound.outcome, messageId: null }, inbound.fromStatuses, sql`(select id from n)`)}
      ), m as (
        insert into ticket_message (id, ${sql.join(columns.map((c) => sql.ref(c)))})
        select (select id from n), ${sql.join(columns.map((c) => message[c]))} where exists (select 1 from f) returning id
      ), t as (
        update ticket set ${touchColumns(m)} where id = ${m.ticketId} and exists (select 1 from m)
      )`
      : sql`m as (
        insert into ticket_message (${sql.join(columns.map((c) => sql.ref(c)))})
        values (${sql.join(columns.map((c) => message[c]))}) returning id
      ), t as (
        update ticket set ${touchColumns(m)} where id = ${m.ticketId}
      )`;
    const query = sql<{ message_id: number | null; outbox_ids: number[] | null }>`
      with ${insertMessage}${
        mails.length
          ? sql`, o as (
        insert into outbox_entry (message_id, ${sql.join(outboxColumns.map((c) => sql.ref(c)))})
        select m.id, v.* from m, (values ${sql.join(outboxValues)}) as v (${sql.join(outboxColumns.map((c) => sql.ref(c)))})
        returning id
      )
      select (select id from m) as message_id, (select array_agg(id order by id) from o) as outbox_ids,
        (select pg_notify('parley_outbox', '') from m) as notified, (select pg_notify('parley_ticket', ${activityPayload(m)}) from m) as announced`
          : sql`
      select (select id from m) as message_id, null as outbox_ids, (select pg_notify('parley_ticket', ${activityPayload(m)}) from m) as announced`
      }`;
    const { rows } = await query.execute(this.db);
    const messageId = rows[0]?.message_id;
    return messageId == null ? undefined : { messageId, outboxIds: (rows[0]!.outbox_ids ?? []).map(Number) };
  }

  async storeInboundMessage(
    m: NewMessage,
    mails: readonly Omit<NewOutboxEntry, 'messageId'>[],
    inbound: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
  ) {
    if (this.dialectName === 'postgres') return this.storeMessageInOneStatement(m, mails, inbound);
    // SQLite (inside the transaction SqlStorage opens): the message, then the outcome; not pending rolls it back.
    const stored = await this.storeMessage(m, mails);
    if (
      !(await this.finishInboundMail(
        inbound.id,
        { ...inbound.outcome, messageId: stored.messageId },
        inbound.fromStatuses,
      ))
    )
      throw new InboundNotPending();
    return stored;
  }

  async listMessages(ticketId: number, includeInternal: boolean): Promise<Message[]> {
    let q = this.db
      .selectFrom('ticket_message')
      .innerJoin('app_user', 'app_user.id', 'ticket_message.author_id')
      .selectAll('ticket_message')
      .select(['app_user.name as author_name', 'app_user.role as author_role'])
      .where('ticket_message.ticket_id', '=', ticketId)
      .orderBy('ticket_message.id', 'asc');
    if (!includeInternal) q = q.where('ticket_message.internal', '=', bool(false));
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      text: r.text,
      internal: Boolean(r.internal),
      sendEmail: Boolean(r.send_email),
      source: r.source as MessageSource,
      authorId: r.author_id,
      authorName: r.author_name,
      authorRole: r.author_role as Role,
      timeSpentMinutes: r.time_spent_minutes,
      timeSpentDate: r.time_spent_date,
      createdAt: r.created_at,
    }));
  }

  // ---- parameters and templates
  async getParameters() {
    const rows = await this.prepared(
      'parameters',
      () => this.db.selectFrom('system_parameter').select(['id', 'value']),
      [],
    );
    return new Map(rows.filter((r) => r.value !== null).map((r) => [r.id, r.value!]));
  }

  async getParametersWithTemplate(templateParameter: number) {
    if (this.dialectName === 'sqlite') {
      // In-process SQLite: two primary-key reads are cheaper than one join.
      const parameters = await this.getParameters();
      const id = Number(JSON.parse(parameters.get(templateParameter) ?? 'null'));
      return { parameters, template: Number.isInteger(id) && id > 0 ? await this.findTemplate(id) : undefined };
    }
    // PostgreSQL: one round trip.
    const build = () =>
      this.db
        .selectFrom('system_parameter as p')
        .leftJoin('email_template as t', (join) =>
          join
            .on('p.id', '=', 0)
            .on(sql`t.id`, '=', sql`(case when p.id = ${0} and p.value is not null then cast(p.value as integer) end)`),
        )
        .select(['p.id as parameter_id', 'p.value as parameter_value'])
        .select(['t.id', 't.name', 't.subject', 't.html', 't.text', 't.active', 't.created_at', 't.updated_at']);
    const rows = await this.prepared('parameters-with-template', build, [templateParameter, templateParameter]);
    const parameters = new Map(
      rows.filter((r) => r.parameter_value !== null).map((r) => [r.parameter_id, r.parameter_value!]),
    );
    const t = rows.find((r) => r.id !== null);
    return { parameters, template: t ? toTemplate(t as Selectable<Database['email_template']>) : undefined };
  }

  async setParameter(id: number, value: string | null, at: string, by: number | null) {
    await this.db
      .insertInto('system_parameter')
      .values({ id, value, updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('id').doUpdateSet({ value, updated_at: at, updated_by: by }))
      .execute();
  }

  async createTemplate(t: TemplateRow, at: string) {
    const row = await this.db
      .insertInto('email_template')
      .values({ ...t, active: bool(t.active), created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTemplate(row);
  }

  async updateTemplate(id: number, t: TemplateRow, at: string) {
    const row = await this.db
      .updateTable('email_template')
      .set({ ...t, active: bool(t.active), updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toTemplate(row);
  }

  async findTemplate(id: number, lock?: 'share' | 'update') {
    if (!lock || !this.rowLocks) {
      const [row] = await this.prepared(
        'template-by-id',
        () => this.db.selectFrom('email_template').selectAll().where('id', '=', 0),
        [id],
      );
      return row && toTemplate(row);
    }
    let q = this.db.selectFrom('email_template').selectAll().where('id', '=', id);
    if (this.rowLocks && lock === 'share') q = q.forShare();
    if (this.rowLocks && lock === 'update') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && toTemplate(row);
  }

  async listTemplates() {
    return (await this.db.selectFrom('email_template').selectAll().orderBy('id').execute()).map(toTemplate);
  }

  async deleteTemplate(id: number) {
    const r = await this.db.deleteFrom('email_template').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- outbox
  async findOutboxEntry(id: number) {
    const row = await this.db.selectFrom('outbox_entry').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const attempts = await this.db
      .selectFrom('outbox_attempt')
      .select(['at', 'result', 'reply'])
      .where('entry_id', '=', id)
      .orderBy('id')
      .execute();
    return { ...toOutbox(row), attempts };
  }

  async listOutbox(status: OutboxStatus | undefined, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (status) q = q.where('status', '=', status);
    return page((await q.execute()).map(toOutbox), req.limit);
  }

  async outboxOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('outbox_entry')
      .selectAll()
      .where('message_id', 'in', messageIds as number[])
      .orderBy('id')
      .execute();
    return rows.map(toOutbox);
  }

  async outboxCounts() {
    const rows = await this.db
      .selectFrom('outbox_entry')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  async claimOutbox(c: OutboxClaim) {
    let due = this.db
      .selectFrom('outbox_entry')
      .select('id')
      .where('status', 'in', ['queued', 'deferred'])
      .where('next_attempt_at', '<=', c.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(c.limit);
    // PostgreSQL: several dispatchers skip each other's rows instead of waiting; SQLite writes one at a time anyway.
    if (this.rowLocks || this.skipLocked) due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('outbox_entry')
      .set({ status: 'sending', claim_token: c.token, lease_until: c.leaseUntil, updated_at: c.now })
      .where('id', 'in', due)
      .returningAll()
      .execute();
    return rows.map(toOutbox).sort((a, b) => a.id - b.id);
  }

  async renewClaims(token: string, leaseUntil: string) {
    const rows = await this.db
      .updateTable('outbox_entry')
      .set({ lease_until: leaseUntil })
      .where('claim_token', '=', token)
      .where('status', '=', 'sending')
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async requeueExpiredClaims(now: string) {
    const expired = await this.db
      .updateTable('outbox_entry')
      .set({ status: 'deferred', claim_token: null, lease_until: null, next_attempt_at: now, updated_at: now })
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .returning('id')
      .execute();
    if (expired.length > 0) {
      await this.db
        .insertInto('outbox_attempt')
        .values(
          expired.map((r) => ({
            entry_id: r.id,
            at: now,
            result: 'interrupted',
            reply: 'The dispatcher stopped during this attempt; the mail is due again with the same Message-ID.',
          })),
        )
        .execute();
    }
    return expired.length;
  }

  async finishOutboxAttempts(claimToken: string, outcomes: readonly { id: number; outcome: OutboxOutcome }[]) {
    if (outcomes.length === 0) return [];
    const sentAt = (o: OutboxOutcome) => (o.status === 'sent' ? o.at : null);
    if (this.dialectName === 'postgres') {
      // One statement (one round trip) for the whole group: the entries' new states and, only for the claims still
      // ours, the attempts.
      const column = <T>(pick: (o: OutboxOutcome) => T) => outcomes.map((x) => pick(x.outcome));
      const { rows } = await sql<{ entry_id: number }>`
        with o as (
          select * from unnest(${outcomes.map((x) => x.id)}::bigint[], ${column((o) => o.status)}::text[],
            ${column((o) => o.nextAttemptAt)}::timestamptz[], ${column((o) => o.reply)}::text[], ${column(sentAt)}::timestamptz[],
            ${column((o) => o.at)}::timestamptz[]) as o(id, status, next_attempt_at, reply, sent_at, at)
        ), u as (
          update outbox_entry e set status = o.status, attempt_count = e.attempt_count + 1, next_attempt_at = o.next_attempt_at,
            last_reply = o.reply, sent_at = o.sent_at, claim_token = null, lease_until = null, updated_at = o.at
          from o where e.id = o.id and e.claim_token = ${claimToken}
          returning e.id, e.ticket_id, o.at, o.status, o.reply
        ), a as (
          insert into outbox_attempt (entry_id, at, result, reply)
          select id, at, status, reply from u
          returning entry_id
        )
        select a.entry_id, (select pg_notify('parley_ticket', coalesce(string_agg(distinct ticket_id::text, ','), '')) from u) as announced
        from a`.execute(this.db);
      return rows.map((r) => Number(r.entry_id));
    }
    // SQLite (inside the transaction SqlStorage opens): two prepared statements per outcome.
    const recorded: number[] = [];
    for (const { id, outcome: o } of outcomes) {
      const [updated] = await this.prepared<{ id: number; ticket_id: number | null }>(
        'finish-outbox-attempt',
        () => ({
          compile: () =>
            sql<{
              id: number;
              ticket_id: number | null;
            }>`update outbox_entry set status = ${''}, attempt_count = attempt_count + 1, next_attempt_at = ${''},
              last_reply = ${''}, sent_at = ${''}, claim_token = null, lease_until = null, updated_at = ${''}
              where id = ${0} and claim_token = ${''} returning id, ticket_id`.compile(this.db),
        }),
        [o.status, o.nextAttemptAt, o.reply, sentAt(o), o.at, id, claimToken],
      );
      if (!updated) continue;
      if (updated.ticket_id !== null) this.touchedTickets.add(updated.ticket_id);
      await this.insertRow('insert-outbox-attempt', 'outbox_attempt', {
        entry_id: id,
        at: o.at,
        result: o.status,
        reply: o.reply,
      });
      recorded.push(id);
    }
    return recorded;
  }

  async retryOutboxNow(id: number, at: string) {
    const row = await this.db
      .updateTable('outbox_entry')
      // A new delivery effort: the backoff and the give-up time start again (the attempts stay in outbox_attempt).
      .set({ status: 'queued', next_attempt_at: at, attempt_count: 0, attempts_since: at, updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', ['deferred', 'failed'])
      .returningAll()
      .executeTakeFirst();
    if (row) await this.touchTicket(row.ticket_id);
    return row && toOutbox(row);
  }

  async signalOutbox() {
    if (this.rowLocks || this.skipLocked) await sql`select pg_notify('parley_outbox', '')`.execute(this.db);
    else this.signalled = true;
  }

  // ---- inbound mail
  async insertInboundMail(mail: RawMail, at: string, attempts = 0) {
    const raw = Buffer.from(mail.raw.buffer, mail.raw.byteOffset, mail.raw.byteLength);
    return this.insertRow('insert-inbound-mail', 'inbound_mail', {
      attempts,
      received_at: at,
      updated_at: at,
      status: 'received',
      raw,
      size: raw.byteLength,
      sha256: mail.sha256,
      envelope_from: mail.envelopeFrom,
      envelope_to: JSON.stringify(mail.envelopeTo),
      remote_address: mail.remoteAddress,
      helo: mail.helo ?? null,
    });
  }

  async findInboundMail(id: number) {
    const [row] = await this.prepared(
      'inbound-by-id',
      () => this.db.selectFrom('inbound_mail').select(INBOUND_COLUMNS).where('id', '=', 0),
      [id],
    );
    return row && toInbound(row);
  }

  async inboundRaw(id: number) {
    const [row] = await this.prepared(
      'inbound-raw',
      () => this.db.selectFrom('inbound_mail').select('raw').where('id', '=', 0),
      [id],
    );
    if (!row) return undefined;
    const raw = row.raw as Uint8Array;
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  async listInboundMail(filter: InboundFilter, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('inbound_mail')
      .select(INBOUND_COLUMNS)
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (filter.status) q = q.where('status', '=', filter.status);
    const scope = filter.scope;
    if (scope.kind !== 'all') {
      // Mail of the tickets the scope sees, and mail of no ticket (the support mailbox's) when asked.
      let visible = this.db.selectFrom('ticket').select('ticket.id');
      if (scope.kind === 'requester') {
        visible = visible.where((eb) =>
          eb.or([
            eb('ticket.requester_id', '=', scope.requesterId),
            eb('ticket.id', 'in', this.copiedTo(scope.requesterId)),
          ]),
        );
      } else {
        visible = visible.where((eb) =>
          eb.or([
            eb('ticket.responsible_id', '=', scope.userId),
            eb('ticket.requester_id', '=', scope.userId),
            ...(scope.groupIds.length > 0 ? [eb('ticket.group_id', 'in', scope.groupIds as number[])] : []),
          ]),
        );
      }
      q = filter.withoutTicket
        ? q.where((eb) =>
            eb.or([eb('inbound_mail.ticket_id', 'is', null), eb('inbound_mail.ticket_id', 'in', visible)]),
          )
        : q.where('inbound_mail.ticket_id', 'in', visible);
    }
    return page((await q.execute()).map(toInbound), req.limit);
  }

  async removeInboundRaw(before: string, at: string, limit: number) {
    const due = this.db
      .selectFrom('inbound_mail')
      .select('id')
      .where('raw_removed_at', 'is', null)
      .where('status', 'in', [...RAW_REMOVABLE])
      .where('updated_at', '<', before)
      .orderBy('id')
      .limit(limit);
    const result = await this.db
      .updateTable('inbound_mail')
      .set({ raw: Buffer.alloc(0), raw_removed_at: at })
      .where('id', 'in', due)
      .where('raw_removed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async pendingInboundMail(limit: number) {
    const rows = await this.db
      .selectFrom('inbound_mail')
      .select('id')
      .where('status', '=', 'received')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async countInboundAttempt(id: number) {
    const build = () => ({
      compile: () =>
        sql<{
          attempts: number;
        }>`update inbound_mail set attempts = attempts + 1 where id = ${0} returning attempts`.compile(this.db),
    });
    const [row] = await this.prepared('inbound-attempt', build, [id]);
    return row?.attempts ?? 0;
  }

  async releaseInboundAttempts(ids: readonly number[]) {
    if (ids.length === 0) return;
    await this.db
      .updateTable('inbound_mail')
      .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
      .where('id', 'in', ids as number[])
      .where('status', '=', 'received')
      .where('attempts', '>', 0)
      .execute();
  }

  async beginInboundAttempt(id: number) {
    const build = () => ({
      compile: () =>
        sql<
          Selectable<Database['inbound_mail']>
        >`update inbound_mail set attempts = attempts + 1 where id = ${0} and status = ${''}
          returning ${sql.join([...INBOUND_COLUMNS, 'raw'].map((c) => sql.ref(c)))}`.compile(this.db),
    });
    const [row] = await this.prepared('inbound-begin-attempt', build, [id, 'received']);
    if (row) return { mail: toInbound(row), raw: bytesOf(row.raw) };
    const mail = await this.findInboundMail(id);
    return mail && { mail, raw: null };
  }

  /**
   * PostgreSQL: one call of migration 005's function (one round trip, one commit). SQLite: the key as before (its
   * unique index settles a race), then the sender's claim and count in one statement: a write statement runs alone
   * on SQLite, from its read to its commit, so the mails of one sender are counted one after the other.
   */
  async claimInboundMail(id: number, key: string, sender: { key: string; since: string } | null) {
    if (this.dialectName === 'postgres') {
      const build = () => ({
        compile: () =>
          sql<{
            holder: number | null;
            recent: number | null;
          }>`select holder, recent from parley_claim_inbound(${0}, ${''}, ${''}, ${''})`.compile(this.db),
      });
      const [row] = await this.prepared('inbound-claim', build, [id, key, sender?.key ?? null, sender?.since ?? null]);
      return { holder: row?.holder ?? id, recent: row?.recent ?? null };
    }
    const holderOf = async () =>
      (
        await this.prepared(
          'inbound-key-holder',
          () => this.db.selectFrom('inbound_mail').select('id').where('dedupe_key', '=', ''),
          [key],
        )
      )[0]?.id;
    let holder = await holderOf();
    if (holder === undefined) {
      try {
        const build = () => ({
          compile: () =>
            sql`update inbound_mail set dedupe_key = ${''} where id = ${0} and dedupe_key is null`.compile(this.db),
        });
        await this.prepared('inbound-claim-key', build, [key, id]);
      } catch (error) {
        // Another process claimed the key between the read and the write.
        if (!isUniqueViolation(error)) throw error;
      }
      holder = (await holderOf()) ?? id;
    }
    if (holder !== id || !sender) return { holder, recent: null };
    const build = () => ({
      compile: () =>
        sql<{ n: number }>`update inbound_mail set sender_key = ${''} where id = ${0}
          returning (select count(*) from inbound_mail as other where other.sender_key = ${''} and other.received_at >= ${''} and other.id <> ${0}) as n`.compile(
          this.db,
        ),
    });
    const [row] = await this.prepared('inbound-claim-sender', build, [sender.key, id, sender.key, sender.since, id]);
    return { holder, recent: Number(row?.n ?? 0) };
  }

  /** The values finishInboundMail writes for an outcome, in its placeholders' order (fields left out keep theirs). */
  private finishValues(o: InboundOutcome) {
    const keep = <T>(v: T | undefined) => (v === undefined ? null : v);
    return {
      status: o.status,
      reason: o.reason,
      reason_text: o.reasonText,
      updated_at: o.at,
      message_id_header: keep(o.messageIdHeader),
      from_address: keep(o.fromAddress),
      from_name: keep(o.fromName),
      subject: keep(o.subject),
      ticket_id: keep(o.ticketId),
      message_id: keep(o.messageId),
      outbox_id: keep(o.outboxId),
      duplicate_of: keep(o.duplicateOf),
      text: keep(o.text),
      trimmed: keep(o.trimmed),
      resolved_by: keep(o.resolvedById),
      resolved_at: o.resolvedById === undefined || o.resolvedById === null ? null : o.at,
      attachment_note: keep(o.attachmentNote),
    };
  }

  /**
   * The update that gives a mail its outcome if it is still in one of `fromStatuses`, returning its id. `messageId`
   * (PostgreSQL's one-statement post): an expression for the message id, in place of the outcome's.
   */
  private finishStatement(
    id: number,
    o: InboundOutcome,
    fromStatuses: readonly InboundStatus[],
    messageId?: RawBuilder<unknown>,
  ) {
    if (fromStatuses.length === 0 || fromStatuses.length > 2)
      throw new Error('finishInboundMail takes one or two states to move from.');
    const v = this.finishValues(o);
    const coalesced = (
      [
        'message_id_header',
        'from_address',
        'from_name',
        'subject',
        'ticket_id',
        'message_id',
        'outbox_id',
        'duplicate_of',
        'text',
        'trimmed',
        'resolved_by',
        'resolved_at',
        'attachment_note',
      ] as const
    ).map((c) =>
      c === 'message_id' && messageId
        ? sql`message_id = ${messageId}`
        : sql`${sql.ref(c)} = coalesce(${v[c]}, ${sql.ref(c)})`,
    );
    return sql`update inbound_mail set status = ${v.status}, reason = ${v.reason}, reason_text = ${v.reason_text}, updated_at = ${v.updated_at},
      ${sql.join(coalesced)}
      where id = ${id} and status in (${fromStatuses[0]!}, ${fromStatuses[1] ?? fromStatuses[0]!}) returning id`;
  }

  /** One fixed statement (prepared once): fields an outcome leaves out keep their value (coalesce). */
  async finishInboundMail(id: number, o: InboundOutcome, fromStatuses: readonly InboundStatus[]) {
    const template: InboundOutcome = { status: 'held', reason: 'no-match', reasonText: '', at: '' };
    const build = () => ({ compile: () => this.finishStatement(0, template, ['received']).compile(this.db) });
    const rows = await this.prepared('inbound-finish', build, [
      ...Object.values(this.finishValues(o)),
      id,
      fromStatuses[0]!,
      fromStatuses[1] ?? fromStatuses[0]!,
    ]);
    return rows.length > 0;
  }

  async outboxByMessageIds(messageIdHeaders: readonly string[]): Promise<OutboxReference[]> {
    if (messageIdHeaders.length === 0) return [];
    const columns = ['id', 'ticket_id', 'recipient_id', 'message_id_header', 'status'] as const;
    const rows =
      messageIdHeaders.length === 1
        ? await this.prepared(
            'outbox-by-message-id',
            () => this.db.selectFrom('outbox_entry').select(columns).where('message_id_header', '=', ''),
            [messageIdHeaders[0]!],
          )
        : await this.db
            .selectFrom('outbox_entry')
            .select(columns)
            .where('message_id_header', 'in', messageIdHeaders as string[])
            .orderBy('id')
            .execute();
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      recipientId: r.recipient_id,
      messageIdHeader: r.message_id_header,
      status: r.status as OutboxStatus,
    }));
  }

  async recordOutboxBounce(id: number, at: string, reply: string) {
    const row = await this.db
      .updateTable('outbox_entry')
      // A claim in flight loses its right to record an outcome: the bounce is the last word on this mail.
      .set({
        status: 'failed',
        next_attempt_at: null,
        last_reply: reply,
        claim_token: null,
        lease_until: null,
        updated_at: at,
      })
      .where('id', '=', id)
      .returning(['id', 'ticket_id'])
      .executeTakeFirst();
    if (!row) return false;
    await this.db.insertInto('outbox_attempt').values({ entry_id: id, at, result: 'bounced', reply }).execute();
    await this.touchTicket(row.ticket_id);
    return true;
  }

  // ---- attachments
  async insertAttachments(attachments: readonly NewAttachment[], at: string) {
    if (attachments.length === 0) return;
    // One row per statement: a row carries up to megabytes of bytes, so batching saves nothing worth the memory.
    for (const [position, a] of attachments.entries()) {
      await this.db
        .insertInto('attachment')
        .values({
          id: a.id,
          ticket_id: a.ticketId,
          message_id: a.messageId,
          inbound_mail_id: a.inboundMailId,
          position,
          name: a.name,
          content_type: a.contentType,
          inline: bool(a.inline) as never,
          size: a.size,
          sha256: a.sha256,
          content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
          created_at: at,
        })
        .execute();
    }
    // Announced with the message or ticket they belong to (stored in the same transaction), to its audience.
  }

  async trimmedOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('inbound_mail')
      .select(['message_id', 'trimmed'])
      .where('message_id', 'in', messageIds as number[])
      .where('trimmed', 'is not', null)
      .where('trimmed', '<>', '')
      .execute();
    return rows.map((r) => ({ messageId: r.message_id!, trimmed: r.trimmed! }));
  }

  async attachmentsOfMessages(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('message_id', 'in', messageIds as number[])
      .orderBy('message_id')
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async mailAttachments(messageIds: readonly number[]) {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('attachment')
      .select(['message_id', 'id', 'name', 'content_type', 'size'])
      .where('message_id', 'in', messageIds as number[])
      .where('inline', '=', bool(false) as never)
      .orderBy('message_id')
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      messageId: r.message_id!,
      id: r.id,
      name: r.name,
      contentType: r.content_type,
      size: r.size,
    }));
  }

  async attachmentsOfTicket(ticketId: number) {
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('ticket_id', '=', ticketId)
      .where('message_id', 'is', null)
      .orderBy('created_at')
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async attachmentsOfInboundMail(inboundMailId: number) {
    const rows = await this.db
      .selectFrom('attachment')
      .select(ATTACHMENT_COLUMNS)
      .where('inbound_mail_id', '=', inboundMailId)
      .orderBy('position')
      .execute();
    return rows.map(toAttachment);
  }

  async findAttachment(id: string): Promise<StoredAttachment | undefined> {
    const row = await this.db
      .selectFrom('attachment')
      .leftJoin('ticket_message', 'ticket_message.id', 'attachment.message_id')
      .select(ATTACHMENT_COLUMNS)
      .select('ticket_message.internal as internal')
      .where('attachment.id', '=', id)
      .executeTakeFirst();
    return row && { ...toAttachment(row), internal: row.internal === null ? null : Boolean(row.internal) };
  }

  async attachmentContent(id: string) {
    const row = await this.db.selectFrom('attachment').select('content').where('id', '=', id).executeTakeFirst();
    return row && bytesOf(row.content);
  }

  async linkInboundAttachments(inboundMailId: number, ticketId: number, messageId: number) {
    const r = await this.db
      .updateTable('attachment')
      .set({ ticket_id: ticketId, message_id: messageId })
      .where('inbound_mail_id', '=', inboundMailId)
      .where('message_id', 'is', null)
      .where('ticket_id', 'is', null)
      .executeTakeFirst();
    // No announcement of its own: the message the files are linked to was announced when it was stored, to its
    // audience (an internal note to staff only).
    const linked = Number(r.numUpdatedRows);
    return linked;
  }

  async deleteUnlinkedInboundAttachments(inboundMailId: number) {
    const r = await this.db
      .deleteFrom('attachment')
      .where('inbound_mail_id', '=', inboundMailId)
      .where('message_id', 'is', null)
      .where('ticket_id', 'is', null)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- sessions and tokens
  async createSession(idHash: string, s: Session, at: string) {
    await this.db
      .insertInto('user_session')
      .values({ id_hash: idHash, user_id: s.userId, csrf_hash: s.csrfHash, created_at: at, expires_at: s.expiresAt })
      .execute();
  }

  async findSession(idHash: string) {
    const r = await this.db.selectFrom('user_session').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && { userId: r.user_id, csrfHash: r.csrf_hash, expiresAt: r.expires_at };
  }

  async deleteSession(idHash: string) {
    await this.db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
  }

  async deleteExpiredSessions(now: string) {
    const r = await this.db.deleteFrom('user_session').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteSessionsOfUser(userId: number, exceptHash: string | null) {
    let q = this.db.deleteFrom('user_session').where('user_id', '=', userId);
    if (exceptHash !== null) q = q.where('id_hash', '<>', exceptHash);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async createApiToken(tokenHash: string, t: NewApiToken, at: string) {
    const { id } = await this.db
      .insertInto('api_token')
      .values({
        token_hash: tokenHash,
        user_id: t.userId,
        name: t.name,
        scope: t.scope,
        expires_at: t.expiresAt,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async listApiTokens(userId: number) {
    const rows = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toApiToken);
  }

  async deleteApiToken(userId: number, id: number) {
    const r = await this.db
      .deleteFrom('api_token')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteApiTokensOfUser(userId: number) {
    return Number(
      (await this.db.deleteFrom('api_token').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows,
    );
  }

  async touchApiToken(id: number, at: string, notBefore: string) {
    await this.db
      .updateTable('api_token')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', notBefore)]))
      .execute();
  }

  async findApiTokenUser(tokenHash: string) {
    const r = await this.db
      .selectFrom('api_token')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r?.user_id;
  }
}
