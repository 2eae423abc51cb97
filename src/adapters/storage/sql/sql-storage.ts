import { EventEmitter } from 'node:events';
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from '../../../../migrations/index.ts';
import { UniqueViolation, type ActivityListeners, type Repositories, type Storage } from '../../../ports/storage.ts';
import type { Database } from './schema.ts';
import { InboundNotPending, isUniqueViolation, SqlRepositories, type DirectSqlite } from './sql-repositories.ts';

function asUniqueViolation(error: unknown): unknown {
  return isUniqueViolation(error) ? new UniqueViolation('A unique value is already taken.', { cause: error }) : error;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** PostgreSQL: LISTEN on a channel; the listener gets each payload ('' after a reconnection: something may be missed). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export type Listen = (
  channel: 'parley_outbox' | 'parley_ticket',
  listener: (payload: string) => void,
) => Promise<() => Promise<void>>;

/** A Storage over any Kysely dialect; `sqlite/` and `postgres/` only build the Kysely instance. */

export class SqlStorage extends SqlRepositories implements Storage {
  private readonly signals = new EventEmitter();

  constructor(
    private readonly kysely: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    /** PostgreSQL: LISTEN on a connection of its own, so other processes' signals arrive too. */
    private readonly listen?: Listen,
    /** SQLite: the connection, for prepared queries run directly. */
    private readonly sqlite?: DirectSqlite,
  ) {
    super(kysely, false, dialect === 'postgres', sqlite && { sqlite, inOwnTransaction: false });
    this.signals.setMaxListeners(100);
  }

  /**
   * SQLite: the reads every request repeats (the actor behind a session or token, the messaging settings, a
   * recipient, a group's staff), kept until migration 002's change counter moves. The counter is read first, so a
   * value is never kept under a newer counter than the data it was read with; a change committed by any process
   * (this one, the dispatcher, the CLI) moves the counter and empties the cache. Misses are not kept. PostgreSQL reads
   * are already one round trip each and are not cached.
   */
  private cache = { version: Number.NaN, entries: new Map<string, unknown>() };

  private async cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'sqlite') return read();
    const version = await this.changeCounter();
    if (version !== this.cache.version) this.cache = { version, entries: new Map() };
    const entries = this.cache.entries;
    if (entries.has(key)) return entries.get(key) as T;
    const value = await read();
    // Frozen: a caller that changed a cached value (pushing onto a group's staff) would change it for every later one.
    if (value !== undefined && this.cache.entries === entries && entries.size < 10_000)
      entries.set(key, deepFreeze(value));
    return value;
  }

  override async findActor(key: Parameters<SqlRepositories['findActor']>[0]) {
    const name =
      'userId' in key
        ? `actor:u:${key.userId}`
        : 'email' in key
          ? `actor:e:${key.email}`
          : 'tokenHash' in key
            ? `actor:t:${key.tokenHash}`
            : `actor:s:${key.sessionHash}`;
    return this.cached(name, () => super.findActor(key));
  }

  override async getParametersWithTemplate(templateParameter: number) {
    return this.cached(`settings:${templateParameter}`, () => super.getParametersWithTemplate(templateParameter));
  }

  override async findUserById(id: number) {
    return this.cached(`user:${id}`, () => super.findUserById(id));
  }

  override async staffOfGroup(groupId: number) {
    return this.cached(`staff:${groupId}`, () => super.staffOfGroup(groupId));
  }

  /**
   * When this process last recorded each token's use: the SQLite cache serves the actor with the `lastUsedAt` read
   * when it was cached (the trigger of migration 008 leaves the counter alone for it), so without this each request
   * after the first minute would write again.
   */
  private readonly tokenTouches = new Map<number, number>();

  override async touchApiToken(id: number, at: string, notBefore: string) {
    const last = this.tokenTouches.get(id);
    if (last !== undefined && last > Date.parse(notBefore)) return;
    this.tokenTouches.delete(id);
    this.tokenTouches.set(id, Date.parse(at));
    if (this.tokenTouches.size > 10_000) this.tokenTouches.delete(this.tokenTouches.keys().next().value!);
    await super.touchApiToken(id, at, notBefore);
  }

  private inTransaction(trx: Kysely<Database>): SqlRepositories {
    const pg = this.dialect === 'postgres';
    return new SqlRepositories(trx, pg, pg, this.sqlite && { sqlite: this.sqlite, inOwnTransaction: true });
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    let repos: SqlRepositories | undefined;
    let result: T;
    try {
      result = await this.kysely.transaction().execute((trx) => work((repos = this.inTransaction(trx))));
    } catch (error) {
      throw asUniqueViolation(error);
    }
    if (repos?.signalled) this.signals.emit('outbox');
    if (repos) this.announce(repos);
    return result;
  }

  /**
   * PostgreSQL: one statement. SQLite: group commit. The messages stored during one turn of the event loop (the
   * requests that arrived together), or while the previous group was being written, go into one transaction, each
   * behind a savepoint so that one failing leaves the others whole. Each caller hears back only after the commit.
   * A commit writes every page it changed to the WAL and is a hand-off of the write lock with the dispatcher process,
   * so fewer commits are the largest saving there is for concurrent posting (see BENCHMARKS.md).
   */
  override async storeMessage(...args: Parameters<SqlRepositories['storeMessage']>) {
    if (this.dialect === 'postgres') return super.storeMessage(...args);
    return new Promise<Awaited<ReturnType<SqlRepositories['storeMessage']>>>((done, fail) => {
      this.messageGroup.push({ args, done, fail });
      if (this.messageGroup.length === 1 && !this.writingMessages) setImmediate(() => void this.writeMessageGroup());
    });
  }

  private messageGroup: {
    args: Parameters<SqlRepositories['storeMessage']>;
    done: (stored: Awaited<ReturnType<SqlRepositories['storeMessage']>>) => void;
    fail: (error: unknown) => void;
  }[] = [];
  private writingMessages = false;

  private async writeMessageGroup(): Promise<void> {
    const group = this.messageGroup;
    this.messageGroup = [];
    this.writingMessages = true;
    const outcomes: (
      { ok: true; stored: Awaited<ReturnType<SqlRepositories['storeMessage']>> } | { ok: false; error: unknown }
    )[] = [];
    try {
      let signalled = false;
      let touched: SqlRepositories | undefined;
      await this.kysely.transaction().execute(async (trx) => {
        const tx = this.inTransaction(trx);
        if (group.length === 1) {
          outcomes.push({ ok: true, stored: await tx.storeMessage(...group[0]!.args) });
        } else {
          for (const item of group) {
            await sql`savepoint parley_message`.execute(trx);
            try {
              outcomes.push({ ok: true, stored: await tx.storeMessage(...item.args) });
              await sql`release savepoint parley_message`.execute(trx);
            } catch (error) {
              await sql`rollback to savepoint parley_message`.execute(trx);
              await sql`release savepoint parley_message`.execute(trx);
              outcomes.push({ ok: false, error: asUniqueViolation(error) });
            }
          }
        }
        signalled = tx.signalled;
        touched = tx;
      });
      if (signalled) this.signals.emit('outbox');
      if (touched) this.announce(touched);
      group.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.done(outcome.stored);
        else item.fail(outcome.error);
      });
    } catch (error) {
      // The transaction itself failed (the write lock not obtained in time, the commit): nothing of the group is stored.
      for (const item of group) item.fail(asUniqueViolation(error));
    } finally {
      this.writingMessages = false;
      if (this.messageGroup.length > 0) void this.writeMessageGroup();
    }
  }

  /** Atomic on its own: one statement on PostgreSQL, a transaction of its own on SQLite. */
  override async finishOutboxAttempts(...args: Parameters<SqlRepositories['finishOutboxAttempts']>) {
    if (this.dialect === 'postgres') return super.finishOutboxAttempts(...args);
    return this.transaction((tx) => tx.finishOutboxAttempts(...args));
  }

  /** SQLite: in a transaction of its own, rolled back when the mail was decided meanwhile (PostgreSQL: one statement). */
  override async storeInboundMessage(...args: Parameters<SqlRepositories['storeInboundMessage']>) {
    if (this.dialect === 'postgres') return super.storeInboundMessage(...args);
    try {
      return await this.transaction((tx) => tx.storeInboundMessage(...args));
    } catch (error) {
      if (error instanceof InboundNotPending) return undefined;
      throw error;
    }
  }

  override async signalOutbox(): Promise<void> {
    if (this.dialect === 'postgres') await super.signalOutbox();
    else this.signals.emit('outbox');
  }

  async onOutboxSignal(listener: () => void): Promise<() => Promise<void>> {
    if (this.listen) return this.listen('parley_outbox', () => listener());
    this.signals.on('outbox', listener);
    return async () => {
      this.signals.off('outbox', listener);
    };
  }

  /** SQLite: the tickets a committed write touched, to this process's listeners (PostgreSQL: NOTIFY did it). */
  private announce(repos: SqlRepositories): void {
    if (repos.touchedTickets.size > 0) this.signals.emit('ticket', [...repos.touchedTickets], false);
    if (repos.staffOnlyTickets.size > 0) this.signals.emit('ticket', [...repos.staffOnlyTickets], true);
    repos.touchedTickets.clear();
    repos.staffOnlyTickets.clear();
  }

  override async createTicket(...args: Parameters<SqlRepositories['createTicket']>) {
    const ticket = await super.createTicket(...args);
    this.announce(this);
    return ticket;
  }

  override async updateTicket(...args: Parameters<SqlRepositories['updateTicket']>) {
    await super.updateTicket(...args);
    this.announce(this);
  }

  override async setTicketCopies(...args: Parameters<SqlRepositories['setTicketCopies']>) {
    await super.setTicketCopies(...args);
    this.announce(this);
  }

  override async retryOutboxNow(...args: Parameters<SqlRepositories['retryOutboxNow']>) {
    const entry = await super.retryOutboxNow(...args);
    this.announce(this);
    return entry;
  }

  async onTicketActivity(
    listener: (ticketIds: number[], staffOnly: boolean) => void,
    also: ActivityListeners = {},
  ): Promise<() => Promise<void>> {
    if (this.listen) {
      return this.listen('parley_ticket', (payload) => {
        if (payload === '') return also.missed?.(); // (re)connected: what was signalled meanwhile is not replayed
        if (payload.startsWith('i')) {
          const ticketId = Number(payload.slice(1));
          return also.inbound?.(payload.length > 1 && Number.isInteger(ticketId) ? ticketId : null);
        }
        const everyone: number[] = [];
        const staff: number[] = [];
        for (const item of payload.split(',')) {
          const id = Number(item.startsWith('s') ? item.slice(1) : item);
          if (item && Number.isInteger(id)) (item.startsWith('s') ? staff : everyone).push(id);
        }
        if (everyone.length > 0) listener(everyone, false);
        if (staff.length > 0) listener(staff, true);
      });
    }
    const inbound = (ticketId: number | null) => also.inbound?.(ticketId);
    this.signals.on('ticket', listener);
    this.signals.on('inbound', inbound);
    return async () => {
      this.signals.off('ticket', listener);
      this.signals.off('inbound', inbound);
    };
  }

  async signalInbound(ticketId: number | null = null): Promise<void> {
    if (this.dialect === 'postgres')
      await sql`select pg_notify('parley_ticket', ${ticketId === null ? 'i' : `i${ticketId}`})`.execute(this.kysely);
    else this.signals.emit('inbound', ticketId);
  }

  relayTicketActivity(ticketIds: readonly number[], staffOnly = false): void {
    if (this.dialect === 'sqlite' && ticketIds.length > 0) this.signals.emit('ticket', [...ticketIds], staffOnly);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }

  /** Applies pending migrations; returns the names applied. */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({
      db: this.kysely,
      provider,
      migrationTableName: 'parley_migration',
      migrationLockTableName: 'parley_migration_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error)
      throw new Error(`Database migration failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** For tests and benchmarks that need the raw query builder. */
  get kyselyInstance(): Kysely<Database> {
    return this.kysely;
  }
}
