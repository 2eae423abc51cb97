/**
 * Signatures end to end: a technician's own and a team's, set through the API (keys checked as a template's, a
 * requester refused), rendered by ${SIGNATURE} (ASSINATURA, FIRMA) in the shipped messaging template, delivered to a
 * real SMTP server (test/support/smtp-sink.ts) and parsed back: the author's signature, else the team's, none on a
 * requester's message; the team's in an event's mails. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { DEFAULT_EVENT_TEMPLATES } from '../../src/domain/templates/default-event-templates.ts';
import { statusName } from '../../src/domain/tickets/ticket-status.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';

for (const database of [sqliteMemory, postgres]) {
  describe(`signatures (${database.name})`, () => {
    it("a signature with keys: the author's, else the team's, never a requester's; checked when saved", async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { world, admin, deliver } = scene;
      try {
        const tina = await scene.signIn(world.techA.email); // group A
        const bruno = await scene.signIn(world.techB.email); // group B, responsible for ticket B
        const joao = await scene.signIn(world.requesterA.email); // ticket A, reads pt-BR
        const rita = await scene.signIn(world.requesterB.email); // ticket B, reads es-ES
        // a requester has no signature
        for (const r of [
          await joao.get('/api/v1/me/signature'),
          await joao.put('/api/v1/me/signature', { signature: 'João' }),
        ]) {
          assert.equal(r.statusCode, 403, r.body);
          assert.equal(r.json().code, 'FORBIDDEN');
          assert.match(r.json().message, /requesters have none/);
        }

        // an unknown key is refused naming it, as in a template, and nothing is saved; so is ${SIGNATURE} itself
        const unknown = await tina.put('/api/v1/me/signature', { signature: 'Tina\nTicket ${TICKETNUMBER}' });
        assert.equal(unknown.statusCode, 422, unknown.body);
        assert.equal(unknown.json().code, 'SIGNATURE_UNKNOWN_KEY');
        assert.equal(unknown.json().message, 'Unknown key ${TICKETNUMBER} in the signature at line 2, column 8.');
        const recursive = await tina.put('/api/v1/me/signature', { signature: 'Tina ${ASSINATURA}' });
        assert.equal(recursive.statusCode, 422, recursive.body);
        assert.equal(recursive.json().code, 'SIGNATURE_INVALID');
        const groupUnknown = await admin.put(`/api/v1/admin/groups/${world.groupA}/signature`, {
          signature: '${EQUIPE}',
        });
        assert.equal(groupUnknown.statusCode, 422, groupUnknown.body);
        assert.equal(groupUnknown.json().code, 'SIGNATURE_UNKNOWN_KEY');
        const empty = (await tina.get('/api/v1/me/signature')).json();
        assert.equal(empty.signature, null);
        assert.ok(empty.keys.includes('IDSERVICEREQUEST') && !empty.keys.includes('SIGNATURE'), 'the keys it may use');
        assert.deepEqual(empty.signatureKeys, ['SIGNATURE', 'ASSINATURA', 'FIRMA']);

        // Tina's own, and both teams'
        const mine = 'Tina Tech <service desk>\r\nTicket #${IDSERVICEREQUEST} · ${TICKETSTATUS}\n';
        const saved = await tina.put('/api/v1/me/signature', { signature: mine });
        assert.equal(saved.statusCode, 200, saved.body);
        assert.deepEqual(saved.json(), {
          signature: 'Tina Tech <service desk>\nTicket #${IDSERVICEREQUEST} · ${TICKETSTATUS}',
        });
        assert.equal((await tina.get('/api/v1/me/signature')).json().signature, saved.json().signature);
        for (const [group, signature] of [
          [world.groupA, 'Team A'],
          [world.groupB, 'Equipo B\n${TICKETTITLE}'],
        ] as const) {
          const r = await admin.put(`/api/v1/admin/groups/${group}/signature`, { signature });
          assert.equal(r.statusCode, 200, r.body);
          assert.equal(r.json().signature, signature);
        }
        const groups = (await admin.get('/api/v1/admin/groups')).json().items;
        assert.equal(groups.find((g: { id: number }) => g.id === world.groupA).signature, 'Team A');
        const audit = (await admin.get('/api/v1/admin/audit?action=group.edit')).json().items;
        assert.ok(
          audit.some((e: { changes: { field: string; after?: unknown }[] }) =>
            e.changes.some((c) => c.field === 'signature' && c.after === 'Team A'),
          ),
          JSON.stringify(audit),
        );

        /** The parsed mail `email` received from the last message posted through `client` on ticket `number`. */
        const mailOf = async (client: typeof tina, number: number, text: string, email: string) => {
          const posted = await client.post(`/api/v1/tickets/${number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          const parsed = (await deliver()).get(email)!;
          assert.ok(parsed, `a mail reached ${email}`);
          assert.ok(parsed.text!.includes(text), 'the message is in it');
          return { text: parsed.text!, html: parsed.html as string };
        };

        // Tina answers João: her own signature (not her team's), its keys filled in for him (pt-BR), escaped in HTML
        const a = world.ticketA.number;
        const toJoao = await mailOf(tina, a, 'The toner is on its way.', world.requesterA.email);
        const status = statusName((await tina.get(`/api/v1/tickets/${a}`)).json().status, 'pt-BR');
        assert.match(toJoao.text, new RegExp(`Tina Tech <service desk>\\nTicket #${a} · ${status}\\s*$`));
        assert.ok(
          toJoao.html.includes(`<div>Tina Tech &lt;service desk&gt;<br>\nTicket #${a} · ${status}</div>`),
          toJoao.html,
        );
        assert.doesNotMatch(toJoao.text, /Team A/);

        // Bruno has none: Rita gets his team's, in her language's variant (${FIRMA})
        const b = world.ticketB.number;
        const toRita = await mailOf(bruno, b, 'Your laptop is ordered.', world.requesterB.email);
        assert.match(toRita.text, /Abrir el ticket/);
        assert.match(toRita.text, new RegExp(`Equipo B\\n${world.ticketB.title}\\s*$`));

        // Rita's answer to Bruno carries no signature at all, though his team has one
        const toBruno = await mailOf(rita, b, 'Thank you!', world.techB.email);
        assert.doesNotMatch(toBruno.text, /Equipo B/);
        assert.match(
          toBruno.html,
          /<\/p>\s*<div><\/div>\s*<div style="[^"]*">/,
          'no signature: an empty block before the history',
        );

        // the preview renders it as if the administrator previewing wrote: they have none, so the ticket's team's
        const preview = await admin.post(`/api/v1/admin/email-templates/${scene.templateId}/preview`, {
          ticketNumber: a,
          variant: 'en-US',
        });
        assert.equal(preview.statusCode, 200, preview.body);
        assert.match(preview.json().html, /<div>Team A<\/div>/);

        // removed: the team's again
        assert.deepEqual((await tina.put('/api/v1/me/signature', { signature: '  ' })).json(), { signature: null });
        const again = await mailOf(tina, a, 'Delivered.', world.requesterA.email);
        // the team's signature, then the earlier messages
        assert.match(again.text, /Team A\s*Antes nesta conversa:/);

        // an event's mails (no author) carry the team's: João's acknowledgement (pt-BR, ${ASSINATURA}), Tina's "new
        // request in your team" (en-US, ${SIGNATURE})
        for (const [parameter, input] of [
          [PARAM.ACKNOWLEDGEMENT_TEMPLATE, DEFAULT_EVENT_TEMPLATES.acknowledgement['pt-BR']],
          [PARAM.TEAM_NEW_TEMPLATE, DEFAULT_EVENT_TEMPLATES['team-new']['en-US']],
        ] as const) {
          const t = await admin.post('/api/v1/admin/email-templates', input);
          assert.equal(t.statusCode, 201, t.body);
          assert.equal(
            (await admin.put(`/api/v1/admin/parameters/${parameter}`, { value: t.json().id })).statusCode,
            200,
          );
        }
        const opened = await joao.post('/api/v1/tickets', {
          title: 'Scanner',
          description: 'It scans nothing.',
          groupId: world.groupA,
        });
        assert.equal(opened.statusCode, 201, opened.body);
        const events = await deliver();
        for (const who of [world.requesterA, world.techA]) {
          const got = events.get(who.email);
          assert.ok(got, `an event mail reached ${who.email}`);
          assert.match(got.text!, /Team A$/, who.email);
          assert.match(got.html as string, /<div>Team A<\/div>/, who.email);
        }
      } finally {
        await scene.close();
      }
    });
  });
}
