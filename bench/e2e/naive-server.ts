/**
 * The naive HTTP side of `bench/end-to-end.ts`, in a process of its own: a bare Fastify route, no authentication,
 * validation, templates or domain code, that writes in one better-sqlite3 transaction a `ticket_message` row and a
 * queued `outbox_entry` row carrying a pre-rendered subject/html/text. Prepared statements, prepared once.
 *
 * Configuration: the JSON of `NaiveServerConfig` in BENCH_NAIVE_CONFIG. Tells its parent { type: 'listening', port }.
 */
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';

export interface NaiveServerConfig {
  databasePath: string;
  technicianId: number;
  mailDomain: string;
  /** Ticket number → the ticket's id and its requester (the one recipient). */
  tickets: Record<string, { id: number; recipientId: number; email: string; name: string }>;
  mail: { subject: string; html: string; text: string; threadId: string | null; replyTo: string | null };
}

const config = JSON.parse(process.env.BENCH_NAIVE_CONFIG ?? '') as NaiveServerConfig;

const db = new SQLite(config.databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');

const insertMessage = db.prepare(
  `insert into ticket_message (ticket_id, author_id, text, internal, send_email, source, created_at) values (?, ?, ?, 0, 1, 'api', ?)`,
);
const insertOutbox = db.prepare(
  `insert into outbox_entry (ticket_id, message_id, recipient_id, to_address, to_name, subject, html, text, message_id_header, thread_id, reply_to,
     status, next_attempt_at, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
);
const prefix = randomBytes(4).toString('hex');
let sequence = 0;

const post = db.transaction((ticketNumber: string, text: string) => {
  const ticket = config.tickets[ticketNumber];
  if (!ticket) return undefined;
  const at = new Date().toISOString();
  const messageId = Number(insertMessage.run(ticket.id, config.technicianId, text, at).lastInsertRowid);
  const { subject, html, text: plain, threadId, replyTo } = config.mail;
  insertOutbox.run(
    ticket.id,
    messageId,
    ticket.recipientId,
    ticket.email,
    ticket.name,
    subject,
    html,
    plain,
    `<naive.${ticketNumber}.${prefix}.${++sequence}@${config.mailDomain}>`,
    threadId,
    replyTo,
    at,
    at,
    at,
  );
  return messageId;
});

const app = Fastify({ logger: false });
app.post<{ Params: { number: string }; Body: { text: string } }>('/tickets/:number/messages', async (request, reply) => {
  const id = post(request.params.number, request.body.text);
  if (id === undefined) return reply.code(404).send({ error: 'no such ticket' });
  return reply.code(201).send({ id });
});

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
