import type { Kysely } from 'kysely';
import { claimInboundFunction } from './035-inbound-claim-once.ts';
import { types } from './dialect-types.ts';

/**
 * PostgreSQL: the claim of an inbound mail counts its sender's recent mail with a statement of its own, whose plan
 * PL/pgSQL keeps for the connection, instead of planning it for every call (`execute`, migration 035). Planning it
 * cost about 0.1 ms of PostgreSQL's CPU per mail, as much as the rest of the count; the plan is the same whatever
 * the cap: the sender's mails of the window through `inbound_mail_sender_key`, at most `p_cap` of them read. Nothing
 * else changes: the same arguments, the same answer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (types(db).pg) await claimInboundFunction(db, 'planned once');
}

export async function down(db: Kysely<any>): Promise<void> {
  if (types(db).pg) await claimInboundFunction(db, 'planned for each call');
}
