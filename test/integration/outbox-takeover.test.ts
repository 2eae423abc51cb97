/**
 * The outbox dispatcher takes over a dead peer's mail while its own batch runs: two `parley dispatch` processes at
 * the default lease, each team's mail going out from its own mailbox at a real SMTP server of its own
 * (test/support/smtp-sink.ts). The survivor is busy with a long batch of group A's mail at a server that never
 * answers; the doomed dispatcher holds group B's mail, sent to a server that holds its answer, and is SIGKILLed. Its
 * mail must go out within 15 s of the kill, while the survivor's slow batch still runs, though more of group A's mail
 * was queued before it would be due again.
 *
 * Both orders of start: on PostgreSQL the first one started leads and the other stands by, so the survivor is the
 * leader in one (the doomed one claimed at a standby's look) and stands by in the other (its batch started at a look).
 * First, the batch that takes over (`dispatchBatch`'s `takeOver`) on its own: it claims only what it re-queued.
 *
 * Every wait polls with a deadline; every child process, sink and database is cleaned up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { postgres, sqliteFile, sqliteMemory } from '../support/databases.ts';
import {
  assertEachOnce,
  attemptsOf,
  defaultEnv,
  DISPATCH_POLICY,
  moreTechnicians,
  outbox,
  scene,
  startDispatchProcess,
  stopChild,
  type Child,
  type Scene,
} from '../support/dispatch-scene.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';

/** The mail of one mailbox (null: the default account's), each entry's state and claim. */
async function mailOf(storage: SqlStorage, mailboxId: number | null) {
  return storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select(['id', 'status', 'claim_token', 'message_id_header'])
    .where('mailbox_id', mailboxId === null ? 'is' : '=', mailboxId)
    .orderBy('id')
    .execute();
}

/** Every entry queued and claimed by one batch: its claim token, else null. */
function heldByOne(entries: Awaited<ReturnType<typeof mailOf>>): string | null {
  const token = entries[0]?.claim_token ?? null;
  return token !== null && entries.every((e) => e.status === 'sending' && e.claim_token === token) ? token : null;
}

/** 50 mails of group A (10 technicians told of each of 5 requester messages), from the default account. */
async function queueGroupA(s: Scene) {
  for (let i = 1; i <= 5; i++)
    await postMessage(s.deps, s.world.requesterA, {
      ticketNumber: s.world.ticketA.number,
      text: `Still down (${i}).`,
      source: 'portal',
    });
}

/** 5 mails of group B (its technician told of each of 5 requester messages), from group B's mailbox. */
async function queueGroupB(s: Scene) {
  for (let i = 1; i <= 5; i++)
    await postMessage(s.deps, s.world.requesterB, {
      ticketNumber: s.world.ticketB.number,
      text: `Any news on the laptop (${i})?`,
      source: 'portal',
    });
}

describe('a batch taking over expired claims (in process)', () => {
  it('claims the mails it re-queued, all of them, not mail due before them, and none when none had expired', async () => {
    const s = await scene(sqliteMemory);
    const transports = new NodemailerMailTransports();
    try {
      await moreTechnicians(s, 9);
      await postMessage(s.deps, s.world.requesterA, {
        ticketNumber: s.world.ticketA.number,
        text: 'Down again.',
        source: 'portal',
      });
      const queued = await outbox(s.storage);
      assert.equal(queued.length, 10);
      const deps = { ...s.deps, transports };
      const now = Date.now();
      // A dead dispatcher's claims, their lease over: the last three, so seven mails are due before them once they
      // are re-queued (due again now).
      const deadIds = queued.slice(7).map((e) => e.id);
      const dead = await s.storage.outbox.claimOutbox({
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now - 1000).toISOString(),
        token: 'dead-dispatcher',
        limit: 10,
        ids: deadIds,
      });
      assert.deepEqual(
        dead.map((e) => e.id),
        deadIds,
      );

      // More than a batch (of 2 here): every mail re-queued is claimed, none left due with nobody woken for it.
      const first = await dispatchBatch(deps, { ...DISPATCH_POLICY, batchSize: 2 }, { requeue: false, takeOver: true });
      assert.deepEqual(first, { claimed: 3, sent: 3, deferred: 0, failed: 0, requeued: 3 });
      const second = await dispatchBatch(deps, DISPATCH_POLICY, { takeOver: true });
      assert.deepEqual(second, { claimed: 0, sent: 0, deferred: 0, failed: 0, requeued: 0 });
      const after = await outbox(s.storage);
      assert.deepEqual(
        after.filter((e) => e.status === 'sent').map((e) => e.id),
        deadIds,
        "the dead dispatcher's mail, not the mail due before it",
      );
      assert.ok(
        after.filter((e) => !deadIds.includes(e.id)).every((e) => e.status === 'queued'),
        'the rest, due, left to the loop',
      );
      assertEachOnce(
        s.sink,
        dead.map((e) => e.messageIdHeader),
      );
      assert.equal(s.sink.accepted.length, 3, 'nothing else sent');
    } finally {
      transports.closeAll();
      await s.close();
    }
  });
});

const ORDERS = ['the survivor', 'the doomed one'] as const;

for (const database of [sqliteFile, postgres]) {
  for (const first of ORDERS) {
    describe(`an outbox dispatcher SIGKILLed while holding claims, its survivor busy (${database.name}, ${first} started first)`, () => {
      // threat: A dispatcher SIGKILLed while holding mail, the other busy with a slow SMTP server → that mail goes out within 15 s, not once the survivor's batch ends (when it goes out from another account than the slow batch's: on the same account it waits for one of that account's connections).
      it("the survivor, busy with a batch of 50 mails at a server that never answers, sends the dead one's 5 mails within 15 s of the kill, each once", async (t) => {
        const s = await scene(database); // the default account, group A's: the slow server
        const quick = await SmtpSink.start(); // group B's mailbox: holds its answers while the doomed one sends
        const dataDir = mkdtempSync(join(tmpdir(), 'parley-takeover-'));
        let survivor: Child | undefined;
        let doomed: Child | undefined;
        try {
          const teamB = await createMailbox(s.deps, CLI_ORIGIN, {
            name: 'Team B',
            fromAddress: 'team-b@example.test',
            smtpHost: '127.0.0.1',
            smtpPort: quick.port,
            smtpSecurity: 'none',
            smtpAuth: 'none',
            groupIds: [s.world.groupB],
          });
          await moreTechnicians(s, 9); // group A: 10 technicians
          s.sink.stallData();
          quick.stallData();
          const env = defaultEnv(s.url, dataDir);

          // The survivor claims group A's 50 mails in one batch and sends the first 5 (its pool's connections), which
          // are never answered: a batch of minutes.
          const survivorBusy = async () => {
            await queueGroupA(s);
            survivor = startDispatchProcess(env);
            return waitUntil(
              async () => (s.sink.received.length >= 5 ? heldByOne(await mailOf(s.storage, null)) : null),
              'the survivor to claim the 50 mails of group A and send the first ones',
              60_000,
            );
          };
          // The doomed one claims group B's 5 mails and sends them all; their answers are held when it is killed.
          const doomedHolding = async () => {
            await queueGroupB(s);
            doomed = startDispatchProcess(env);
            return waitUntil(
              async () => (quick.received.length === 5 ? heldByOne(await mailOf(s.storage, teamB.id)) : null),
              'the doomed dispatcher to claim the 5 mails of group B and send them',
              60_000,
            );
          };
          let survivorToken: string;
          let doomedToken: string;
          if (first === 'the survivor') {
            survivorToken = await survivorBusy();
            doomedToken = await doomedHolding();
          } else {
            doomedToken = await doomedHolding();
            survivorToken = await survivorBusy();
          }
          assert.notEqual(doomedToken, survivorToken, 'held by the doomed dispatcher, not by the survivor');
          const queuedA = await mailOf(s.storage, null);
          const queuedB = await mailOf(s.storage, teamB.id);
          assert.equal(queuedA.length, 50);
          assert.equal(queuedB.length, 5);
          // Ten more mails of group A, due before the dead one's will be once re-queued: the take-over must not send
          // those instead (they would wait at the survivor's silent server, and group B's mail with them).
          await postMessage(s.deps, s.world.requesterA, {
            ticketNumber: s.world.ticketA.number,
            text: 'One more thing.',
            source: 'portal',
          });
          assert.equal((await mailOf(s.storage, null)).length, 60);

          doomed!.process.kill('SIGKILL');
          const killedAt = Date.now();
          assert.equal((await doomed!.exited).signal, 'SIGKILL');
          quick.accept();

          await waitUntil(
            async () => (await mailOf(s.storage, teamB.id)).every((e) => e.status === 'sent'),
            "the dead dispatcher's mail sent within 15 s of the kill",
            Math.max(0, 15_000 - (Date.now() - killedAt)),
            100,
          );
          t.diagnostic(`sent again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
          assert.ok(
            (await mailOf(s.storage, null)).some((e) => e.status === 'sending' && e.claim_token === survivorToken),
            "the survivor's slow batch still runs",
          );
          assertEachOnce(
            quick,
            queuedB.map((e) => e.message_id_header),
          );
          assert.equal(quick.received.length, 10, 'each sent by the doomed dispatcher, then once by the survivor');
          assert.equal(s.sink.accepted.length, 0, "nothing of the survivor's batch was answered");
          const attempts = await attemptsOf(s.storage);
          for (const e of queuedB)
            assert.deepEqual(attempts.get(e.id), ['interrupted', 'sent'], `attempts of entry ${e.id}`);
        } finally {
          await stopChild(doomed);
          await stopChild(survivor);
          await quick.close();
          rmSync(dataDir, { recursive: true, force: true });
          await s.close();
        }
      });
    });
  }
}
