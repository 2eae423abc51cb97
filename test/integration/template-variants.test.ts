/**
 * A template in several languages, end to end: saved through the admin API (a key error names its variant), one
 * public message on a ticket with a pt-BR requester and an es-ES copy goes out as two mails in two languages,
 * delivered to a real SMTP server (test/support/smtp-sink.ts) and parsed back; then the fallbacks (same language,
 * then the default); preview per variant. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TEMPLATES, SHIPPED_MESSAGING_TEMPLATE } from '../../src/domain/templates/default-templates.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';

for (const database of [sqliteMemory, postgres]) {
  describe(`a template in several languages (${database.name})`, () => {
    it('gives each recipient of one message the variant of their locale, then of their language, then the default', async () => {
      const scene = await mailApp(database);
      const { world, admin, deliver } = scene;
      try {
        const tech = await scene.signIn(world.techA.email);
        const number = world.ticketA.number; // its requester, João, reads pt-BR
        const copies = await tech.put(`/api/v1/tickets/${number}/copies`, {
          copies: [{ email: world.requesterB.email }], // Rita reads es-ES
        });
        assert.equal(copies.statusCode, 200, copies.body);
        // One mail each, so each is in its reader's language (with copies in Cc, the requester's language is the mail's).
        const separate = await admin.patch(`/api/v1/admin/groups/${world.groupA}`, { copiesMode: 'separate' });
        assert.equal(separate.statusCode, 200, separate.body);
        assert.equal(separate.json().copiesMode, 'separate');

        // a key error names its variant, and nothing is saved
        const before = (await admin.get('/api/v1/admin/email-templates')).json().items.length;
        const wrong = await admin.post('/api/v1/admin/email-templates', {
          ...SHIPPED_MESSAGING_TEMPLATE,
          variants: [
            SHIPPED_MESSAGING_TEMPLATE.variants![0],
            { ...SHIPPED_MESSAGING_TEMPLATE.variants![1], html: '<p>${COMENTARIO}</p>' },
          ],
        });
        assert.equal(wrong.statusCode, 422, wrong.body);
        assert.equal(wrong.json().code, 'TEMPLATE_UNKNOWN_KEY');
        assert.equal(wrong.json().details.variant, 'es-ES');
        assert.match(wrong.json().message, /^In the es-ES variant: Unknown key \$\{COMENTARIO\}/);
        assert.equal((await admin.get('/api/v1/admin/email-templates')).json().items.length, before);

        const created = await admin.post('/api/v1/admin/email-templates', SHIPPED_MESSAGING_TEMPLATE);
        assert.equal(created.statusCode, 201, created.body);
        const template = created.json();
        assert.equal(template.locale, 'en-US');
        assert.deepEqual(
          template.variants.map((v: { locale: string }) => v.locale),
          ['es-ES', 'pt-BR'],
        );
        assert.equal((await admin.put('/api/v1/admin/parameters/417', { value: template.id })).statusCode, 200);

        /** Posts a public message and returns the subject and text of the mail each of João and Rita received. */
        const mailsOf = async (text: string) => {
          const posted = await tech.post(`/api/v1/tickets/${number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          const round = await deliver();
          const got = (email: string) => {
            const parsed = round.get(email);
            assert.ok(parsed, `a mail reached ${email}`);
            assert.ok(parsed.text!.includes(text), 'the message is in it');
            return { subject: parsed.subject!, html: parsed.html as string };
          };
          return { joao: got(world.requesterA.email), rita: got(world.requesterB.email) };
        };

        // the exact locales: two mails in two languages
        const first = await mailsOf('The toner is on its way.');
        assert.equal(first.joao.subject, `[#${number}] Nova mensagem: ${world.ticketA.title}`);
        assert.match(first.joao.html, /Abrir o ticket/);
        assert.equal(first.rita.subject, `[#${number}] Nuevo mensaje: ${world.ticketA.title}`);
        assert.match(first.rita.html, /Abrir el ticket/);

        // the same language: pt-BR is now the default, and Spanish exists only as es-MX
        const changed = await admin.put(`/api/v1/admin/email-templates/${template.id}`, {
          ...DEFAULT_TEMPLATES['pt-BR'],
          locale: 'pt-BR',
          variants: [
            { ...DEFAULT_TEMPLATES['es-ES'], locale: 'es-MX', subject: 'MX ${TICKETTITLE}', name: undefined },
          ].map(({ locale, subject, html }) => ({ locale, subject, html })),
        });
        assert.equal(changed.statusCode, 200, changed.body);
        const second = await mailsOf('It should arrive tomorrow.');
        assert.equal(second.joao.subject, `[#${number}] Nova mensagem: ${world.ticketA.title}`);
        assert.equal(second.rita.subject, `MX ${world.ticketA.title}`);

        // no variant of their language: the default (en-US) for both
        const fallback = await admin.put(`/api/v1/admin/email-templates/${template.id}`, {
          ...DEFAULT_TEMPLATES['en-US'],
          locale: 'en-US',
          variants: [{ locale: 'fr', subject: 'FR ${TICKETTITLE}', html: '<p>${COMMENTTEXT}</p>' }],
        });
        assert.equal(fallback.statusCode, 200, fallback.body);
        const third = await mailsOf('Delivered.');
        assert.equal(third.joao.subject, `[#${number}] New message: ${world.ticketA.title}`);
        assert.equal(third.rita.subject, `[#${number}] New message: ${world.ticketA.title}`);

        // preview per variant, of the stored template and of a draft
        const preview = await admin.post(`/api/v1/admin/email-templates/${template.id}/preview`, {
          ticketNumber: number,
          variant: 'fr',
        });
        assert.equal(preview.statusCode, 200, preview.body);
        assert.equal(preview.json().variant, 'fr');
        assert.equal(preview.json().subject, `FR ${world.ticketA.title}`);
        const draft = await admin.post('/api/v1/admin/email-templates/preview', {
          ...SHIPPED_MESSAGING_TEMPLATE,
          ticketNumber: number,
          variant: 'pt-BR',
        });
        assert.equal(draft.statusCode, 200, draft.body);
        assert.equal(draft.json().subject, `[#${number}] Nova mensagem: ${world.ticketA.title}`);
      } finally {
        await scene.close();
      }
    });
  });
}
