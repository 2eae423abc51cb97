import { sql, type CompiledQuery } from 'kysely';
import type { Database } from './schema.ts';
import type { SqlContext } from './sql-dialect.ts';

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

/** The SQL text of the prepared query `name` on a dialect, once it has run (a test explains its plan). */
export function preparedSql(dialect: string, name: string): string | undefined {
  return PREPARED.get(`${dialect}:${name}`)?.sql;
}

/** How many statement shapes built at run time (`nameShape`) may be named, beyond the fixed ones. */
const SHAPES_NAMED_AT_MOST = 64;
let shapesNamed = 0;

/**
 * A statement whose text varies with a few things (how many mails a message has) but repeats: its text is named like
 * a prepared query's, up to `SHAPES_NAMED_AT_MOST` shapes, so PostgreSQL parses it once per connection too.
 */
export function nameShape<R>(compiled: CompiledQuery<R>): CompiledQuery<R> {
  if (!PREPARED_SQL_NAMES.has(compiled.sql) && shapesNamed < SHAPES_NAMED_AT_MOST) {
    shapesNamed++;
    PREPARED_SQL_NAMES.set(compiled.sql, `parley_${PREPARED_SQL_NAMES.size + 1}`);
  }
  return compiled;
}

export async function prepared<R>(
  ctx: SqlContext,
  name: string,
  build: () => { compile(): CompiledQuery<R> },
  parameters: readonly unknown[],
): Promise<R[]> {
  const key = `${ctx.dialect.name}:${name}`;
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
  // inside this context's own transaction, or when the connection is idle. Otherwise it waits its turn in Kysely.
  const direct = ctx.direct;
  if (direct && (ctx.inTransaction || direct.idle())) return direct.run<R>(compiled.sql, parameters);
  return (await ctx.db.executeQuery<R>({ ...compiled, parameters })).rows;
}

/** An insert of one row whose columns are always the same: prepared once, the row's values in column order. */
export async function insertRow<T extends keyof Database>(
  ctx: SqlContext,
  name: string,
  table: T,
  row: Record<string, unknown>,
): Promise<number> {
  const build = () =>
    ctx.db
      .insertInto(table)
      .values(Object.fromEntries(Object.keys(row).map((k) => [k, 0])) as never)
      .returning('id' as never);
  const [inserted] = await prepared(ctx, name, build, Object.values(row));
  return (inserted as { id: number }).id;
}

/** A ticket's thread, status or mail states changed (`staffOnly`: only an internal note, which requesters must not hear of). */
export async function touchTicket(ctx: SqlContext, ticketId: number | null, staffOnly = false): Promise<void> {
  if (ticketId !== null) await ctx.note({ kind: 'ticket', ticketId, staffOnly });
}

/** PostgreSQL's unique_violation, SQLite's UNIQUE/PRIMARY KEY constraint failures. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs `work` behind a savepoint of the open transaction: when it throws, only its own writes are undone. */
export async function inSavepoint<T>(ctx: SqlContext, name: string, work: (ctx: SqlContext) => Promise<T>): Promise<T> {
  const savepoint = sql.id(name);
  await sql`savepoint ${savepoint}`.execute(ctx.db);
  try {
    const result = await work(ctx);
    await sql`release savepoint ${savepoint}`.execute(ctx.db);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${savepoint}`.execute(ctx.db);
    await sql`release savepoint ${savepoint}`.execute(ctx.db);
    throw error;
  }
}
