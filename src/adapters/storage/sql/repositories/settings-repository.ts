import { sql, type Selectable } from 'kysely';
import type { SettingsRepository, TemplateRow } from '../../../../ports/storage/settings.ts';
import { bool, toTemplate } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';

export class SqlSettingsRepository extends SqlRepository implements SettingsRepository {
  async getParameters() {
    const rows = await this.prepared(
      'parameters',
      () => this.db.selectFrom('system_parameter').select(['id', 'value']),
      [],
    );
    return new Map(rows.filter((r) => r.value !== null).map((r) => [r.id, r.value!]));
  }

  async getParametersWithTemplate(templateParameter: number) {
    if (!this.ctx.dialect.joinsBeatReads) {
      // An in-process database: two primary-key reads are cheaper than one join.
      const parameters = await this.getParameters();
      const id = Number(JSON.parse(parameters.get(templateParameter) ?? 'null'));
      return { parameters, template: Number.isInteger(id) && id > 0 ? await this.findTemplate(id) : undefined };
    }
    // A database server: one round trip.
    const build = () =>
      this.db
        .selectFrom('system_parameter as p')
        .leftJoin('email_template as t', (join) =>
          join
            .on('p.id', '=', 0)
            .on(sql`t.id`, '=', sql`(case when p.id = ${0} and p.value is not null then cast(p.value as integer) end)`),
        )
        // The template's variants on the rows of its parameter (one row each), so it stays one round trip.
        .leftJoin('template_variant as v', 'v.template_id', 't.id')
        .select(['p.id as parameter_id', 'p.value as parameter_value'])
        .select(['t.id', 't.name', 't.subject', 't.html', 't.text', 't.locale', 't.active', 't.created_at'])
        .select([
          't.updated_at',
          'v.locale as v_locale',
          'v.subject as v_subject',
          'v.html as v_html',
          'v.text as v_text',
        ])
        .orderBy('v.locale');
    const rows = await this.prepared('parameters-with-template', build, [templateParameter, templateParameter]);
    const parameters = new Map(
      rows.filter((r) => r.parameter_value !== null).map((r) => [r.parameter_id, r.parameter_value!]),
    );
    const t = rows.find((r) => r.id !== null);
    const variants = rows
      .filter((r) => r.v_locale !== null)
      .map((r) => ({ locale: r.v_locale!, subject: r.v_subject!, html: r.v_html!, text: r.v_text }));
    return {
      parameters,
      template: t ? toTemplate(t as Selectable<Database['email_template']>, variants) : undefined,
    };
  }

  async setParameter(id: number, value: string | null, at: string, by: number | null) {
    await this.db
      .insertInto('system_parameter')
      .values({ id, value, updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('id').doUpdateSet({ value, updated_at: at, updated_by: by }))
      .execute();
  }

  async createTemplate({ variants, ...t }: TemplateRow, at: string) {
    const row = await this.db
      .insertInto('email_template')
      .values({ ...t, active: bool(t.active), created_at: at, updated_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.insertVariants(row.id, variants);
    return toTemplate(row, await this.variantsOf(row.id));
  }

  async updateTemplate(id: number, { variants, ...t }: TemplateRow, at: string) {
    const row = await this.db
      .updateTable('email_template')
      .set({ ...t, active: bool(t.active), updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await this.db.deleteFrom('template_variant').where('template_id', '=', id).execute();
    await this.insertVariants(id, variants);
    return toTemplate(row, await this.variantsOf(id));
  }

  private async insertVariants(templateId: number, variants: TemplateRow['variants']) {
    if (variants.length === 0) return;
    await this.db
      .insertInto('template_variant')
      .values(variants.map((v) => ({ template_id: templateId, ...v })))
      .execute();
  }

  private variantsOf(templateId: number) {
    return this.prepared(
      'template-variants',
      () =>
        this.db
          .selectFrom('template_variant')
          .select(['locale', 'subject', 'html', 'text'])
          .where('template_id', '=', 0)
          .orderBy('locale'),
      [templateId],
    );
  }

  async findTemplate(id: number, lock?: 'share' | 'update') {
    const locks = this.ctx.dialect.locksRows && this.ctx.inTransaction;
    if (!lock || !locks) {
      const [row] = await this.prepared(
        'template-by-id',
        () => this.db.selectFrom('email_template').selectAll().where('id', '=', 0),
        [id],
      );
      return row && toTemplate(row, await this.variantsOf(id));
    }
    let q = this.db.selectFrom('email_template').selectAll().where('id', '=', id);
    q = lock === 'share' ? q.forShare() : q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && toTemplate(row, await this.variantsOf(id));
  }

  async listTemplates() {
    const rows = await this.db.selectFrom('email_template').selectAll().orderBy('id').execute();
    const variants = await this.db.selectFrom('template_variant').selectAll().orderBy('locale').execute();
    return rows.map((r) =>
      toTemplate(
        r,
        variants.filter((v) => v.template_id === r.id),
      ),
    );
  }

  async deleteTemplate(id: number) {
    const r = await this.db.deleteFrom('email_template').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
