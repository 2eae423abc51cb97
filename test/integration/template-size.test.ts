/**
 * Issue 11: a template whose mails would be enormous (thousands of `${COMMENTTEXT}`, each up to a whole message) is
 * refused with a sentence at save through the admin API, and a stored one (saved before the bound existed) at render,
 * when a message is posted: a 422 with nothing written, never a 500 after the memory is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { MAX_MESSAGE_LENGTH } from '../../src/domain/messages/message.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

/** 14,000 × `${COMMENTTEXT}`: 196,000 characters, within the 200,000 a template body may have. */
const EXPLODING = `<p>${'${COMMENTTEXT}'.repeat(14_000)}</p>`;

async function withApp(
  database: typeof sqliteMemory,
  work: (ctx: { deps: Deps; storage: SqlStorage; world: World; app: FastifyInstance; admin: Client }) => Promise<void>,
) {
  const db = await database.open();
  const deps = testDeps(db.storage, new TestClock());
  const app = await testApp(deps);
  try {
    const world = await buildWorld(deps);
    await work({ deps, storage: db.storage, world, app, admin: await signIn(app, world.admin.email) });
  } finally {
    await app.close();
    await db.storage.close();
    await db.drop();
  }
}

for (const database of [sqliteMemory, postgres]) {
  describe(`a template whose rendered size would explode (${database.name})`, () => {
    // threat: A template whose rendered size would explode
    it('is refused at save through the admin API with a 422 that says why; nothing is stored or changed', async () => {
      await withApp(database, async ({ admin, world }) => {
        const before = (await admin.get('/api/v1/admin/email-templates')).json();

        const created = await admin.post('/api/v1/admin/email-templates', {
          name: 'Exploding',
          subject: 'S ${IDSERVICEREQUEST}',
          html: EXPLODING,
        });
        assert.equal(created.statusCode, 422, created.body);
        const body = created.json();
        assert.equal(body.code, 'TEMPLATE_TOO_LARGE');
        assert.deepEqual(body.details, {
          field: 'html',
          limit: 1_000_000,
          worstCase: body.details.worstCase,
          key: 'COMMENTTEXT',
          count: 14_000,
        });
        assert.match(
          body.message,
          /^This template could make mails whose HTML body is up to [\d,]+ characters long; the limit is 1,000,000\. It uses \$\{COMMENTTEXT\} 14,000 times/,
        );

        const text = await admin.post('/api/v1/admin/email-templates', {
          name: 'Exploding text',
          subject: 'S',
          html: '<p>ok</p>',
          text: '${COMMENTTEXT}'.repeat(5_000),
        });
        assert.equal(text.statusCode, 422, text.body);
        assert.equal(text.json().code, 'TEMPLATE_TOO_LARGE');
        assert.match(text.json().message, /text body/);

        const updated = await admin.put(`/api/v1/admin/email-templates/${world.templateId}`, {
          name: 'Messaging',
          subject: 'S',
          html: EXPLODING,
        });
        assert.equal(updated.statusCode, 422, updated.body);
        assert.equal(updated.json().code, 'TEMPLATE_TOO_LARGE');

        const draft = await admin.post('/api/v1/admin/email-templates/preview', { subject: 'S', html: EXPLODING });
        assert.equal(draft.statusCode, 422, draft.body);
        assert.equal(draft.json().code, 'TEMPLATE_TOO_LARGE');

        assert.deepEqual(
          (await admin.get('/api/v1/admin/email-templates')).json(),
          before,
          'no template was added or changed',
        );

        const fine = await admin.post('/api/v1/admin/email-templates', {
          name: 'Quoting',
          subject: 'S',
          html: '<blockquote>${COMMENTTEXT}</blockquote>'.repeat(3),
        });
        assert.equal(fine.statusCode, 201, 'a template using the message a few times is accepted');
      });
    });

    it('is refused at render when one was stored before the bound: the message is not posted (422), no mail is queued', async () => {
      await withApp(database, async ({ deps, storage, world, app, admin }) => {
        const tech = await signIn(app, world.techA.email);
        const long = 'x'.repeat(MAX_MESSAGE_LENGTH);
        assert.equal(
          (await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: long })).statusCode,
          201,
          'the shipped template takes it',
        );
        // written straight to the database, as a template saved by an older version would be
        const stored = await storage.settings.createTemplate(
          {
            name: 'Old exploding',
            subject: 'S',
            html: EXPLODING,
            text: null,
            locale: 'en-US',
            variants: [],
            active: true,
          },
          deps.clock.now().toISOString(),
        );
        assert.equal((await admin.put('/api/v1/admin/parameters/417', { value: stored.id })).statusCode, 200);
        const outboxBefore = await storage.outbox.outboxCounts();
        const messagesBefore = (await storage.messages.listMessages(world.ticketA.id, true)).length;

        const posted = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: long });
        assert.equal(posted.statusCode, 422, posted.body);
        assert.equal(posted.json().code, 'TEMPLATE_TOO_LARGE');
        assert.match(
          posted.json().message,
          /longer than 1,000,000 characters, so no mail was made: an administrator has to edit the template/,
        );
        assert.equal(
          (await storage.messages.listMessages(world.ticketA.id, true)).length,
          messagesBefore,
          'no message was stored',
        );
        assert.deepEqual(await storage.outbox.outboxCounts(), outboxBefore, 'no mail was queued');

        // the preview of the stored template with the ticket's latest message (the long one) says the same
        const preview = await admin.post(`/api/v1/admin/email-templates/${stored.id}/preview`, {
          ticketNumber: world.ticketA.number,
        });
        assert.equal(preview.statusCode, 422, preview.body);
        assert.equal(preview.json().code, 'TEMPLATE_TOO_LARGE');

        // a short message still renders within the bound, so the thread goes on
        const short = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Short.' });
        assert.equal(short.statusCode, 201, short.body);
      });
    });
  });
}
