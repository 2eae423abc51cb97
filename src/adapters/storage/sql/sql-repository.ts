import type { CompiledQuery } from 'kysely';
import { prepared } from './sql-context.ts';
import type { Db, SqlContext } from './sql-dialect.ts';

/** What every repository stands on: its context (a connection or an open transaction) and prepared queries. */
export abstract class SqlRepository {
  constructor(protected readonly ctx: SqlContext) {}

  protected get db(): Db {
    return this.ctx.db;
  }

  protected prepared<R>(name: string, build: () => { compile(): CompiledQuery<R> }, parameters: readonly unknown[]) {
    return prepared(this.ctx, name, build, parameters);
  }
}
