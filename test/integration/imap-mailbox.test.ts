/**
 * The IMAP reader (src/adapters/inbound/imap-mailbox.ts) against a real Dovecot started by the test
 * (test/support/dovecot.ts): unseen mail delivered and only then marked seen, new mail noticed through IDLE, a mail
 * that could not be stored left unseen and tried again, a recreated mailbox (new UIDVALIDITY), a refused login; end to
 * end, the support mailbox of the parameters and a team mailbox's own folder (migration 025).
 */
import { verified } from '../support/sender.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { ImapMailbox } from '../../src/adapters/inbound/imap-mailbox.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { buildWorld } from '../support/fixtures.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { imapParley } from '../support/imap-parley.ts';
import { DOVECOT_SKIP as skip, startDovecot, type Dovecot } from '../support/dovecot.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createMailbox, editMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';

const mail = (n: number) =>
  Buffer.from(
    `From: Ana <ana@example.test>\r\nTo: desk@example.test\r\nSubject: Mail ${n}\r\nMessage-ID: <imap.${n}.${Date.now()}@example.test>\r\n\r\nBody ${n}\r\n`,
  );
/** A mail of 3,303 bytes (over a limit of 1,000 bytes, or of 1,024): 40 lines of 76 `x` after its headers. */
const large = Buffer.from(
  'From: Ana Souza <ana@example.test>\r\nTo: desk@desk.example.test\r\nSubject: Photos of the broken printer\r\n' +
    'Message-ID: <too-large.1@example.test>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n' +
    `${'x'.repeat(76)}\r\n`.repeat(40),
);
const subjectOf = (raw: Buffer) => /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim();
const quiet = { info: () => {}, error: () => {} };

describe('the IMAP reader, against Dovecot', () => {
  let dovecot: Dovecot;
  let admin: ImapFlow; // the test's own connection, to put mail in and look at flags

  before(async () => {
    if (skip) return; // every test below is skipped (and counted as skipped), so no server is needed
    dovecot = await startDovecot();
    admin = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await admin.connect();
  });
  after(async () => {
    await admin?.logout().catch(() => {});
    await dovecot?.stop();
  });

  const options = () => ({
    host: dovecot.host,
    port: dovecot.port,
    security: 'none' as const,
    user: dovecot.user,
    password: dovecot.password,
    retryMs: 200,
    pollMs: 30_000,
    log: quiet,
  });
  const unseenCount = async (box = 'INBOX') => {
    const lock = await admin.getMailboxLock(box);
    try {
      return ((await admin.search({ seen: false }, { uid: true })) || []).length;
    } finally {
      lock.release();
    }
  };

  /** The flags of the mail of `subject` in `box` (sorted), or undefined when there is none. */
  const flagsOf = async (box: string, subject: string) => {
    const lock = await admin.getMailboxLock(box);
    try {
      for await (const m of admin.fetch('1:*', { flags: true, envelope: true }))
        if (m.envelope?.subject === subject) return [...(m.flags ?? [])].sort();
      return undefined;
    } finally {
      lock.release();
    }
  };

  it(
    'delivers the unseen mail oldest first and marks it seen only afterwards; new mail arrives through IDLE',
    { skip },
    async () => {
      for (const n of [1, 2, 3]) await admin.append('INBOX', mail(n));
      const delivered: string[] = [];
      let seenWhileDelivering = -1;
      const reader = new ImapMailbox(options(), async (raw) => {
        if (delivered.length === 0) seenWhileDelivering = 3 - (await unseenCount());
        delivered.push(subjectOf(raw)!);
      });
      reader.start();
      try {
        await waitUntil(() => delivered.length === 3, 'the three waiting mails', 10_000);
        assert.deepEqual(delivered, ['Mail 1', 'Mail 2', 'Mail 3']);
        assert.equal(seenWhileDelivering, 0, 'nothing is marked seen before it was delivered');
        await waitUntil(async () => (await unseenCount()) === 0, 'all three marked seen');

        await admin.append('INBOX', mail(4));
        await waitUntil(
          () => delivered.includes('Mail 4'),
          'the new mail, through IDLE (the poll is 30 s away)',
          10_000,
        );
      } finally {
        await reader.stop();
      }
    },
  );

  it('a mail that could not be stored stays unseen and is delivered once storing works again', { skip }, async () => {
    await admin.append('INBOX', mail(5));
    let failing = true;
    const delivered: string[] = [];
    let attempts = 0;
    const reader = new ImapMailbox(options(), async (raw) => {
      attempts++;
      if (failing) throw new Error('database unavailable');
      delivered.push(subjectOf(raw)!);
    });
    reader.start();
    try {
      await waitUntil(() => attempts >= 2, 'a retry after the first failure', 10_000);
      assert.equal(await unseenCount(), 1, 'still unseen while it cannot be stored');
      failing = false;
      await waitUntil(() => delivered.includes('Mail 5'), 'delivery once storing works', 10_000);
      await waitUntil(async () => (await unseenCount()) === 0, 'then marked seen');
    } finally {
      await reader.stop();
    }
  });

  it('reads a recreated mailbox (a new UIDVALIDITY) without missing its mail', { skip }, async () => {
    await admin.mailboxCreate('Support');
    await admin.append('Support', mail(6));
    const delivered: string[] = [];
    const reader = new ImapMailbox(
      { ...options(), mailbox: 'Support' },
      async (raw) => void delivered.push(subjectOf(raw)!),
    );
    reader.start();
    try {
      await waitUntil(() => delivered.includes('Mail 6'), 'the first mailbox’s mail', 10_000);
      const before = reader.uidValidity;
      await reader.stop();
      await admin.mailboxDelete('Support');
      await admin.mailboxCreate('Support');
      await admin.append('Support', mail(7));
      reader.start();
      await waitUntil(() => delivered.includes('Mail 7'), 'the recreated mailbox’s mail', 10_000);
      assert.notEqual(reader.uidValidity, before, 'the UIDVALIDITY changed');
      assert.deepEqual(delivered, ['Mail 6', 'Mail 7']);
    } finally {
      await reader.stop();
    }
  });

  it(
    'STARTTLS required but not offered by the server: no login in clear text, nothing delivered, the failure reported',
    { skip },
    async () => {
      await admin.append('INBOX', mail(8));
      const delivered: Buffer[] = [];
      const reader = new ImapMailbox({ ...options(), security: 'starttls' }, async (raw) => void delivered.push(raw));
      reader.start();
      try {
        await waitUntil(() => reader.lastError !== null, 'the failure to be reported', 10_000);
        assert.equal(delivered.length, 0);
        assert.ok((await unseenCount()) >= 1, 'the mail stays unseen');
      } finally {
        await reader.stop();
      }
      // Read it as the server allows, so later tests start from an empty mailbox.
      const drain = new ImapMailbox(options(), async () => {});
      drain.start();
      await waitUntil(async () => (await unseenCount()) === 0, 'the mailbox drained');
      await drain.stop();
    },
  );

  it(
    'a mail over the size limit: its headers (not its body) handed over as too large, left unread and flagged',
    { skip },
    async () => {
      await admin.mailboxCreate('Large');
      await admin.append('Large', large);
      await admin.append('Large', mail(20));
      const delivered: string[] = [];
      const tooLarge: { headers: string; size: number; maxBytes: number }[] = [];
      let failing = true;
      const reader = new ImapMailbox(
        { ...options(), mailbox: 'Large', maxBytes: 1000 },
        async (raw) => void delivered.push(subjectOf(raw)!),
        async (m) => {
          if (failing) throw new Error('database unavailable');
          tooLarge.push({ headers: m.headers.toString(), size: m.size, maxBytes: m.maxBytes });
        },
      );
      reader.start();
      try {
        // Not recorded: the mail is left as it was (neither seen nor flagged), the failure reported, and it is retried.
        await waitUntil(() => reader.lastError !== null, 'the failure to record it reported', 10_000);
        assert.deepEqual(await flagsOf('Large', 'Photos of the broken printer'), []);
        assert.equal(delivered.length, 0, 'nothing after it is taken while it cannot be recorded');
        failing = false;
        await waitUntil(() => delivered.includes('Mail 20'), 'the small mail after it', 10_000);
        assert.equal(tooLarge.length, 1, 'handed over once');
        assert.equal(tooLarge[0]!.size, large.byteLength);
        assert.equal(tooLarge[0]!.maxBytes, 1000);
        assert.match(tooLarge[0]!.headers, /^Subject: Photos of the broken printer\r$/m);
        assert.match(tooLarge[0]!.headers, /^From: Ana Souza <ana@example\.test>\r$/m);
        assert.doesNotMatch(tooLarge[0]!.headers, /xxxx/, 'the body is not fetched');
        assert.deepEqual(await flagsOf('Large', 'Photos of the broken printer'), ['$ParleyTooLarge']);

        // Not read again: a new mail makes the reader look at the mailbox once more.
        await admin.append('Large', mail(21));
        await waitUntil(() => delivered.includes('Mail 21'), 'the next mail', 10_000);
        assert.equal(tooLarge.length, 1, 'the flagged mail is not handed over again');
      } finally {
        await reader.stop();
      }
    },
  );

  it('a refused login is reported and retried, never delivers, never crashes', { skip }, async () => {
    const delivered: Buffer[] = [];
    const reader = new ImapMailbox({ ...options(), password: 'wrong' }, async (raw) => void delivered.push(raw));
    reader.start();
    try {
      await waitUntil(() => reader.lastError !== null, 'the failure to be reported', 10_000);
      assert.equal(delivered.length, 0);
    } finally {
      await reader.stop();
    }
  });

  it(
    'end to end: a reply in the support mailbox configured in the parameters becomes a message of its ticket',
    { skip },
    async () => {
      const { parley, inbound, close } = await imapParley();
      try {
        const world = await buildWorld(parley.deps);
        const posted = await postMessage(parley.deps, world.techA, {
          ticketNumber: world.ticketA.number,
          text: 'Could you restart the printer?',
          source: 'desk',
        });
        const [notification] = await parley.storage.outbox.outboxOfMessages([posted.message.id]);
        for (const [id, value] of [
          [PARAM.IMAP_HOST, dovecot.host],
          [PARAM.IMAP_PORT, dovecot.port],
          [PARAM.IMAP_SECURITY, 'none'],
          [PARAM.IMAP_USER, dovecot.user],
          [PARAM.IMAP_PASSWORD, dovecot.password],
          [PARAM.IMAP_MAILBOX, 'Replies'],
        ] as const) {
          await setParameter(parley.deps, CLI_ORIGIN, world.admin, id, value);
        }
        await admin.mailboxCreate('Replies');
        // As the organisation's MTA delivers it to the mailbox: the sender verified (a trusted authserv-id).
        const reply = verified(
          eml('gmail-web-en', {
            FROM: world.requesterA.email,
            FROM_NAME: world.requesterA.name,
            TO: 'desk@desk.example.test',
            MESSAGE_ID: `<imap-e2e.${Date.now()}@mail.example.org>`,
            IN_REPLY_TO: notification!.messageIdHeader,
            REFERENCES: `${notification!.threadId} ${notification!.messageIdHeader}`,
            TICKET: world.ticketA.number,
          }),
        );
        await admin.append('Replies', reply);
        await inbound.start();
        await waitUntil(
          async () =>
            (await parley.storage.messages.listMessages(world.ticketA.id, true)).some((m) => m.source === 'email'),
          'the reply in the thread',
          15_000,
        );
        const message = (await parley.storage.messages.listMessages(world.ticketA.id, true)).find(
          (m) => m.source === 'email',
        )!;
        assert.equal(message.authorId, world.requesterA.id);
        assert.equal(message.text, 'Thanks, it works again after the restart.');
        await waitUntil(async () => (await unseenCount('Replies')) === 0, 'the mail marked seen after it was stored');
      } finally {
        await close();
      }
    },
  );

  it(
    'end to end: a new request in a team mailbox’s own folder opens a ticket in that team; removing the folder stops it',
    { skip },
    async () => {
      const { parley, inbound, ticketOpened, close } = await imapParley();
      try {
        const world = await buildWorld(parley.deps);
        await setParameter(parley.deps, CLI_ORIGIN, world.admin, PARAM.INBOUND_OPEN_TICKETS, true);
        await admin.mailboxCreate('Team');
        const team = {
          name: 'IT',
          fromAddress: 'it@example.test',
          smtpHost: '127.0.0.1',
          smtpPort: 2525,
          smtpSecurity: 'none',
          smtpAuth: 'none',
          imapHost: dovecot.host,
          imapPort: dovecot.port,
          imapSecurity: 'none',
          imapUser: dovecot.user,
          imapPassword: dovecot.password,
          imapFolder: 'Team',
          groupIds: [world.groupB],
        };
        const mailbox = await createMailbox(parley.deps, CLI_ORIGIN, team);
        assert.equal(mailbox.imapPasswordSet, true);
        const request = (n: number) =>
          verified(
            eml('new-request-en', {
              FROM: world.requesterA.email,
              FROM_NAME: world.requesterA.name,
              TO: 'it@example.test',
              MESSAGE_ID: `<imap-team.${n}.${Date.now()}@mail.example.org>`,
            }),
          );
        await admin.append('Team', request(1));
        await inbound.start();
        const ticket = await ticketOpened('the request read from the team’s folder');
        assert.equal(ticket.groupId, world.groupB, 'opened in the mailbox’s team');
        assert.equal(ticket.requesterId, world.requesterA.id);
        await waitUntil(async () => (await unseenCount('Team')) === 0, 'the mail marked seen after it was stored');

        // The folder taken off the mailbox (its password removed with it): nothing more is read from it.
        const edited = await editMailbox(parley.deps, CLI_ORIGIN, mailbox.id, { ...team, imapHost: null });
        assert.deepEqual([edited.imapHost, edited.imapPasswordSet], [null, false]);
        await inbound.imap.check();
        await admin.append('Team', request(2));
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(await unseenCount('Team'), 1, 'no longer read');
      } finally {
        await close();
      }
    },
  );

  it(
    'end to end: a mail over PARLEY_INBOUND_MAX_BYTES is held for review, with its sender, subject, size and the limit',
    { skip },
    async () => {
      const { parley, inbound, close } = await imapParley({ PARLEY_INBOUND_MAX_BYTES: '1024' });
      try {
        const world = await buildWorld(parley.deps);
        for (const [id, value] of [
          [PARAM.IMAP_HOST, dovecot.host],
          [PARAM.IMAP_PORT, dovecot.port],
          [PARAM.IMAP_SECURITY, 'none'],
          [PARAM.IMAP_USER, dovecot.user],
          [PARAM.IMAP_PASSWORD, dovecot.password],
          [PARAM.IMAP_MAILBOX, 'Oversized'],
        ] as const) {
          await setParameter(parley.deps, CLI_ORIGIN, world.admin, id, value);
        }
        await admin.mailboxCreate('Oversized');
        await admin.append('Oversized', large);
        await admin.append('Oversized', mail(30));
        await inbound.start();
        const all = async () =>
          (await parley.storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 50 })).items;
        await waitUntil(
          async () => (await all()).some((m) => m.subject === 'Mail 30' && m.status !== 'received'),
          'the small mail after it, processed',
          15_000,
        );
        const [held, ...more] = (await all()).filter((m) => m.reason === 'too-large');
        assert.ok(held, 'the large mail is recorded');
        assert.equal(more.length, 0);
        assert.equal(held.status, 'held', 'held for a person to review');
        assert.deepEqual([held.fromAddress, held.fromName], ['ana@example.test', 'Ana Souza']);
        assert.equal(held.subject, 'Photos of the broken printer');
        assert.equal(held.messageIdHeader, '<too-large.1@example.test>');
        assert.equal(held.size, large.byteLength, 'the size of the whole mail, not of what was kept');
        assert.match(held.reasonText ?? '', /3303 bytes/);
        assert.match(held.reasonText ?? '', /limit of 1024 bytes/);
        const kept = Buffer.from((await parley.storage.inbound.inboundRaw(held.id))!).toString();
        assert.match(kept, /^Subject: Photos of the broken printer\r$/m, 'its headers are kept, for the reviewer');
        assert.doesNotMatch(kept, /xxxx/, 'not its body');
        assert.equal(
          await parley.storage.inbound.countHeldInboundMail(),
          (await all()).filter((m) => m.status === 'held').length,
        );
        // A person looking at the mailbox still sees it unread; the flag keeps Parley from taking it again.
        assert.deepEqual(await flagsOf('Oversized', 'Photos of the broken printer'), ['$ParleyTooLarge']);
        await admin.append('Oversized', mail(31));
        await waitUntil(
          async () => (await all()).some((m) => m.subject === 'Mail 31' && m.status !== 'received'),
          'the next mail, processed',
          15_000,
        );
        assert.equal((await all()).filter((m) => m.reason === 'too-large').length, 1, 'recorded once');
      } finally {
        await close();
      }
    },
  );
});
