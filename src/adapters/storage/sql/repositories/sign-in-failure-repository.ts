import { sql } from 'kysely';
import type { SignInFailure, SignInFailureRepository } from '../../../../ports/storage/sign-in-failures.ts';
import { SqlRepository } from '../sql-repository.ts';

/** The time a key made only to be locked carries: before any `since`. */
const NEVER_CURRENT = new Date(0).toISOString();

function toFailure(r: { key: string; failures: number | string; last_at: string }): SignInFailure {
  return { key: r.key, failures: Number(r.failures), lastAt: r.last_at };
}

/**
 * The sign-in limiter's rows. Counting is one upsert; holding keys locks their rows (made first, at zero, where
 * missing) on a database whose transactions run side by side, always in the order of the keys so that two holders
 * never wait on each other; where write transactions are serial, the transaction alone holds them.
 */
export class SqlSignInFailureRepository extends SqlRepository implements SignInFailureRepository {
  async readSignInFailures(keys: readonly string[], since: string) {
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectFrom('sign_in_failure')
      .selectAll()
      .where('key', 'in', [...keys])
      .where('last_at', '>', since)
      .orderBy('key')
      .execute();
    return rows.map(toFailure);
  }

  async holdSignInFailures(keys: readonly string[], at: string, since: string) {
    if (keys.length === 0 || !(this.ctx.dialect.locksRows && this.ctx.inTransaction))
      return this.readSignInFailures(keys, since);
    const sorted = [...new Set(keys)].sort();
    // A missing key is made to be locked, with no failure and a time never current: it is never newer than a key that
    // counts (pruning beyond the newest keeps those), and a refused attempt removes it again.
    await this.db
      .insertInto('sign_in_failure')
      .values(sorted.map((key) => ({ key, failures: 0, last_at: NEVER_CURRENT })))
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const rows = await this.db
      .selectFrom('sign_in_failure')
      .selectAll()
      .where('key', 'in', sorted)
      .orderBy('key')
      .forUpdate()
      .execute();
    const after = Date.parse(since);
    return rows.filter((r) => Date.parse(r.last_at) > after).map(toFailure);
  }

  async addSignInFailure(keys: readonly string[], at: string, since: string) {
    if (keys.length === 0) return;
    await this.db
      .insertInto('sign_in_failure')
      .values([...new Set(keys)].sort().map((key) => ({ key, failures: 1, last_at: at })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when sign_in_failure.last_at > ${since} then sign_in_failure.failures + 1 else 1 end`,
          last_at: (eb) => eb.ref('excluded.last_at'),
        }),
      )
      .execute();
  }

  async takeBackSignInFailure(forget: readonly string[], takeBack: readonly string[]) {
    await this.ctx.atomically(async (ctx) => {
      if (forget.length > 0)
        await ctx.db
          .deleteFrom('sign_in_failure')
          .where('key', 'in', [...forget])
          .execute();
      if (takeBack.length === 0) return;
      // Removed before the others are decremented: a row another attempt counts meanwhile is never removed with one.
      await ctx.db
        .deleteFrom('sign_in_failure')
        .where('key', 'in', [...takeBack])
        .where('failures', '<=', 1)
        .execute();
      await ctx.db
        .updateTable('sign_in_failure')
        .set({ failures: sql<number>`failures - 1` })
        .where('key', 'in', [...takeBack])
        .execute();
    });
  }

  async pruneSignInFailures(since: string, keep: number) {
    // Rows an attempt holds are left for the next prune, so that a prune never waits on (or deadlocks with) one.
    const skipLocked = this.ctx.dialect.locksRows ? sql` for update skip locked` : sql``;
    const expired = await sql`delete from sign_in_failure where key in (
        select key from sign_in_failure where last_at <= ${since}${skipLocked})`.execute(this.db);
    const beyond = await sql`delete from sign_in_failure where key in (
        select key from sign_in_failure where (last_at, key) <= (
          select last_at, key from sign_in_failure order by last_at desc, key desc limit 1 offset ${keep})${skipLocked})`.execute(
      this.db,
    );
    return Number(expired.numAffectedRows ?? 0) + Number(beyond.numAffectedRows ?? 0);
  }

  async dropEmptySignInKeys(keys: readonly string[]) {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom('sign_in_failure')
      .where('key', 'in', [...keys])
      .where('failures', '=', 0)
      .execute();
  }

  async forgetSignInFailuresOf(email: string) {
    const escaped = email.replace(/[\\%_]/g, (c) => `\\${c}`);
    await this.db
      .deleteFrom('sign_in_failure')
      .where((eb) =>
        eb.or([eb('key', '=', `e:${email}`), eb('key', 'like', sql<string>`${`a:%:${escaped}`} escape '\\'`)]),
      )
      .execute();
  }

  async countSignInFailureKeys() {
    const row = await this.db
      .selectFrom('sign_in_failure')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
