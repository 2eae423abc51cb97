/**
 * Which `parley dispatch` of a fleet on PostgreSQL leads (holds the advisory lock of `pg-leadership.ts`), and which
 * process holds a given TCP connection: PostgreSQL names the client port of the lock's session, the SMTP sink the
 * client port of a mail it received, and Linux's /proc the process whose socket has that local port.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sql } from 'kysely';
import { LEAD_LOCK_KEYS } from '../../src/adapters/storage/postgres/pg-leadership.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { ParleyProcess } from './parley-processes.ts';

/** The inodes of the TCP sockets (IPv4 and IPv6) whose local port is `port`. */
function socketsOnPort(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 here
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = fields[9];
      if (local && inode && inode !== '0' && Number.parseInt(local.split(':').at(-1)!, 16) === port) inodes.add(inode);
    }
  }
  return inodes;
}

/** The process, of those given, with a TCP socket whose local port is `port` (Linux), or undefined. */
export function processOnPort<P extends ParleyProcess>(processes: readonly P[], port: number): P | undefined {
  const inodes = socketsOnPort(port);
  if (inodes.size === 0) return undefined;
  return processes.find((p) => {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p.child.pid}/fd`);
    } catch {
      return false; // it has ended
    }
    return fds.some((fd) => {
      try {
        const link = readlinkSync(`/proc/${p.child.pid}/fd/${fd}`);
        return inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? '');
      } catch {
        return false; // closed meanwhile
      }
    });
  });
}

/** The dispatcher, of those given, that holds the outbox's leading lock on this database now (or undefined). */
export async function leadingDispatcher(
  storage: SqlStorage,
  dispatchers: readonly ParleyProcess[],
): Promise<ParleyProcess | undefined> {
  const [classid, objid] = LEAD_LOCK_KEYS;
  const { rows } = await sql<{ port: number | null }>`
    select a.client_port as port
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid = ${classid} and l.objid = ${objid}
      and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())`.execute(
    storage.kyselyInstance,
  );
  const port = rows[0]?.port;
  return typeof port === 'number' ? processOnPort(dispatchers, port) : undefined;
}

/** The mails of the batch that holds the mail with this Message-ID (the rows its dispatcher claimed with it). */
export async function batchOfMail(storage: SqlStorage, messageId: string): Promise<number[]> {
  const db = storage.kyselyInstance;
  const mail = await db
    .selectFrom('outbox_entry')
    .select('claim_token')
    .where('message_id_header', '=', messageId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  if (!mail?.claim_token) return [];
  const rows = await db
    .selectFrom('outbox_entry')
    .select('id')
    .where('claim_token', '=', mail.claim_token)
    .where('status', '=', 'sending')
    .execute();
  return rows.map((r) => r.id);
}

/** Whether every one of these mails is sent. */
export async function allSent(storage: SqlStorage, ids: readonly number[]): Promise<boolean> {
  if (ids.length === 0) return true;
  const rows = await storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select('status')
    .where('id', 'in', ids)
    .execute();
  return rows.length === ids.length && rows.every((r) => r.status === 'sent');
}
