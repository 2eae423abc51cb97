/**
 * Mailboxes (issue 14, outbound with passwords), on SQLite and PostgreSQL, against two real SMTP servers: a group
 * with its own mailbox sends its tickets' mail from it (From, the account it signs in with), the others from the
 * default mailbox (the parameters) exactly as before; mail queued before a group moved keeps the mailbox it was
 * queued for; a mailbox in use or with unsent mail cannot be deleted; the password is write-only and needs to be given
 * again when the server changes; verify and test send per mailbox; every change is audited. Inbound: the SMTP
 * receiver accepts a mailbox's address, and a known requester's new mail to it opens a ticket in its team; it is never
 * made a copy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AddressObject } from 'mailparser';
import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import { inboundRecipientCheck } from '../../src/domain/inbound/accepted-recipients.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { authResults, trustedInbound } from '../support/trusted-inbound.ts';

const fromOf = (m: { from?: AddressObject }) => m.from?.value[0];

for (const database of [sqliteMemory, postgres]) {
  describe(`mailboxes (${database.name})`, () => {
    // threat: A team mailbox's SMTP password
    it('sends each team’s mail from its mailbox, the rest from the default; frozen when queued; guarded deletes', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { world, admin, storage } = scene;
      const itSink = await SmtpSink.start();
      itSink.requireAuth({ user: 'it-user', pass: 'it-secret' });
      try {
        const mailbox = {
          name: 'IT',
          fromAddress: 'it@example.test',
          fromName: 'IT Help',
          smtpHost: '127.0.0.1',
          smtpPort: itSink.port,
          smtpSecurity: 'none',
          smtpAuth: 'password',
          smtpUser: 'it-user',
          password: 'it-secret',
          groupIds: [world.groupA],
        };
        // Refusals name the field; nothing is stored.
        const noPassword = await admin.post('/api/v1/admin/mailboxes', { ...mailbox, password: undefined });
        assert.equal(noPassword.statusCode, 422, noPassword.body);
        assert.equal(noPassword.json().details.field, 'password');
        const metadata = await admin.post('/api/v1/admin/mailboxes', { ...mailbox, smtpHost: '169.254.169.254' });
        assert.equal(metadata.statusCode, 422);
        assert.equal(metadata.json().details.field, 'smtpHost');
        const badFrom = await admin.post('/api/v1/admin/mailboxes', { ...mailbox, fromAddress: 'not-an-address' });
        assert.equal(badFrom.json().details.field, 'fromAddress');
        const noImapPassword = await admin.post('/api/v1/admin/mailboxes', {
          ...mailbox,
          imapHost: '127.0.0.1',
          imapUser: 'it',
        });
        assert.equal(noImapPassword.statusCode, 422);
        assert.equal(noImapPassword.json().details.field, 'imapPassword');
        assert.equal((await admin.get('/api/v1/admin/mailboxes')).json().items.length, 0);

        const created = await admin.post('/api/v1/admin/mailboxes', mailbox);
        assert.equal(created.statusCode, 201, created.body);
        const box = created.json();
        assert.equal(box.passwordSet, true);
        assert.equal(box.password, undefined, 'write-only');
        assert.ok(!created.body.includes('it-secret'));
        assert.deepEqual(box.groupIds, [world.groupA]);
        const taken = await admin.post('/api/v1/admin/mailboxes', { ...mailbox, groupIds: [] });
        assert.equal(taken.statusCode, 409);
        assert.equal(taken.json().code, 'MAILBOX_NAME_TAKEN');
        const groups = (await admin.get('/api/v1/admin/groups')).json().items;
        assert.equal(groups.find((g: { id: number }) => g.id === world.groupA).mailboxId, box.id);
        assert.equal(groups.find((g: { id: number }) => g.id === world.groupB).mailboxId, null);

        // Verify and test send through the mailbox's own server and login.
        const verified = await admin.post(`/api/v1/admin/mailboxes/${box.id}/verify`);
        assert.equal(verified.statusCode, 200, verified.body);
        assert.deepEqual([verified.json().ok, verified.json().signedIn], [true, true]);
        const tested = await admin.post(`/api/v1/admin/mailboxes/${box.id}/test`, { to: 'someone@example.test' });
        assert.equal(tested.json().code, 'SENT', tested.body);
        assert.equal(fromOf(await simpleParser(itSink.accepted.at(-1)!.raw))?.address, 'it@example.test');
        assert.equal((await admin.post('/api/v1/admin/mailboxes/9999/verify')).statusCode, 404);

        // Group A's ticket from the IT mailbox (signed in as it-user), group B's from the default.
        const techA = await scene.signIn(world.techA.email);
        const techB = await scene.signIn(world.techB.email);
        const a = await techA.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'From IT.' });
        const b = await techB.post(`/api/v1/tickets/${world.ticketB.number}/messages`, { text: 'From the desk.' });
        assert.equal(a.statusCode, 201, a.body);
        assert.equal(b.statusCode, 201, b.body);
        const round = await scene.deliver();
        const viaIt = itSink.accepted.at(-1)!;
        const parsedIt = await simpleParser(viaIt.raw);
        assert.equal(parsedIt.text!.includes('From IT.'), true);
        assert.deepEqual(fromOf(parsedIt), { address: 'it@example.test', name: 'IT Help' });
        assert.equal(viaIt.user, 'it-user', 'signed in with the mailbox’s account');
        assert.deepEqual(viaIt.envelope.rcptTo, [world.requesterA.email]);
        const viaDesk = round.get(world.requesterB.email)!;
        assert.ok(viaDesk.text!.includes('From the desk.'));
        assert.equal(fromOf(viaDesk)?.address, 'desk@example.test');
        assert.equal(round.get(world.requesterA.email), undefined, 'not through the default server');

        // Queued from IT, then the ticket moves to group B: the queued mail still goes out from IT; later ones not.
        const queued = await techA.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Queued in A.' });
        assert.equal(queued.statusCode, 201);
        const moved = await admin.patch(`/api/v1/tickets/${world.ticketA.number}`, { groupId: world.groupB });
        assert.equal(moved.statusCode, 200, moved.body);
        // A mailbox with unsent mail (and groups) cannot be deleted.
        const busy = await admin.put(`/api/v1/admin/mailboxes/${box.id}`, { ...mailbox, password: null, groupIds: [] });
        assert.equal(busy.statusCode, 200, busy.body);
        const unsent = await admin.delete(`/api/v1/admin/mailboxes/${box.id}`);
        assert.equal(unsent.statusCode, 409);
        assert.equal(unsent.json().details.reason, 'unsent');
        const later = await admin.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Now in B.' });
        assert.equal(later.statusCode, 201, later.body);
        const before = itSink.accepted.length;
        const next = await scene.deliver();
        assert.equal(itSink.accepted.length - before, 1, 'the queued mail, from IT');
        assert.ok((await simpleParser(itSink.accepted.at(-1)!.raw)).text!.includes('Queued in A.'));
        assert.ok(next.get(world.requesterA.email)!.text!.includes('Now in B.'), 'the later one from the default');

        // The password goes only to the server it was entered for.
        const moveServer = await admin.put(`/api/v1/admin/mailboxes/${box.id}`, {
          ...mailbox,
          smtpPort: itSink.port + 1,
          password: null,
          groupIds: [world.groupA],
        });
        assert.equal(moveServer.statusCode, 422);
        assert.equal(moveServer.json().details.reason, 'password-required');
        const inUse = await admin.delete(`/api/v1/admin/mailboxes/${box.id}`);
        assert.equal(inUse.statusCode, 204, 'no group, nothing unsent: deleted');
        assert.equal((await storage.mailboxes.listMailboxes()).length, 0);

        const audit = (await admin.get('/api/v1/admin/audit?targetType=mailbox')).json().items;
        assert.deepEqual(
          audit.map((e: { action: string }) => e.action),
          ['mailbox.delete', 'mailbox.update', 'mailbox.create'],
        );
        assert.ok(!JSON.stringify(audit).includes('it-secret'), 'the password is never in the audit');
      } finally {
        await itSink.close();
        await scene.close();
      }
    });

    it('accepts mail to a team mailbox and opens a known requester’s new mail in that team', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { deps, world, admin, storage } = scene;
      try {
        const created = await admin.post('/api/v1/admin/mailboxes', {
          name: 'IT',
          fromAddress: 'IT@Example.test',
          smtpHost: '127.0.0.1',
          smtpPort: 2525,
          smtpSecurity: 'none',
          smtpAuth: 'none',
          groupIds: [world.groupB],
        });
        assert.equal(created.statusCode, 201, created.body);
        assert.equal((await admin.put('/api/v1/admin/parameters/9003', { value: true })).statusCode, 200);
        const accepts = inboundRecipientCheck(
          { mailDomain: deps.site.mailDomain, inboundRecipients: [] },
          storage,
          deps.clock,
        );
        assert.equal(await accepts('it@example.test'), true, 'the mailbox’s address is ours');
        assert.equal(await accepts('desk@example.test'), true, 'the support address still is');
        assert.equal(await accepts('someone@example.test'), false);

        const raw = Buffer.concat([
          Buffer.from(`Authentication-Results: ${authResults('example.test')}\r\n`),
          eml('new-request-en', {
            FROM: world.requesterA.email,
            FROM_NAME: world.requesterA.name,
            TO: 'it@example.test',
            MESSAGE_ID: `<new.${Date.now()}@example.test>`,
          }),
        ]);
        const id = await receiveMail(deps, {
          raw,
          sha256: createHash('sha256').update(raw).digest('hex'),
          envelopeFrom: world.requesterA.email,
          envelopeTo: ['it@example.test'],
          remoteAddress: '127.0.0.1',
        });
        const mail = (await processInboundMail(trustedInbound(deps), id))!;
        assert.deepEqual([mail.status, mail.reason], ['posted', 'new-ticket'], mail.reasonText ?? '');
        const ticket = (await storage.tickets.findTicketByNumber(mail.ticketId!))!;
        assert.equal(ticket.groupId, world.groupB, 'opened in the mailbox’s team');
        assert.deepEqual(ticket.copyIds, [], 'the mailbox is never made a copy');
      } finally {
        await scene.close();
      }
    });
  });
}
