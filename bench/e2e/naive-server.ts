/**
 * The naive HTTP side of `bench/end-to-end.ts`, in a process of its own: a bare Fastify route, no authentication,
 * validation, templates or domain code, that writes in one better-sqlite3 transaction a `ticket_message` row and a
 * queued `outbox_entry` row carrying a pre-rendered subject/html/text (copies of the rows Parley wrote for one reply,
 * with ids, addresses, Message-ID and timestamps replaced). Two prepared statements, prepared once.
 *
 * Configuration: the JSON of `NaiveServerConfig` in BENCH_NAIVE_CONFIG. Tells its parent { type: 'listening', port }.
 */
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';

export interface NaiveServerConfig {
  databasePath: string;
  mailDomain: string;
  /** Ticket number → the ticket's id and its requester (the one recipient). */
  tickets: Record<string, { id: number; recipientId: number; email: string; name: string }>;
  /**
   * The `ticket_message` and `outbox_entry` rows Parley wrote for one reply (without `id`): every column is copied,
   * so the naive rows stay complete as the schema grows; subject, html and text are therefore pre-rendered.
   */
  messageRow: Record<string, unknown>;
  outboxRow: Record<string, unknown>;
}

const config = JSON.parse(process.env.BENCH_NAIVE_CONFIG ?? '') as NaiveServerConfig;

const db = new SQLite(config.databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

/** `insert into table (every column of the row) values (@column, …)`, prepared once. */
function inserter(table: string, row: Record<string, unknown>) {
  const columns = Object.keys(row);
  const statement = db.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const createdAt = row.created_at;
  return (values: Record<string, unknown>, at: string) => {
    const out: Record<string, unknown> = {};
    // A column that held the creation time of the copied row holds the new row's (created_at, updated_at, …).
    for (const c of columns)
      out[c] =
        c in values ? values[c] : row[c] === createdAt ? at : typeof row[c] === 'boolean' ? Number(row[c]) : row[c];
    return statement.run(out);
  };
}

const insertMessage = inserter('ticket_message', config.messageRow);
const insertOutbox = inserter('outbox_entry', config.outboxRow);
const prefix = randomBytes(4).toString('hex');
let sequence = 0;

const post = db.transaction((ticketNumber: string, text: string) => {
  const ticket = config.tickets[ticketNumber];
  if (!ticket) return undefined;
  const at = new Date().toISOString();
  const messageId = Number(insertMessage({ ticket_id: ticket.id, text }, at).lastInsertRowid);
  insertOutbox(
    {
      ticket_id: ticket.id,
      message_id: messageId,
      recipient_id: ticket.recipientId,
      to_address: ticket.email,
      to_name: ticket.name,
      message_id_header: `<naive.${ticketNumber}.${prefix}.${++sequence}@${config.mailDomain}>`,
      status: 'queued',
      next_attempt_at: at,
    },
    at,
  );
  return messageId;
});

const app = Fastify({ logger: false });
app.post<{ Params: { number: string }; Body: { text: string } }>(
  '/tickets/:number/messages',
  async (request, reply) => {
    const id = post(request.params.number, request.body.text);
    if (id === undefined) return reply.code(404).send({ error: 'no such ticket' });
    return reply.code(201).send({ id });
  },
);

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });

const stop = () => {
  void app.close().finally(() => {
    db.close();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
