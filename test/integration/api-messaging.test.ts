/**
 * Posting messages through the API: the parameter-417 gate, who is notified, internal notes, every template key
 * and alias in a real notification, and escaping by context.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { TEMPLATE_KEYS } from '../../src/domain/templates/key-registry.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

async function setup(options: { messaging?: boolean } = {}) {
  const db = await sqliteMemory.open();
  const deps = testDeps(db.storage);
  const world = await buildWorld(deps, options);
  const app = await testApp(deps);
  return {
    app,
    world,
    storage: db.storage,
    close: async () => {
      await app.close();
      await db.storage.close();
    },
  };
}

async function outboxDetail(admin: Client, id: number) {
  const r = await admin.get(`/api/v1/admin/outbox/${id}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as {
    to: string;
    subject: string;
    html: string;
    text: string;
    status: string;
    messageIdHeader: string;
  };
}

describe('the parameter 417 gate', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let admin: Client;
  let requester: Client;
  before(async () => {
    ctx = await setup({ messaging: false });
    admin = await signIn(ctx.app, ctx.world.admin.email);
    requester = await signIn(ctx.app, ctx.world.requesterA.email);
  });
  after(() => ctx.close());

  const post = () =>
    requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Is anyone there?' });
  const reasonCodes = (body: { details: { reasons: { code: string }[] } }) => body.details.reasons.map((r) => r.code);

  async function threadLength() {
    return (await admin.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items.length;
  }

  it('answers 409 MESSAGING_UNAVAILABLE with every reason while nothing is configured, and stores nothing', async () => {
    const r = await post();
    assert.equal(r.statusCode, 409);
    const body = r.json();
    assert.equal(body.code, 'MESSAGING_UNAVAILABLE');
    assert.equal(
      body.message,
      'Messaging is not available yet: an administrator has to finish setting it up.',
      'a plain sentence for a requester',
    );
    assert.deepEqual(reasonCodes(body), ['TEMPLATE_PARAMETER_EMPTY', 'SMTP_HOST_MISSING', 'SMTP_FROM_MISSING']);
    assert.ok(!('message' in body.details.reasons[0]), 'what to fix is for administrators');
    const asAdmin = await admin.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Test' });
    assert.equal(asAdmin.statusCode, 409);
    assert.match(asAdmin.json().message, /Parameter 417 \(the messaging email template\) is empty/);
    assert.equal(asAdmin.json().details.reasons[0].fix, 'parameter-417');
    assert.equal(await threadLength(), 0);
    assert.equal((await admin.get('/api/v1/admin/outbox')).json().items.length, 0);
  });

  it('tells administrators what to fix and others only that it is unavailable', async () => {
    const forAdmin = (await admin.get('/api/v1/messaging/status')).json();
    assert.equal(forAdmin.available, false);
    assert.deepEqual(
      forAdmin.reasons.map((r: { fix: string }) => r.fix),
      ['parameter-417', 'smtp-account', 'smtp-account'],
    );
    assert.deepEqual((await requester.get('/api/v1/messaging/status')).json(), { available: false, reasons: [] });
  });

  it('refuses 417 pointing at a template that does not exist or is inactive', async () => {
    const missing = await admin.put('/api/v1/admin/parameters/417', { value: 4242 });
    assert.equal(missing.statusCode, 422);
    assert.equal(missing.json().code, 'PARAMETER_INVALID');
    assert.match(missing.json().message, /no email template with ID 4242/);
    const inactive = await admin.post('/api/v1/admin/email-templates', {
      name: 'Off',
      subject: 'S',
      html: '<p>${COMMENTTEXT}</p>',
      active: false,
    });
    const r = await admin.put('/api/v1/admin/parameters/417', { value: inactive.json().id });
    assert.equal(r.statusCode, 422);
    assert.match(r.json().message, /inactive/);
  });

  it('still refuses with only the SMTP reasons once 417 is set', async () => {
    const set = await admin.put('/api/v1/admin/parameters/417', { value: ctx.world.templateId });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().value, ctx.world.templateId);
    const r = await post();
    assert.equal(r.statusCode, 409);
    assert.deepEqual(reasonCodes(r.json()), ['SMTP_HOST_MISSING', 'SMTP_FROM_MISSING']);
    assert.equal(await threadLength(), 0);
  });

  it('an SMTP account that needs authentication but has no password is refused at save', async () => {
    const r = await admin.put('/api/v1/admin/smtp-account', {
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      auth: true,
      user: 'desk',
      from: 'desk@example.test',
    });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().code, 'SMTP_ACCOUNT_INVALID');
    assert.equal(
      (await admin.get('/api/v1/admin/smtp-account')).json().host,
      null,
      'nothing of the refused account was kept',
    );
  });

  it('accepts messages once 417 and the SMTP account are both valid', async () => {
    const smtp = await admin.put('/api/v1/admin/smtp-account', {
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      auth: false,
      from: 'desk@example.test',
    });
    assert.equal(smtp.statusCode, 200, smtp.body);
    const r = await post();
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((await requester.get('/api/v1/messaging/status')).json().available, true);
  });

  it('will not deactivate or delete the template 417 names (409 TEMPLATE_IN_USE)', async () => {
    const t = (await admin.get(`/api/v1/admin/email-templates/${ctx.world.templateId}`)).json();
    const off = await admin.put(`/api/v1/admin/email-templates/${t.id}`, {
      name: t.name,
      subject: t.subject,
      html: t.html,
      active: false,
    });
    assert.equal(off.statusCode, 409);
    assert.equal(off.json().code, 'TEMPLATE_IN_USE');
    assert.equal((await admin.delete(`/api/v1/admin/email-templates/${t.id}`)).statusCode, 409);
  });

  it('internal notes need no messaging: they are stored even while it is unavailable', async () => {
    await admin.put('/api/v1/admin/parameters/417', { value: null });
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const note = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'Working on it',
      internal: true,
    });
    assert.equal(note.statusCode, 201, note.body);
    assert.deepEqual(note.json().notifications, []);
    assert.equal(
      (await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'public' })).statusCode,
      409,
    );
  });
});

describe('who is notified', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    ctx = await setup();
  });
  after(() => ctx.close());

  it('requester → every technician of the group while nobody is responsible', async () => {
    const requester = await signIn(ctx.app, ctx.world.requesterA.email);
    const r = await requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Help' });
    assert.equal(r.statusCode, 201);
    assert.deepEqual(
      r.json().notifications.map((n: { to: string }) => n.to),
      ['Tina Tech'],
      'a requester learns names, not staff addresses',
    );
    assert.equal(r.json().message.source, 'portal');
    const admin = await signIn(ctx.app, ctx.world.admin.email);
    const entry = (await admin.get(`/api/v1/admin/outbox/${r.json().notifications[0].id}`)).json();
    assert.equal(entry.to, 'tech.a@example.test');
    assert.equal(r.json().notifications[0].status, 'waiting');
  });

  it('requester → the responsible technician only', async () => {
    const requester = await signIn(ctx.app, ctx.world.requesterB.email);
    const r = await requester.post(`/api/v1/tickets/${ctx.world.ticketB.number}/messages`, { text: 'Any news?' });
    assert.deepEqual(
      r.json().notifications.map((n: { to: string }) => n.to),
      ['Bruno Técnico'],
    );
  });

  it('technician → the requester; "send email" unchecked → stored, nothing queued', async () => {
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const r = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'On my way' });
    assert.deepEqual(
      r.json().notifications.map((n: { to: string }) => n.to),
      ['req.a@example.test'],
    );
    assert.equal(r.json().message.source, 'desk');
    const quiet = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'FYI, no mail',
      sendEmail: false,
    });
    assert.equal(quiet.statusCode, 201);
    assert.deepEqual(quiet.json().notifications, []);
    assert.equal(quiet.json().message.sendEmail, false);
  });

  it('taking a ticket makes the taker its only technician recipient', async () => {
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const take = await tech.patch(`/api/v1/tickets/${ctx.world.ticketA.number}`, {
      responsibleId: ctx.world.techA.id,
      status: 'in_progress',
    });
    assert.equal(take.statusCode, 200, take.body);
    assert.equal(take.json().responsible.name, 'Tina Tech');
    const requester = await signIn(ctx.app, ctx.world.requesterA.email);
    const r = await requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Thanks' });
    assert.deepEqual(
      r.json().notifications.map((n: { to: string }) => n.to),
      ['Tina Tech'],
    );
  });

  it('the thread shows each message with its mail state; a requester sees plain names for their own messages only', async () => {
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const forTech = (await tech.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items;
    assert.ok(forTech.every((m: { mail: unknown[] }) => Array.isArray(m.mail)));
    // Staff also get the outbox entry, when it was queued and the failed mail it replaces (none here).
    const [line] = forTech[0].mail;
    assert.deepEqual(forTech[0].mail, [
      {
        id: line.id,
        to: 'tech.a@example.test',
        cc: [],
        status: 'queued',
        createdAt: line.createdAt,
        resentFromId: null,
      },
    ]);
    assert.ok(Number.isInteger(line.id) && !Number.isNaN(Date.parse(line.createdAt)));
    const requester = await signIn(ctx.app, ctx.world.requesterA.email);
    const forRequester = (await requester.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items;
    const own = forRequester.find((m: { author: { id: number } }) => m.author.id === ctx.world.requesterA.id);
    assert.deepEqual(own.mail, [{ to: 'Tina Tech', cc: [], status: 'waiting' }], 'plain words for the requester');
    const fromTech = forRequester.find((m: { author: { id: number } }) => m.author.id === ctx.world.techA.id);
    assert.deepEqual(fromTech.mail, []);
  });
});

describe('internal notes', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    ctx = await setup();
  });
  after(() => ctx.close());

  it('are never shown to the requester, never mailed, and only technicians can write them', async () => {
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const note = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'Secret: the printer vendor owes us',
      internal: true,
      timeSpentMinutes: 30,
    });
    assert.equal(note.statusCode, 201);
    assert.equal(note.json().message.internal, true);
    assert.equal(
      note.json().message.timeSpentDate,
      '2026-03-14',
      'time without a date is logged for today in the author’s time zone',
    );
    assert.deepEqual(note.json().notifications, []);
    await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Public answer' });

    const requester = await signIn(ctx.app, ctx.world.requesterA.email);
    const thread = await requester.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`);
    assert.equal(thread.statusCode, 200);
    assert.deepEqual(
      thread.json().items.map((m: { text: string }) => m.text),
      ['Public answer'],
    );
    assert.ok(!thread.body.includes('Secret'));
    const staffThread = (await tech.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items;
    assert.deepEqual(
      staffThread.map((m: { internal: boolean }) => m.internal),
      [true, false],
    );

    const admin = await signIn(ctx.app, ctx.world.admin.email);
    const outbox = (await admin.get('/api/v1/admin/outbox')).json().items;
    for (const entry of outbox) assert.ok(!(await outboxDetail(admin, entry.id)).html.includes('Secret'));

    const forbidden = await requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'x',
      internal: true,
    });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'MESSAGE_INTERNAL_NOT_ALLOWED');
    const time = await requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'x',
      timeSpentMinutes: 5,
    });
    assert.equal(time.statusCode, 422);
  });
});

describe('every template key and alias in a real notification', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let admin: Client;
  before(async () => {
    ctx = await setup();
    admin = await signIn(ctx.app, ctx.world.admin.email);
  });
  after(() => ctx.close());

  it('renders each key for the recipient, with dates in their locale and time zone', async () => {
    const names = TEMPLATE_KEYS.flatMap((k) => [k.name, ...k.aliases]);
    assert.ok(names.length >= 20);
    const html = names.map((n) => `<p data-key="${n}">\${${n}}</p>`).join('\n');
    const text = names.map((n) => `${n}=\${${n}}`).join('\n');
    const created = await admin.post('/api/v1/admin/email-templates', {
      name: 'All keys',
      subject: 'Ticket ${IDSOLICITUDSERVICIO}: ${TICKETTITLE}',
      html,
      text,
      active: true,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await admin.put('/api/v1/admin/parameters/417', { value: created.json().id })).statusCode, 200);
    await admin.patch(`/api/v1/tickets/${ctx.world.ticketA.number}`, { responsibleId: ctx.world.techA.id });

    const tech = await signIn(ctx.app, ctx.world.techA.email);
    // One line, so it reads as one `NAME=value` line; its own key rendered for the recipient.
    assert.equal((await tech.put('/api/v1/me/signature', { signature: 'Tina · ${TICKETSTATUS}' })).statusCode, 200);
    const r = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, {
      text: 'Trocamos o toner.\nTeste de novo, por favor.',
      timeSpentMinutes: 90,
      timeSpentDate: '2026-03-13',
    });
    assert.equal(r.statusCode, 201, r.body);
    const mail = await outboxDetail(admin, r.json().notifications[0].id);
    const values = Object.fromEntries(mail.text.split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    const n = String(ctx.world.ticketA.number);
    // Recipient: João Muñoz, pt-BR, America/Sao_Paulo; the clock says 2026-03-14T15:09:26Z.
    const expected: Record<string, string> = {
      IDSERVICEREQUEST: n,
      IDSOLICITACAOSERVICO: n,
      IDSOLICITUDSERVICIO: n,
      DATETIMECREATED: '14/03/2026, 12:09',
      DATAHORA: '14/03/2026, 12:09',
      USERNAME: 'Tina Tech',
      REGISTRADOPOR: 'Tina Tech',
      REQUESTERNAME: 'João Muñoz',
      NOMECONTATO: 'João Muñoz',
      REQUESTRESPONSIBLENAME: 'Tina Tech',
      DEMANDA: 'Incident',
      SERVICO: 'Printing',
      SERVICORELACIONADO: 'Office devices',
      PORTFOLIO: 'IT services',
      CATEGORIA: 'Hardware',
      TEMPOGASTODATA: '13/03/2026',
      TEMPOGASTOHORA: '01:30',
      TICKETTITLE: 'Printer jams',
      TICKETSTATUS: 'Novo',
      TICKETURL: `https://desk.example.test/portal/tickets/${n}`,
      REPLYABOVE: '##- Responda acima desta linha -##',
      RESPONDAACIMA: '##- Responda acima desta linha -##',
      RESPONDAPORENCIMA: '##- Responda acima desta linha -##',
      // No earlier public message on this ticket: the history is empty (its values: conversation-history.test.ts).
      HISTORY: '',
      HISTORICO: '',
      HISTORIAL: '',
      SIGNATURE: 'Tina · Novo',
      ASSINATURA: 'Tina · Novo',
      FIRMA: 'Tina · Novo',
    };
    for (const name of names) {
      if (name === 'COMMENTTEXT') continue; // multi-line; checked below
      assert.ok(name in expected, `the test knows ${name}`);
      assert.equal(values[name], expected[name], name);
    }
    assert.match(mail.text, /COMMENTTEXT=Trocamos o toner\.\nTeste de novo, por favor\./);
    assert.match(mail.html, /<p data-key="COMMENTTEXT">Trocamos o toner\.<br>\nTeste de novo, por favor\.<\/p>/);
    assert.match(mail.html, /<p data-key="IDSOLICITACAOSERVICO">\d+<\/p>/);
    assert.equal(mail.subject, `Ticket ${n}: Printer jams`);
  });

  it('renders the same keys for a technician in another locale and time zone', async () => {
    const requester = await signIn(ctx.app, ctx.world.requesterA.email);
    const r = await requester.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'Funcionou!' });
    const mail = await outboxDetail(admin, r.json().notifications[0].id);
    assert.equal(mail.to, 'tech.a@example.test');
    assert.match(mail.text, /DATETIMECREATED=3\/14\/26, 11:09\s?AM/);
    assert.match(mail.text, /TICKETSTATUS=New/);
    assert.match(mail.text, /TEMPOGASTOHORA=not logged\n/, 'no time logged, said in the recipient’s language');
    assert.match(mail.text, /TICKETURL=https:\/\/desk\.example\.test\/desk\/tickets\//);
  });
});

describe('escaping by context', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let admin: Client;
  let storage: SqlStorage;
  beforeEach(async () => {
    ctx = await setup();
    storage = ctx.storage;
    admin = await signIn(ctx.app, ctx.world.admin.email);
  });
  afterEach(() => ctx.close());

  // threat: `<script>`, `<img onerror=...>` in a message, ticket title or user name
  it('a message holding <script>, ${SMTP_PASSWORD}, ${IDSERVICEREQUEST}, accents and line breaks', async () => {
    const evil = '<script>alert("x")</script> & ${SMTP_PASSWORD} ${IDSERVICEREQUEST}\nAção é Muñoz 🎉\r\nfim';
    const tech = await signIn(ctx.app, ctx.world.techA.email);
    const r = await tech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: evil });
    assert.equal(r.statusCode, 201, r.body);
    const mail = await outboxDetail(admin, r.json().notifications[0].id);
    assert.ok(!mail.html.includes('<script>'), 'no live script in the HTML mail');
    assert.ok(
      mail.html.includes(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ${SMTP_PASSWORD} ${IDSERVICEREQUEST}<br>\nAção é Muñoz 🎉<br>\nfim',
      ),
    );
    assert.ok(
      mail.text.includes('<script>alert("x")</script> & ${SMTP_PASSWORD} ${IDSERVICEREQUEST}\nAção é Muñoz 🎉\nfim'),
    );
    assert.ok(!mail.html.includes('smtp-pass-Zx9!') && !mail.text.includes('smtp-pass-Zx9!'));
    // The thread returns the text as it was written (line breaks normalised); the UI renders it as text.
    const thread = (await tech.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items;
    assert.equal(thread.at(-1).text, evil.replace('\r\n', '\n'));
  });

  // threat: `<script>`, `<img onerror=...>` in a message, ticket title or user name
  it('names and titles with markup are escaped in HTML; the subject never carries a line break', async () => {
    const created = await admin.post('/api/v1/admin/users', {
      role: 'technician',
      email: 'evil@example.test',
      name: '<img src=x onerror=alert(1)>',
      password: 'long enough password',
      groupIds: [ctx.world.groupA],
    });
    assert.equal(created.statusCode, 201, created.body);
    const evilTech = await signIn(ctx.app, 'evil@example.test', 'long enough password');
    await admin.patch(`/api/v1/tickets/${ctx.world.ticketA.number}`, { title: 'Broken <b>printer</b> "3F"' });
    const r = await evilTech.post(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`, { text: 'ok' });
    const mail = await outboxDetail(admin, r.json().notifications[0].id);
    assert.ok(mail.html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!mail.html.includes('<img src=x'));
    assert.ok(mail.html.includes('Broken &lt;b&gt;printer&lt;/b&gt; &quot;3F&quot;'));
    assert.ok(mail.subject.includes('Broken <b>printer</b> "3F"'), 'the subject is plain text, not HTML');
    assert.ok(!/[\r\n]/.test(mail.subject));
    const title = await admin.patch(`/api/v1/tickets/${ctx.world.ticketA.number}`, {
      title: 'Line\r\nBcc: victim@example.test',
    });
    assert.equal(title.statusCode, 422);
    const raw = await storage.kyselyInstance.selectFrom('outbox_entry').select('subject').execute();
    assert.ok(raw.every((row) => !/[\r\n]/.test(row.subject)));
  });
});
