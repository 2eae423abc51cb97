/**
 * The naive dispatcher of `bench/end-to-end.ts`, in a process of its own: a loop that selects queued outbox rows in
 * batches, hands each to a pooled Nodemailer transport (pool: true, maxConnections 5, Nodemailer's default
 * encodings), waits for the batch, and marks the rows sent in one transaction. No claims, leases, retries, attempt
 * history, credentials or signals: when a batch comes back empty it sleeps BENCH_NAIVE_POLL_MS (default 20 ms).
 *
 * Configuration: the JSON of `NaiveDispatcherConfig` in BENCH_NAIVE_CONFIG. Tells its parent { type: 'ready' };
 * answers { cmd: 'stats' } with { type: 'stats', sent, failed, lastError }.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import nodemailer from 'nodemailer';

export interface NaiveDispatcherConfig {
  databasePath: string;
  smtpPort: number;
  from: { name: string; address: string };
  batchSize: number;
  pollMs: number;
}

interface Row {
  id: number;
  to_address: string;
  to_name: string;
  subject: string;
  html: string;
  text: string;
  message_id_header: string;
  thread_id: string | null;
  reply_to: string | null;
}

const config = JSON.parse(process.env.BENCH_NAIVE_CONFIG ?? '') as NaiveDispatcherConfig;

const db = new SQLite(config.databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const selectQueued = db.prepare(
  `select id, to_address, to_name, subject, html, text, message_id_header, thread_id, reply_to
     from outbox_entry where status = 'queued' order by id limit ?`,
);
const markSent = db.prepare(
  `update outbox_entry set status = 'sent', attempt_count = attempt_count + 1, sent_at = ?, updated_at = ?, last_reply = ? where id = ?`,
);
const markFailed = db.prepare(
  `update outbox_entry set status = 'failed', attempt_count = attempt_count + 1, updated_at = ?, last_reply = ? where id = ?`,
);
const record = db.transaction((outcomes: { id: number; ok: boolean; reply: string }[]) => {
  const at = new Date().toISOString();
  for (const o of outcomes) {
    if (o.ok) markSent.run(at, at, o.reply, o.id);
    else markFailed.run(at, o.reply, o.id);
  }
});

const transport = nodemailer.createTransport({
  pool: true,
  maxConnections: 5,
  maxMessages: Infinity,
  host: '127.0.0.1',
  port: config.smtpPort,
  secure: false,
  ignoreTLS: true,
  logger: false,
  debug: false,
});

let sent = 0;
let failed = 0;
let lastError: string | null = null;
let running = true;

async function send(row: Row): Promise<{ id: number; ok: boolean; reply: string }> {
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: { name: row.to_name, address: row.to_address },
      replyTo: row.reply_to ?? undefined,
      subject: row.subject,
      text: row.text,
      html: row.html,
      messageId: row.message_id_header,
      inReplyTo: row.thread_id ?? undefined,
      references: row.thread_id ? [row.thread_id] : undefined,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    });
    sent++;
    return { id: row.id, ok: true, reply: String(info.response) };
  } catch (error) {
    failed++;
    lastError = error instanceof Error ? error.message : String(error);
    return { id: row.id, ok: false, reply: lastError };
  }
}

const loop = (async () => {
  while (running) {
    const rows = selectQueued.all(config.batchSize) as Row[];
    if (rows.length === 0) {
      await sleep(config.pollMs);
      continue;
    }
    record(await Promise.all(rows.map(send)));
  }
})();

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'stats') process.send?.({ type: 'stats', sent, failed, lastError });
});
const stop = () => {
  running = false;
  void loop.finally(() => {
    transport.close();
    db.close();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
process.send?.({ type: 'ready' });
