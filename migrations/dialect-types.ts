import { PostgresAdapter, sql, type ColumnDataType, type Kysely, type Expression } from 'kysely';

/**
 * The few column types that differ between SQLite and PostgreSQL, named once so each migration is written once.
 * Timestamps are ISO-8601 text on SQLite and timestamptz on PostgreSQL; both are read back as ISO strings.
 */
export function types(db: Kysely<any>) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    pg,
    timestamp: (pg ? 'timestamptz' : 'text') as ColumnDataType,
    boolean: (pg ? 'boolean' : 'integer') as ColumnDataType,
    false: (pg ? sql`false` : sql`0`) as Expression<unknown>,
    true: (pg ? sql`true` : sql`1`) as Expression<unknown>,
  };
}
