import { sql, type Selectable } from 'kysely';
import type { InboundOutcome, InboundStatus, RawMail } from '../../../../domain/inbound/inbound-mail.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import type {
  InboundFilter,
  InboundLease,
  InboundMailRepository,
  SenderClaim,
} from '../../../../ports/storage/inbound-mail.ts';
import {
  erasedDedupeKey,
  finishStatement,
  finishValues,
  INBOUND_COLUMNS,
  RAW_REMOVABLE,
  toInbound,
} from '../inbound-rows.ts';
import { bytesOf, decodeCursor, page } from '../rows.ts';
import type { Database } from '../schema.ts';
import { insertRow, isUniqueViolation, prepared } from '../sql-context.ts';
import type { SqlContext } from '../sql-dialect.ts';
import { SqlRepository } from '../sql-repository.ts';
import { copiedTo } from '../ticket-scope.ts';
import { eraseInboundMailOf, messagesOfMailFrom } from '../erasure.ts';

export class SqlInboundMailRepository extends SqlRepository implements InboundMailRepository {
  // ---- inbound mail
  async insertInboundMail(mail: RawMail, at: string, attempts = 0, lease?: InboundLease) {
    const raw = Buffer.from(mail.raw.buffer, mail.raw.byteOffset, mail.raw.byteLength);
    return insertRow(this.ctx, 'insert-inbound-mail', 'inbound_mail', {
      attempts,
      lease_token: lease?.token ?? null,
      lease_until: lease?.until ?? null,
      received_at: at,
      updated_at: at,
      status: 'received',
      raw,
      size: mail.size ?? raw.byteLength,
      sha256: mail.sha256,
      envelope_from: mail.envelopeFrom,
      envelope_to: JSON.stringify(mail.envelopeTo),
      remote_address: mail.remoteAddress,
      helo: mail.helo ?? null,
    });
  }

  async countHeldInboundMail() {
    const row = await this.db
      .selectFrom('inbound_mail')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'held')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findInboundMail(id: number) {
    const [row] = await this.prepared(
      'inbound-by-id',
      () => this.db.selectFrom('inbound_mail').select(INBOUND_COLUMNS).where('id', '=', 0),
      [id],
    );
    return row && toInbound(row);
  }

  async inboundRaw(id: number) {
    const [row] = await this.prepared(
      'inbound-raw',
      () => this.db.selectFrom('inbound_mail').select('raw').where('id', '=', 0),
      [id],
    );
    if (!row) return undefined;
    const raw = row.raw as Uint8Array;
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  }

  async listInboundMail(filter: InboundFilter, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('inbound_mail')
      .select(INBOUND_COLUMNS)
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (filter.status) q = q.where('status', '=', filter.status);
    const scope = filter.scope;
    if (scope.kind !== 'all') {
      // Mail of the tickets the scope sees, and mail of no ticket (the support mailbox's) when asked.
      let visible = this.db.selectFrom('ticket').select('ticket.id');
      if (scope.kind === 'requester') {
        visible = visible.where((eb) =>
          eb.or([
            eb('ticket.requester_id', '=', scope.requesterId),
            eb('ticket.id', 'in', copiedTo(this.db, scope.requesterId)),
          ]),
        );
      } else {
        visible = visible.where((eb) =>
          eb.or([
            eb('ticket.responsible_id', '=', scope.userId),
            eb('ticket.requester_id', '=', scope.userId),
            eb('ticket.registered_by_id', '=', scope.userId),
            ...(scope.groupIds.length > 0 ? [eb('ticket.group_id', 'in', scope.groupIds as number[])] : []),
          ]),
        );
      }
      q = filter.withoutTicket
        ? q.where((eb) =>
            eb.or([eb('inbound_mail.ticket_id', 'is', null), eb('inbound_mail.ticket_id', 'in', visible)]),
          )
        : q.where('inbound_mail.ticket_id', 'in', visible);
    }
    return page((await q.execute()).map(toInbound), req.limit);
  }

  async removeInboundRaw(before: string, at: string, limit: number) {
    const due = this.db
      .selectFrom('inbound_mail')
      .select('id')
      .where('raw_removed_at', 'is', null)
      .where('status', 'in', [...RAW_REMOVABLE])
      .where('updated_at', '<', before)
      .orderBy('id')
      .limit(limit);
    const result = await this.db
      .updateTable('inbound_mail')
      .set({ raw: Buffer.alloc(0), raw_removed_at: at })
      .where('id', 'in', due)
      .where('raw_removed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async pendingInboundMail(now: string, limit: number) {
    // Every ingestor asks every few seconds: one prepared read over the mails still `received` (index
    // `inbound_mail_status`), which are few. The status is written in the text, so that a plan PostgreSQL makes once
    // for the prepared statement knows it is the rare one.
    const build = () => ({
      compile: () =>
        sql<{ id: number }>`select id from inbound_mail where status = 'received'
          and (lease_until is null or lease_until < ${''}) order by id limit ${0}`.compile(this.db),
    });
    const rows = await this.prepared('inbound-pending', build, [now, limit]);
    return rows.map((r) => r.id);
  }

  async nextInboundLeaseEnd(now: string) {
    const build = () => ({
      compile: () =>
        sql<{ first: string | null }>`select min(lease_until) as first from inbound_mail
          where status = 'received' and lease_until >= ${''}`.compile(this.db),
    });
    const [row] = await this.prepared('inbound-next-lease-end', build, [now]);
    return row?.first ?? null;
  }

  async renewInboundLeases(token: string, until: string) {
    const result = await this.db
      .updateTable('inbound_mail')
      .set({ lease_until: until })
      .where('status', '=', 'received')
      .where('lease_token', '=', token)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async releaseInboundLease(id: number, token: string, retryAt: string) {
    await this.db
      .updateTable('inbound_mail')
      .set({ lease_token: null, lease_until: retryAt })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where('lease_token', '=', token)
      .execute();
  }

  async countInboundAttempt(id: number) {
    const build = () => ({
      compile: () =>
        sql<{
          attempts: number;
        }>`update inbound_mail set attempts = attempts + 1 where id = ${0} returning attempts`.compile(this.db),
    });
    const [row] = await this.prepared('inbound-attempt', build, [id]);
    return row?.attempts ?? 0;
  }

  async releaseInboundAttempts(ids: readonly number[], token: string) {
    if (ids.length === 0) return;
    await this.db
      .updateTable('inbound_mail')
      .set((eb) => ({
        attempts: eb
          .case()
          .when('attempts', '>', 0)
          .then(eb('attempts', '-', 1))
          .else(0)
          .end(),
        lease_token: null,
        lease_until: null,
      }))
      .where('id', 'in', ids as number[])
      .where('status', '=', 'received')
      .where('lease_token', '=', token)
      .execute();
  }

  async beginInboundAttempt(id: number, now: string, lease: InboundLease) {
    // One statement: of two processes beginning the mail at once, the second finds the first's lease (PostgreSQL
    // re-reads the row it waited for; SQLite runs one write at a time).
    const build = () => ({
      compile: () =>
        sql<Selectable<Database['inbound_mail']>>`update inbound_mail
          set attempts = attempts + 1, lease_token = ${''}, lease_until = ${''}
          where id = ${0} and status = ${''} and (lease_until is null or lease_until < ${''})
          returning ${sql.join([...INBOUND_COLUMNS, 'raw'].map((c) => sql.ref(c)))}`.compile(this.db),
    });
    const [row] = await this.prepared('inbound-begin-attempt', build, [lease.token, lease.until, id, 'received', now]);
    if (row) return { mail: toInbound(row), raw: bytesOf(row.raw) };
    const mail = await this.findInboundMail(id);
    return mail && { mail, raw: null };
  }

  /**
   * In one call where the database can (PostgreSQL: migration 035's function as 038 leaves it, one round trip).
   * Otherwise the key as before (its unique index settles a race), then the sender's claim and count in one statement:
   * a write statement runs alone on SQLite, from its read to its commit, so the mails of one sender are counted one
   * after the other.
   * A mail an erasure emptied meanwhile (`sha256` '') is not written: its keys would name it again.
   */
  async claimInboundMail(id: number, key: string, sender: SenderClaim | null) {
    const inOneCall = this.ctx.dialect.claimInboundMailInOneCall;
    if (inOneCall) return inOneCall(this.ctx, id, key, sender);
    const holderOf = async () =>
      (
        await this.prepared(
          'inbound-key-holder',
          () =>
            this.db.selectFrom('inbound_mail').select('id').where('dedupe_key', 'in', ['', '']).orderBy('id').limit(1),
          [key, erasedDedupeKey(key), 1],
        )
      )[0]?.id;
    let holder = await holderOf();
    if (holder === undefined) {
      try {
        const build = () => ({
          compile: () =>
            sql`update inbound_mail set dedupe_key = ${''} where id = ${0} and dedupe_key is null and sha256 <> ''`.compile(
              this.db,
            ),
        });
        await this.prepared('inbound-claim-key', build, [key, id]);
      } catch (error) {
        // Another process claimed the key between the read and the write.
        if (!isUniqueViolation(error)) throw error;
      }
      holder = (await holderOf()) ?? id;
    }
    if (holder !== id || !sender) return { holder, recent: null };
    const build = () => ({
      compile: () =>
        sql<{ n: number }>`update inbound_mail set sender_key = ${''} where id = ${0} and sha256 <> ''
          returning (select count(*) from (select 1 from inbound_mail as other where other.sender_key = ${''}
            and other.received_at >= ${''} and other.id <> ${0} limit ${0})) as n`.compile(this.db),
    });
    const values = [sender.key, id, sender.key, sender.since, id, sender.cap];
    const [row] = await this.prepared('inbound-claim-sender', build, values);
    return { holder, recent: Number(row?.n ?? 0) };
  }

  async findDuplicateKeyHolder(keys: readonly string[]) {
    if (keys.length === 0) return undefined;
    const row = await this.db
      .selectFrom('inbound_mail')
      .select(['id', 'from_address', 'sha256'])
      .where('dedupe_key', 'in', [...keys, ...keys.map(erasedDedupeKey)])
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    // An erasure empties the digest of the mail's bytes.
    return row && { id: row.id, fromAddress: row.from_address, erased: row.sha256 === '' };
  }

  async findEarlierKeyHolder(keys: readonly string[]) {
    // Read once for the storage: the bound never changes once migrated.
    const memo = this.ctx.memo;
    if (memo.earlierKeysUntil === undefined) {
      const row = await this.db.selectFrom('inbound_legacy_keys').select('until_id').executeTakeFirst();
      memo.earlierKeysUntil = Number(row?.until_id ?? 0);
    }
    // Not bounded by that id: during a rolling upgrade the previous version still stores earlier keys after it.
    if (memo.earlierKeysUntil === 0) return undefined;
    return this.findDuplicateKeyHolder(keys);
  }

  async finishInboundMail(id: number, o: InboundOutcome, fromStatuses: readonly InboundStatus[]) {
    return finishInboundMail(this.ctx, id, o, fromStatuses);
  }

  eraseInboundMailOf(of: Parameters<InboundMailRepository['eraseInboundMailOf']>[0], at: string, reasonText?: string) {
    return eraseInboundMailOf(this.ctx, of, at, reasonText ?? null);
  }

  messagesOfMailFrom(addresses: readonly string[]) {
    return messagesOfMailFrom(this.ctx, addresses);
  }
}

/** One fixed statement (prepared once): fields an outcome leaves out keep their value (coalesce). */
export async function finishInboundMail(
  ctx: SqlContext,
  id: number,
  o: InboundOutcome,
  fromStatuses: readonly InboundStatus[],
): Promise<boolean> {
  const template: InboundOutcome = { status: 'held', reason: 'no-match', reasonText: '', at: '' };
  const build = () => ({ compile: () => finishStatement(0, template, ['received']).compile(ctx.db) });
  const rows = await prepared(ctx, 'inbound-finish', build, [
    ...Object.values(finishValues(o)),
    id,
    fromStatuses[0]!,
    fromStatuses[1] ?? fromStatuses[0]!,
  ]);
  return rows.length > 0;
}
