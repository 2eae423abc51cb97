/**
 * The text part of a real notification (issue 10): a technician answers a ticket nobody is responsible for yet,
 * the shipped template of the recipient's language (no text body: it is derived from the HTML) renders it, the
 * dispatcher delivers it to a real SMTP server (test/support/smtp-sink.ts) and mailparser reads it back. The text
 * part holds everything the HTML part shows, footer included, and the empty responsible reads naturally.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { LOCALES, type Locale } from '../../src/domain/locale.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { DEFAULT_TEMPLATES } from '../../src/domain/templates/default-templates.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { createLogger, dispatchPolicy } from '../../src/main.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps } from '../support/fixtures.ts';
import { htmlTextContent } from '../support/html-text-content.ts';
import { signIn } from '../support/http.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const POLICY = dispatchPolicy(
  loadConfig(
    {
      PARLEY_SECRET_KEY: 'test-secret-key-that-is-long-enough-for-parley',
      PARLEY_DATA_DIR: '/nonexistent/parley-text-part-test',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  ),
);

/** What the recipient's footer must say: the requester, the responsible nobody is yet, the status. */
const FOOTER: Record<Locale, string> = {
  'en-US': 'Requester: Requester en-US · Responsible: not assigned yet · Status: New. Reply to this email to answer.',
  'pt-BR':
    'Solicitante: Requester pt-BR · Responsável: ainda não atribuído · Situação: Novo. Responda a este e-mail para continuar a conversa.',
  'es-ES':
    'Solicitante: Requester es-ES · Responsable: aún sin asignar · Estado: Nuevo. Responda a este correo para contestar.',
};

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((l) => l !== '');

for (const database of [sqliteMemory, postgres]) {
  describe(`the text part of a delivered notification (${database.name})`, () => {
    it('holds every value the HTML part holds, footer included, in the three shipped templates, for a ticket nobody is responsible for', async () => {
      const db = await database.open();
      const clock = new TestClock();
      const deps = testDeps(db.storage, clock);
      const transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 5000,
      });
      const sink = await SmtpSink.start();
      const app = await buildApp(deps, {
        logger: createLogger({ logLevel: 'silent' } as Config, { write: () => {} }),
        mail: { transports, catcher: null },
      });
      try {
        const world = await buildWorld(deps);
        const admin = await signIn(app, world.admin.email);
        const account = await admin.put('/api/v1/admin/smtp-account', {
          host: '127.0.0.1',
          port: sink.port,
          security: 'none',
          auth: false,
          from: 'desk@example.test',
          fromName: 'Service Desk',
        });
        assert.equal(account.statusCode, 200, account.body);
        const tech = await signIn(app, world.techA.email);

        // the shipped templates, and the en-US one led by issue 10's link whose text holds a key
        const cases = [
          ...LOCALES.map((locale) => ({ locale, html: DEFAULT_TEMPLATES[locale].html })),
          {
            locale: 'en-US' as const,
            html: `<p><a href="\${TICKETURL}">Open #\${IDSERVICEREQUEST}</a></p>\n<p>R: \${REQUESTERNAME}</p>\n${DEFAULT_TEMPLATES['en-US'].html}`,
          },
        ];
        for (const [n, { locale, html }] of cases.entries()) {
          // saved through the admin API without a text body, and made the messaging template
          const created = await admin.post('/api/v1/admin/email-templates', {
            ...DEFAULT_TEMPLATES[locale],
            html,
            name: `Case ${n} ${locale}`,
          });
          assert.equal(created.statusCode, 201, created.body);
          assert.equal(created.json().text, null, 'no text body: the text part is derived from the HTML');
          assert.equal((await admin.put('/api/v1/admin/parameters/417', { value: created.json().id })).statusCode, 200);

          const requester = (await loadActor(
            deps.storage,
            (
              await createUser(deps, CLI_ORIGIN, {
                role: 'requester',
                email: `req.${n}.${locale.toLowerCase()}@example.test`,
                name: `Requester ${locale}`,
                password: TEST_PASSWORD,
                locale,
                timeZone: 'UTC',
              })
            ).id,
          ))!;
          const ticket = await openTicket(deps, requester, {
            title: `Printer & <toner> ${locale}`,
            description: 'It jams.',
            groupId: world.groupA,
          });
          assert.equal(ticket.responsibleName, null, 'nobody is responsible for the ticket');

          const text = 'We ordered a new toner.\nPlease try again on "Monday" & tell us.';
          const posted = await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          const before = sink.accepted.length;
          const batch = await dispatchBatch({ ...deps, transports, random: () => 0.5 }, POLICY);
          assert.equal(batch.failed + batch.deferred, 0, `every mail went out (${JSON.stringify(batch)})`);
          const raw = sink.accepted.slice(before).find((m) => m.envelope.rcptTo.includes(requester.email));
          assert.ok(raw, `a mail reached ${requester.email}`);

          const parsed = await simpleParser(raw.raw);
          assert.equal(typeof parsed.html, 'string');
          assert.equal(typeof parsed.text, 'string');
          const htmlLines = lines(htmlTextContent(parsed.html as string));
          const textLines = lines(parsed.text!);

          // every line the HTML part shows is in the text part (a link's line also names its target there)
          for (const line of htmlLines) {
            assert.ok(
              textLines.some((t) => t.includes(line)),
              `${locale}: the text part lacks ${JSON.stringify(line)}\ntext part:\n${parsed.text}`,
            );
          }
          // the values themselves, and the footer read naturally in both parts
          const values = [
            String(ticket.number),
            ticket.title,
            'Tina Tech',
            'We ordered a new toner.',
            'Please try again on "Monday" & tell us.',
            `https://desk.example.test/portal/tickets/${ticket.number}`,
          ];
          for (const value of values)
            assert.ok(parsed.text!.includes(value), `${locale}: the text part holds ${JSON.stringify(value)}`);
          assert.ok(htmlLines.includes(FOOTER[locale]), `${locale}: HTML footer\n${htmlLines.join('\n')}`);
          assert.ok(textLines.includes(FOOTER[locale]), `${locale}: text footer\n${parsed.text}`);
          assert.doesNotMatch(parsed.text!, /: +·|: *\.| {2}·/, `${locale}: no empty value in the text part`);
          if (n === LOCALES.length)
            assert.ok(
              textLines.includes(`Open #${ticket.number} (https://desk.example.test/portal/tickets/${ticket.number})`),
              parsed.text,
            );
        }
      } finally {
        await app.close();
        transports.closeAll();
        await sink.close();
        await db.storage.close();
        await db.drop();
      }
    });
  });
}
