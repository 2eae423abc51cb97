/**
 * Several instances for real, on one PostgreSQL database: nginx with the production configuration
 * (deploy/nginx/parley.conf) in front of two `parley serve` processes, two `parley dispatch`, two `parley ingest
 * --listen`, a real SMTP sink. While messages are posted through the proxy and replies are sent over SMTP, one of
 * each kind is SIGKILLed. Nothing accepted may be lost or stored twice; sessions and live updates work across
 * instances. Waits are bounded (the leases of a killed dispatcher and ingest); no speed is asserted. The dispatcher
 * killed is the leading one, in the middle of a batch: its claims must be sent within 15 s of the kill.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fleetScene,
  openEvents,
  requestAs,
  sendReply,
  signInAt,
  ticketEvents,
  type EventStream,
} from '../support/fleet.ts';
import { interruptedEntries, messagesByText, outboxEntries, sentReplyAddress } from '../support/fleet-records.ts';
import { allSent, batchOfMail, leadingDispatcher, processOnPort } from '../support/fleet-leader.ts';
import { NGINX_SKIP, startNginx, type Nginx } from '../support/nginx.ts';
import { startFleet, stopAll, type Fleet } from '../support/parley-processes.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const POSTS = 80;
const KILL_AT = 40; // the post whose start triggers the kills
const CONCURRENCY = 4;
const REPLY_EVERY = 4; // one reply by mail per four posts

const eventsFor = (s: EventStream, ticket: number) => ticketEvents(s).filter((n) => n === ticket).length;

describe('several instances behind nginx, on PostgreSQL', () => {
  // threat: Two API instances behind a proxy, one killed → sessions, live updates and the sign-in limiter keep working through the other; nothing posted is lost.
  it(
    'one serve, one dispatch and one ingest SIGKILLed mid-way: every accepted message and reply is stored once and mailed, sessions and live updates work across instances',
    { skip: NGINX_SKIP, timeout: 300_000 },
    async (t) => {
      // The default lease (10 s) brings a dead dispatcher's claims back.
      const s = await fleetScene({ PARLEY_INBOUND_PER_SENDER_PER_MINUTE: '1000' });
      let fleet: Fleet | undefined;
      let nginx: Nginx | undefined;
      const streams: EventStream[] = [];
      try {
        fleet = await startFleet(s.env, { serves: 2, dispatchers: 2, ingests: 2 });
        const [a, b] = [fleet.serves[0]!.ready[1]!, fleet.serves[1]!.ready[1]!];
        nginx = await startNginx(fleet.serves.map((p) => new URL(p.ready[1]!).host));
        const proxy = nginx.url;
        const ticket = s.world.ticketA.number;
        const postPath = `/api/v1/tickets/${ticket}/messages`;

        // A session signed in through the proxy is good on each instance.
        const tech = await signInAt(proxy, s.world.techA.email);
        for (const base of [a, b]) assert.equal((await requestAs(tech, base, '/api/v1/me')).status, 200, base);

        // A stream opened through nginx hears a message posted on each instance: one of them is not its own.
        const stream = await openEvents(proxy, tech);
        streams.push(stream);
        assert.equal(stream.status, 200);
        await waitUntil(() => stream.events.some((e) => e.event === 'ready'), 'the stream through nginx is ready');
        const texts: { text: string; status: number; afterKill: boolean }[] = [];
        for (const [i, base] of [a, b].entries()) {
          const text = `Posted on instance ${i + 1}.`;
          const r = await requestAs(tech, base, postPath, { text });
          texts.push({ text, status: r.status, afterKill: false });
          assert.equal(r.status, 201);
          await waitUntil(() => eventsFor(stream, ticket) >= i + 1, `the live update of the post on instance ${i + 1}`);
        }

        // The requester's reply address, from the mail the dispatchers sent.
        const replyTo = await waitUntil(
          () => sentReplyAddress(s.storage, s.world.requesterA.email),
          'a notification to the requester, sent',
          30_000,
        );

        // The dispatcher killed is the one that leads (the other stands by and claims next to nothing): the holder of
        // the advisory lock. At the kill it is in the middle of a batch: the sink holds its answers to DATA from the
        // kill's start until the kill, which waits for a mail of the leader's to be held; that mail's batch is what
        // the leader holds then, and must be sent again within 15 s of the kill.
        const leader = await leadingDispatcher(s.storage, fleet.dispatchers);
        assert.ok(leader, 'one of the dispatchers leads');
        let doomedClaims: number[] = [];
        let killedAt = 0;
        let recovery: Promise<number> | undefined;
        const leaderMidBatch = async () => {
          s.sink.holdData();
          const held = await waitUntil(
            () => s.sink.heldData.find((m) => m.messageId && processOnPort([leader], m.clientPort)),
            'a mail sent by the leading dispatcher, its answer held',
          );
          doomedClaims = await batchOfMail(s.storage, held.messageId!);
          killedAt = Date.now();
        };
        const onKilled = () => {
          s.sink.releaseData();
          recovery = waitUntil(
            () => allSent(s.storage, doomedClaims),
            "the killed leader's claims sent again",
            15_000 - (Date.now() - killedAt),
            100,
          ).then(() => Date.now() - killedAt);
          recovery.catch(() => {}); // awaited with the checks below
        };

        // Posts through the proxy, replies by mail to either receiver (as an MTA with two MX would), kills mid-way.
        const [doomedServe, doomedDispatch, doomedIngest] = [fleet.serves[1]!, leader, fleet.ingests[0]!];
        let killed = false;
        let kills: Promise<unknown> | undefined;
        const replies: { text: string; accepted: boolean; response: string }[] = [];
        let next = 0;
        const worker = async () => {
          while (next < POSTS) {
            const i = next++;
            if (i === KILL_AT)
              kills = leaderMidBatch()
                .then(() => Promise.all([doomedServe, doomedDispatch, doomedIngest].map((p) => p.kill('SIGKILL'))))
                .then(() => {
                  killed = true;
                  onKilled();
                });
            const afterKill = killed;
            const text = `Fleet update ${i}.`;
            const status = await requestAs(tech, proxy, postPath, { text }).then(
              (r) => r.status,
              () => 0,
            );
            texts.push({ text, status, afterKill });
            if (i % REPLY_EVERY === 1) {
              const reply = `Requester reply ${i}: still jammed.`;
              const ports = fleet!.ingests.filter((p) => p.running()).map((p) => Number(p.ready[2]));
              let answer = { accepted: false, response: 'no receiver running' };
              for (const port of i % 2 ? ports : ports.reverse()) {
                answer = await sendReply(port, {
                  from: s.world.requesterA.email,
                  to: replyTo,
                  messageId: `<reply-${i}@mail.example.org>`,
                  text: reply,
                });
                if (answer.accepted) break;
              }
              replies.push({ text: reply, ...answer });
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        await kills;
        assert.ok(killed);

        const accepted = texts.filter((p) => p.status === 201);
        const after = texts.filter((p) => p.afterKill);
        assert.ok(after.length >= 20, `${after.length} posts started after the kills`);
        assert.deepEqual(
          after.filter((p) => p.status !== 201),
          [],
          'every post after the kill succeeds through the proxy',
        );
        assert.ok(
          texts.every((p) => p.status === 201 || p.status === 502 || p.status === 0),
          `answers: ${texts.map((p) => p.status).join(' ')}`,
        );

        // Every accepted message stored exactly once (one refused at the kill may or may not have been stored).
        const stored = (source: string) => messagesByText(s.storage, s.world.ticketA.id, source);
        const posted = await stored('desk');
        assert.deepEqual(
          accepted.filter((p) => posted.get(p.text) !== 1).map((p) => [p.text, posted.get(p.text)]),
          [],
        );
        const refused = texts.filter((p) => p.status !== 201);
        assert.ok(refused.every((p) => (posted.get(p.text) ?? 0) <= 1));

        // Every accepted reply posted exactly once (a reply stored by the killed receiver waits for a sweep).
        const acceptedReplies = replies.filter((r) => r.accepted);
        assert.ok(
          acceptedReplies.length >= POSTS / REPLY_EVERY - 2,
          JSON.stringify(replies.filter((r) => !r.accepted)),
        );
        const fromMail = await waitUntil(
          async () => {
            const m = await stored('email');
            return acceptedReplies.every((r) => m.has(r.text)) ? m : null;
          },
          'every accepted reply posted',
          60_000,
          250,
        );
        assert.deepEqual(
          acceptedReplies.filter((r) => fromMail.get(r.text) !== 1).map((r) => r.text),
          [],
        );

        // The killed leader's claims taken back (their lease ended) and sent within 15 s of the kill.
        assert.ok(doomedClaims.length > 0, 'the leader held claims when it was killed');
        const recoveredMs = await recovery!;

        // Every mail sent, none lost.
        const entries = () => outboxEntries(s.storage);
        await waitUntil(
          async () => (await entries()).every((e) => e.status === 'sent'),
          'every mail sent',
          60_000,
          250,
        );
        const all = await entries();
        const lost = all.filter((e) => s.sink.acceptedCount(e.message_id_header) === 0);
        assert.deepEqual(lost, [], 'no mail lost');
        const twice = all.filter((e) => s.sink.acceptedCount(e.message_id_header) > 1).map((e) => e.id);
        const interrupted = await interruptedEntries(s.storage);
        assert.ok(interrupted.size > 0, 'claims taken back from the killed dispatcher');
        assert.deepEqual(
          doomedClaims.filter((id) => !interrupted.has(id)),
          [],
          "each of the killed leader's claims taken back",
        );
        assert.deepEqual(
          twice.filter((id) => !interrupted.has(id)),
          [],
          'sent twice only when in flight at the kill',
        );

        // Live updates still reach a stream through the proxy: a reply ingested by the surviving receiver.
        const late = await openEvents(proxy, tech);
        streams.push(late);
        await waitUntil(() => late.events.some((e) => e.event === 'ready'), 'a new stream through nginx is ready');
        const lastReply = await sendReply(Number(fleet.ingests[1]!.ready[2]), {
          from: s.world.requesterA.email,
          to: replyTo,
          messageId: '<reply-last@mail.example.org>',
          text: 'Fixed now, thanks.',
        });
        assert.ok(lastReply.accepted, lastReply.response);
        await waitUntil(() => eventsFor(late, ticket) >= 1, 'the live update of the last reply, through nginx', 15_000);

        t.diagnostic(
          `posts: ${accepted.length} of ${texts.length} accepted (${refused.length} refused at the kill, ` +
            `${refused.filter((p) => posted.has(p.text)).length} of them stored anyway); replies: ` +
            `${acceptedReplies.length} of ${replies.length} accepted; mails: ${all.length}, lost 0, ` +
            `sent twice ${twice.length} (claims taken back from the killed dispatcher: ${interrupted.size}, ` +
            `sent again ${(recoveredMs / 1000).toFixed(1)} s after the kill)`,
        );
      } catch (error) {
        if (nginx) t.diagnostic(`nginx: ${nginx.log()}`);
        for (const p of fleet?.all() ?? []) t.diagnostic(`${p.name}: ${p.output()}`);
        throw error;
      } finally {
        for (const stream of streams) stream.close();
        await nginx?.stop();
        await stopAll(fleet?.all() ?? []);
        await s.close();
      }
    },
  );

  // The limiter keeps its failures in the database, so every instance counts the others' (each asked directly here).
  it(
    'the sign-in limiter counts across instances: failed sign-ins through instance A slow the same account and address on instance B',
    { skip: NGINX_SKIP, timeout: 300_000 },
    async () => {
      const s = await fleetScene();
      let fleet: Fleet | undefined;
      try {
        fleet = await startFleet(s.env, { serves: 2, dispatchers: 0, ingests: 0 });
        const [a, b] = [fleet.serves[0]!.ready[1]!, fleet.serves[1]!.ready[1]!];
        const wrong = (base: string) =>
          fetch(`${base}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: s.world.techA.email, password: 'not the password at all' }),
          });
        // Failures at A until its delay for this account and address is several seconds long (it doubles with each
        // failure once slowed), so that B is asked well within it.
        let failures = 0;
        let slowed = 0;
        for (let i = 0; i < 30 && failures < 8; i++) {
          const r = await wrong(a);
          if (r.status === 429) {
            slowed++;
            await new Promise((done) => setTimeout(done, Number(r.headers.get('retry-after')) * 1000));
          } else {
            assert.equal(r.status, 401, await r.text());
            failures++;
          }
        }
        assert.equal(failures, 8);
        assert.ok(slowed > 0, 'instance A slows the account and address down');
        const atB = await wrong(b);
        assert.equal(atB.status, 429, `instance B after 8 failures at A: ${atB.status} ${await atB.text()}`);
        assert.ok(Number(atB.headers.get('retry-after')) >= 1, 'with Retry-After');
      } finally {
        await stopAll(fleet?.all() ?? []);
        await s.close();
      }
    },
  );
});
