/**
 * The SMTP pool and the wire form the dispatcher sends (src/adapters/smtp/smtp-pool.ts, mime-message.ts), against a
 * real SMTP server (test/support/smtp-sink.ts): sessions are reused and bounded, idle ones are closed, a failure
 * settles only the message it concerns, and the mail parses back as it was written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildMimeMessage } from '../../src/adapters/smtp/mime-message.ts';
import { SmtpPool } from '../../src/adapters/smtp/smtp-pool.ts';
import type { OutgoingMail } from '../../src/ports/mail-transport.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';

function mail(n: number, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: { name: 'Service Desk', address: 'desk@example.test' },
    to: { name: 'Requester', address: `req.${n}@example.test` },
    replyTo: null,
    subject: `Mail ${n}`,
    text: `Text ${n}`,
    html: `<p>HTML ${n}</p>`,
    messageId: `<pool.${n}.${process.pid}@example.test>`,
    inReplyTo: null,
    references: [],
    headers: {},
    ...overrides,
  };
}

async function withPool(
  options: { maxConnections: number; idleMs?: number },
  work: (pool: SmtpPool, sink: SmtpSink) => Promise<void>,
) {
  const sink = await SmtpSink.start();
  const pool = new SmtpPool({
    connection: {
      host: sink.host,
      port: sink.port,
      ignoreTLS: true,
      connectionTimeout: 2000,
      greetingTimeout: 2000,
      socketTimeout: 4000,
    },
    maxConnections: options.maxConnections,
    idleMs: options.idleMs ?? 10_000,
  });
  try {
    await work(pool, sink);
  } finally {
    pool.close();
    await sink.close();
  }
}

const send = (pool: SmtpPool, m: OutgoingMail) =>
  pool.send({ from: m.from.address, to: [m.to.address] }, buildMimeMessage(m, new Date())).then((r) => r.response);

describe('the SMTP pool', () => {
  it('sends many messages over at most maxConnections sessions, reused, each message once', async () => {
    await withPool({ maxConnections: 3 }, async (pool, sink) => {
      const mails = Array.from({ length: 30 }, (_, i) => mail(i));
      const replies = await Promise.all(mails.map((m) => send(pool, m)));
      assert.ok(
        replies.every((r) => /^250 /.test(r)),
        'every send settles with the 250 reply',
      );
      assert.equal(sink.accepted.length, 30);
      for (const m of mails) assert.equal(sink.acceptedCount(m.messageId), 1);
      assert.ok(sink.connectionCount <= 3, `${sink.connectionCount} sessions for 30 mails`);
      // A later message reuses a session instead of opening one.
      await send(pool, mail(99));
      assert.ok(sink.connectionCount <= 3);
    });
  });

  it('closes idle sessions, and opens a new one for the next message', async () => {
    await withPool({ maxConnections: 2, idleMs: 150 }, async (pool, sink) => {
      await send(pool, mail(1));
      assert.equal(sink.openConnections, 1);
      await waitUntil(() => sink.openConnections === 0, 'the idle session to be closed', 5000);
      await send(pool, mail(2));
      assert.equal(sink.connectionCount, 2);
      assert.equal(sink.accepted.length, 2);
    });
  });

  it('a refused recipient fails that message only; the others of the same moment go out', async () => {
    await withPool({ maxConnections: 2 }, async (pool, sink) => {
      sink.rejectRecipient('req.2@example.test', { code: 550, text: '5.1.1 No such user' });
      const results = await Promise.allSettled([1, 2, 3, 4].map((n) => send(pool, mail(n))));
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      const refused = (results[1] as PromiseRejectedResult).reason as { responseCode?: number; response?: string };
      assert.equal(refused.responseCode, 550);
      assert.match(refused.response ?? '', /No such user/);
      assert.deepEqual(sink.accepted.map((m) => m.envelope.rcptTo[0]).sort(), [
        'req.1@example.test',
        'req.3@example.test',
        'req.4@example.test',
      ]);
    });
  });

  it('a server that cannot be reached fails the waiting messages at once, each with the network error', async () => {
    const sink = await SmtpSink.start();
    const port = sink.port;
    await sink.close(); // nothing listens there any more
    const pool = new SmtpPool({
      connection: { host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 1000 },
      maxConnections: 2,
      idleMs: 1000,
    });
    try {
      const results = await Promise.allSettled([1, 2, 3].map((n) => send(pool, mail(n))));
      assert.ok(results.every((r) => r.status === 'rejected'));
      for (const r of results)
        assert.match(String((r as PromiseRejectedResult).reason.code), /^(ECONNECTION|ESOCKET)$/);
    } finally {
      pool.close();
    }
  });

  it('after close, messages in flight finish and new ones are refused', async () => {
    await withPool({ maxConnections: 1 }, async (pool, sink) => {
      sink.delayData(500);
      const inFlight = send(pool, mail(1));
      // In flight: the server has the whole message and has not answered yet.
      await waitUntil(() => sink.dataComplete === 1, 'the message to reach the server');
      assert.equal(sink.received.length, 0, 'not answered yet');
      pool.close();
      assert.match(await inFlight, /^250 /);
      await assert.rejects(send(pool, mail(2)), /closed/);
      assert.equal(sink.accepted.length, 1);
    });
  });
});

describe('the wire form', () => {
  it('parses back to what was written: names, subject and bodies with accents, header values on one line', async () => {
    const text = `Olá João,\n.\nUma linha com = e =3D\r\n${'ç'.repeat(3000)}\nfim`;
    const html = `<p>Olá &amp; <b>João</b></p>\n.\n<p>${'ç'.repeat(3000)}</p>`;
    const m = mail(1, {
      from: { name: 'Suporte — Técnico "TI"', address: 'desk@example.test' },
      to: { name: 'João Muñoz, Jr.', address: 'joao@example.test' },
      replyTo: 'reply+1.2.abc@example.test',
      subject: '[#7] Atualização: impressora não imprime\r\nBcc: victim@example.test',
      text,
      html,
      inReplyTo: '<parley.ticket.7@example.test>',
      references: ['<parley.ticket.7@example.test>'],
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    const raw = buildMimeMessage(m, new Date('2026-11-22T10:00:00Z'));
    const wire = raw.toString('latin1');
    assert.ok(
      wire.split('\r\n').every((line) => line.length <= 78),
      'no line over 78 characters',
    );
    assert.doesNotMatch(wire, /[^\r]\n|\r[^\n]/, 'CRLF line ends only');
    assert.doesNotMatch(
      wire.slice(0, wire.indexOf('\r\n\r\n')),
      /^Bcc:/im,
      'a line break in a value never starts a header',
    );
    const parsed = await simpleParser(raw);
    assert.deepEqual(parsed.from?.value, [{ address: 'desk@example.test', name: 'Suporte — Técnico "TI"' }]);
    assert.deepEqual((parsed.to as { value: unknown }).value, [
      { address: 'joao@example.test', name: 'João Muñoz, Jr.' },
    ]);
    assert.equal(parsed.subject, '[#7] Atualização: impressora não imprime Bcc: victim@example.test');
    assert.equal(parsed.text, text.replace(/\r\n/g, '\n'));
    assert.equal(parsed.html, html);
    assert.equal(parsed.messageId, m.messageId);
    assert.equal(parsed.inReplyTo, '<parley.ticket.7@example.test>');
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal((parsed.date as Date).toISOString(), '2026-11-22T10:00:00.000Z');
    assert.equal((parsed.replyTo as { value: { address: string }[] }).value[0]!.address, 'reply+1.2.abc@example.test');
  });

  it('carries attachments after the text and HTML: names with accents, long names and quotes, bytes exact', async () => {
    const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) % 256);
    const files = [
      { name: 'relatório de instalação — março.pdf', contentType: 'application/pdf', content: binary },
      {
        name: `${'a'.repeat(110)} "quoted"; x=1.txt`,
        contentType: 'text/plain',
        content: new TextEncoder().encode('linha 1\r\n.\r\nlinha 3'),
      },
      {
        name: 'evil\r\nContent-Type: text/html.html',
        contentType: 'text/html\r\nX-Injected: 1',
        content: new TextEncoder().encode('<b>x</b>'),
      },
    ];
    const m = mail(2, { text: 'See the attached files.', html: '<p>See the attached files.</p>', attachments: files });
    const raw = buildMimeMessage(m, new Date('2026-11-22T10:00:00Z'));
    const wire = raw.toString('latin1');
    assert.ok(
      wire.split('\r\n').every((line) => line.length <= 78),
      'no line over 78 characters',
    );
    assert.doesNotMatch(wire, /[^\r]\n|\r[^\n]/, 'CRLF line ends only');
    assert.doesNotMatch(wire, /^X-Injected:/im, 'a content type cannot add a header');
    assert.match(wire.slice(0, wire.indexOf('\r\n\r\n')), /^Content-Type: multipart\/mixed;/m);
    const parsed = await simpleParser(raw);
    assert.equal(parsed.text, 'See the attached files.');
    assert.equal(parsed.html, '<p>See the attached files.</p>');
    assert.deepEqual(
      parsed.attachments.map((a) => [a.filename, a.contentDisposition]),
      [
        [files[0]!.name, 'attachment'],
        [files[1]!.name, 'attachment'],
        ['evil Content-Type: text/html.html', 'attachment'],
      ],
    );
    assert.deepEqual(
      parsed.attachments.slice(0, 2).map((a) => a.contentType),
      ['application/pdf', 'text/plain'],
    );
    // A declared type that is not a plain type/subtype is sent as application/octet-stream (mailparser then guesses
    // from the extension, which is its own business).
    assert.match(
      wire.replace(/\r\n[ \t]/g, ' '),
      /^Content-Type: application\/octet-stream; name="evil Content-Type:\s+text\/html\.html"\r$/m,
    );
    assert.deepEqual(new Uint8Array(parsed.attachments[0]!.content), binary);
    assert.equal(parsed.attachments[1]!.content.toString('utf8'), 'linha 1\r\n.\r\nlinha 3');
  });

  it('an attachment travels through the SMTP session unchanged (dot-stuffing undone by the server)', async () => {
    await withPool({ maxConnections: 1 }, async (pool, sink) => {
      const content = new TextEncoder().encode('.\r\n..\r\n.leading dot\r\n');
      await send(pool, mail(3, { attachments: [{ name: 'dots.txt', contentType: 'text/plain', content }] }));
      const parsed = await simpleParser(sink.accepted[0]!.raw);
      assert.equal(parsed.attachments.length, 1);
      assert.deepEqual(new Uint8Array(parsed.attachments[0]!.content), content);
    });
  });
});
