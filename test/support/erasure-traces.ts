import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { WEBHOOK_EVENTS } from '../../src/domain/webhooks/webhook.ts';

/** An endpoint that takes every event, so that a scan reads what each delivery's body holds. */
export async function endpointForEveryEvent(deps: Deps): Promise<void> {
  await createWebhookEndpoint(deps, CLI_ORIGIN, {
    url: 'https://hooks.example.test/parley',
    description: 'Every event',
    events: [...WEBHOOK_EVENTS],
    publicOnly: false,
    active: true,
    allowPrivate: false,
  });
}

/**
 * Every cell of every table that holds one of `traces` (case-insensitive), as `table.column: trace`: text, and the
 * bytes a blob holds read as Latin-1 and as UTF-8. What an erasure test expects to find empty.
 */
export async function tracesIn(storage: SqlStorage, traces: readonly string[]): Promise<string[]> {
  const db = storage.kyselyInstance;
  const found: string[] = [];
  for (const table of await db.introspection.getTables()) {
    const rows = (await sql`select * from ${sql.table(table.name)}`.execute(db)).rows as Record<string, unknown>[];
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const text =
          typeof value === 'string'
            ? value
            : value instanceof Uint8Array
              ? Buffer.from(value).toString('latin1') + Buffer.from(value).toString('utf8')
              : null;
        if (text === null) continue;
        for (const trace of traces)
          if (text.toLowerCase().includes(trace.toLowerCase())) found.push(`${table.name}.${column}: ${trace}`);
      }
    }
  }
  return found;
}

/**
 * The storage as processing sees it, where `erase` commits right after a delivery report's check reads the
 * notification (`findOutboxEntry`): what the report records must be decided on the notification as the erasure left it.
 */
export function erasingAfterTheCheck(storage: SqlStorage, erase: () => Promise<unknown>): SqlStorage {
  const outbox = new Proxy(storage.outbox, {
    get(target, key) {
      if (key === 'findOutboxEntry')
        return async (id: number) => {
          const found = await target.findOutboxEntry(id);
          await erase();
          return found;
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'outbox') return outbox;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
