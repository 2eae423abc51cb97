import type { Selectable } from 'kysely';
import {
  sortVariants,
  type CannedAnswer,
  type CannedAnswerRow,
} from '../../../../domain/canned-answers/canned-answer.ts';
import type { CannedAnswerFilter, CannedAnswerRepository } from '../../../../ports/storage/canned-answers.ts';
import { bool } from '../rows.ts';
import type { Database } from '../schema.ts';
import type { SqlContext } from '../sql-dialect.ts';
import { SqlRepository } from '../sql-repository.ts';

type AnswerRow = Selectable<Database['canned_answer']>;
type VariantRow = Selectable<Database['canned_answer_variant']>;

function toAnswer(r: AnswerRow, variants: VariantRow[]): CannedAnswer {
  return {
    id: r.id,
    name: r.name,
    scope: r.group_id !== null ? { kind: 'team', groupId: r.group_id } : { kind: 'personal', ownerId: r.owner_id! },
    variants: sortVariants(
      variants
        .filter((v) => v.answer_id === r.id)
        .map((v) => ({ locale: v.locale, text: v.body, isDefault: Boolean(v.is_default) })),
    ),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

async function insertVariants(ctx: SqlContext, id: number, variants: CannedAnswerRow['variants']) {
  await ctx.db
    .insertInto('canned_answer_variant')
    .values(variants.map((v) => ({ answer_id: id, locale: v.locale, body: v.text, is_default: bool(v.isDefault) })))
    .execute();
}

export class SqlCannedAnswerRepository extends SqlRepository implements CannedAnswerRepository {
  async createCannedAnswer(row: CannedAnswerRow, at: string) {
    const id = await this.ctx.atomically(async (ctx) => {
      const { id } = await ctx.db
        .insertInto('canned_answer')
        .values({
          name: row.name,
          group_id: row.scope.kind === 'team' ? row.scope.groupId : null,
          owner_id: row.scope.kind === 'personal' ? row.scope.ownerId : null,
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertVariants(ctx, id, row.variants);
      return id;
    });
    return (await this.findCannedAnswer(id))!;
  }

  async updateCannedAnswer(id: number, row: Omit<CannedAnswerRow, 'scope'>, at: string) {
    const found = await this.ctx.atomically(async (ctx) => {
      const updated = await ctx.db
        .updateTable('canned_answer')
        .set({ name: row.name, updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await ctx.db.deleteFrom('canned_answer_variant').where('answer_id', '=', id).execute();
      await insertVariants(ctx, id, row.variants);
      return true;
    });
    return found ? this.findCannedAnswer(id) : undefined;
  }

  async findCannedAnswer(id: number) {
    const answer = await this.db.selectFrom('canned_answer').selectAll().where('id', '=', id).executeTakeFirst();
    if (!answer) return undefined;
    const variants = await this.db
      .selectFrom('canned_answer_variant')
      .selectAll()
      .where('answer_id', '=', id)
      .execute();
    return toAnswer(answer, variants);
  }

  async listCannedAnswers(filter: CannedAnswerFilter) {
    const groupIds = filter.groupIds;
    const byGroup = groupIds === 'all' || (groupIds !== undefined && groupIds.length > 0);
    if (filter.ownerId === undefined && !byGroup) return [];
    const answers = await this.db
      .selectFrom('canned_answer')
      .selectAll()
      .where((eb) => {
        const either = [];
        if (filter.ownerId !== undefined) either.push(eb('owner_id', '=', filter.ownerId));
        if (groupIds === 'all') either.push(eb('group_id', 'is not', null));
        else if (byGroup) either.push(eb('group_id', 'in', groupIds as number[]));
        return eb.or(either);
      })
      .execute();
    if (answers.length === 0) return [];
    const variants = await this.db
      .selectFrom('canned_answer_variant')
      .selectAll()
      .where(
        'answer_id',
        'in',
        answers.map((a) => a.id),
      )
      .execute();
    // Sorted here: the databases' collations differ, the order must not.
    answers.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id - b.id);
    return answers.map((a) => toAnswer(a, variants));
  }

  async deleteCannedAnswer(id: number) {
    const r = await this.db.deleteFrom('canned_answer').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteCannedAnswersOf(ownerId: number) {
    const r = await this.db.deleteFrom('canned_answer').where('owner_id', '=', ownerId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
