import type { Kysely } from 'kysely';

/**
 * A template in several languages. The template's own row keeps its default variant (subject, HTML, optional text)
 * and now names its locale (`email_template.locale`); `template_variant` holds its other variants, one per locale
 * (BCP 47, as written by the administrator), removed with their template. On upgrade every existing template's
 * content becomes its default variant, in en-US (templates had no locale before).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('email_template')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en-US'))
    .execute();
  await db.schema
    .createTable('template_variant')
    .addColumn('template_id', 'integer', (c) => c.notNull().references('email_template.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addPrimaryKeyConstraint('template_variant_pk', ['template_id', 'locale'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('template_variant').execute();
  await db.schema.alterTable('email_template').dropColumn('locale').execute();
}
