import type { Kysely } from 'kysely';

/**
 * The audit log kept webhook URLs whole, and chat and automation services put an endpoint's credential in its path or
 * query (`https://hooks.slack.com/services/T…/B…/<token>`). Entries about webhook endpoints now keep the scheme, host
 * and port and `/…` for the rest (`domain/webhooks/url-for-audit.ts`); this migration withholds the rest in the
 * entries written before, in their label and in the `url` field of their changes. The rule is copied here, as it
 * stands at this migration, so that later changes to the domain never change what this migration did.
 */
function withheld(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1];
    return scheme ? `${scheme}//…` : '…';
  }
  const rest = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '';
  return `${parsed.protocol}//${parsed.host}/${rest ? '…' : ''}`;
}

type Change = { field?: unknown; before?: unknown; after?: unknown; withheld?: unknown };

export async function up(db: Kysely<any>): Promise<void> {
  const rows: { id: number; target_label: string | null; changes: string }[] = await db
    .selectFrom('audit_entry')
    .select(['id', 'target_label', 'changes'])
    .where('target_type', '=', 'webhook-endpoint')
    .execute();
  for (const row of rows) {
    let changes: unknown;
    try {
      changes = JSON.parse(row.changes);
    } catch {
      changes = undefined; // not JSON (never written so by Parley): left as it is, its label withheld all the same
    }
    const kept = Array.isArray(changes)
      ? (changes as Change[]).map((c) => {
          if (c?.field !== 'url') return c;
          const { before, after, ...rest } = c;
          const b = withheld(before);
          const a = withheld(after);
          // A change that only the withheld part showed is named as changed, its values not kept.
          if (before !== undefined && after !== undefined && b === a) return { field: 'url', withheld: 'secret' };
          return {
            ...rest,
            ...(before === undefined ? {} : { before: b }),
            ...(after === undefined ? {} : { after: a }),
          };
        })
      : null;
    await db
      .updateTable('audit_entry')
      .set({
        target_label: row.target_label === null ? null : (withheld(row.target_label) as string),
        ...(kept === null ? {} : { changes: JSON.stringify(kept) }),
      })
      .where('id', '=', row.id)
      .execute();
  }
}

/** What was withheld is gone: nothing to put back. */
export async function down(): Promise<void> {}
