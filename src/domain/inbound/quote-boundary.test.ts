import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractReply } from './reply-text.ts';

const QUOTE = '> Hello Ana,\n>\n> Could you restart the printer?\n>\n> --\n> Parley Service Desk\n';

describe('extractReply: attribution lines', () => {
  const lines = [
    'On Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:',
    'Em seg., 3 de jun. de 2024 às 10:02, Ana <ana@x.com> escreveu:',
    'El lun, 3 jun 2024 a las 10:02, Ana (<ana@x.com>) escribió:',
    'Am 03.06.2024 um 10:02 schrieb Ana:',
    'Am Mo., 3. Juni 2024 um 10:02 Uhr schrieb Ana <ana@x.com>:',
    'Le lun. 3 juin 2024 à 10:02, Ana <ana@x.com> a écrit :',
    'Le lun. 3 juin 2024 à 10:02, Ana <ana@x.com> a\u00a0écrit\u00a0:',
    'Il giorno lun 3 giu 2024 alle ore 10:02 Ana <ana@x.com> ha scritto:',
    'Op ma 3 jun 2024 om 10:02 schreef Ana <ana@x.com>:',
    'Op 3 jun 2024 om 10:02 heeft Ana <ana@x.com> het volgende geschreven:',
    'Den mån 3 juni 2024 kl 10:02 skrev Ana <ana@x.com>:',
    'pon., 3 cze 2024 o 10:02 Ana <ana@x.com> napisał(a):',
    '2024年6月3日(月) 10:02 Ana <ana@x.com>:',
    'On 03/06/2024 10:02, Ana wrote:',
    'Ana wrote:',
    // Languages of reply-languages.ts, with other scripts' digits and Gmail's bidirectional marks.
    'Ana <ana@x.com> 于2024年6月3日周一 10:02写道：',
    'út 3. 6. 2024 v 10:02 odesílatel Ana <ana@x.com> napsal:',
    'Στις Δευ 3 Ιουν 2024 στις 10:02, ο/η Ana <ana@x.com> έγραψε:',
    '\u202bבתאריך יום ב׳, 3 ביוני 2024 ב-10:02 מאת \u202aAna\u202c\u200f <\u202aana@x.com\u202c\u200f>:\u202c',
    'في ٣ يونيو ٢٠٢٤، الساعة ١٠:٠٢ ص، كتب Ana <ana@x.com>:',
    'Ana <ana@x.com> ezt írta (időpont: 2024. jún. 3., H, 10:02):',
    '2024년 6월 3일 (월) 오전 10:02, Ana <ana@x.com>님이 작성:',
    'Pe lun., 3 iun. 2024 la 10:02, Ana <ana@x.com> a scris:',
    'пн, 3 черв. 2024 р. о 10:02 Ana <ana@x.com> пише:',
    '03.06.2024 10:02, Ana пишет:',
    'Ana <ana@x.com>, 3 Haz 2024 Pzt, 10:02 tarihinde şunu yazdı:',
    'Vào Th 2, 3 thg 6, 2024 vào lúc 10:02 Ana <ana@x.com> đã viết:',
    'Wiadomość napisana przez Ana <ana@x.com> w dniu 03.06.2024, o godz. 10:02:',
    'Ana <ana@x.com> a écrit le 03/06/2024 10:02:00 :',
    'Ana писал 2024-06-03 10:02:',
  ];
  for (const line of lines) {
    it(`cuts at "${line}"`, () => {
      const r = extractReply({ text: `Thanks, done.\n\n${line}\n${QUOTE}` });
      assert.equal(r.text, 'Thanks, done.');
      assert.ok(r.trimmed?.startsWith(line.trimEnd()), r.trimmed ?? 'null');
    });
  }

  it('re-joins an attribution the client wrapped over two or three lines', () => {
    const two = extractReply({
      text: `Done.\n\nOn Mon, Jun 3, 2024 at 10:02 AM Parley Service Desk <support@parley.example>\nwrote:\n\n${QUOTE}`,
    });
    assert.equal(two.text, 'Done.');
    assert.ok(two.trimmed?.startsWith('On Mon'));
    const three = extractReply({
      text: `Done.\n\nEm seg., 3 de jun. de 2024 às 10:02, Suporte da Empresa XYZ Ltda. via\nParley <\nreply+abc123@parley.example> escreveu:\n\n${QUOTE}`,
    });
    assert.equal(three.text, 'Done.');
    assert.ok(three.trimmed?.startsWith('Em seg.'));
  });

  it('takes the whole wrapped paragraph when its date is on a middle line', () => {
    const r = extractReply({
      text: `Done.\n\nAna Maria Souza (Support)\n<ana@x.com>, 3 Haz 2024 Pzt, 10:02 tarihinde şunu\nyazdı:\n\n${QUOTE}`,
    });
    assert.equal(r.text, 'Done.');
    assert.ok(r.trimmed?.startsWith('Ana Maria'));
  });

  it('does not take the line above a wrapped attribution when it is part of the reply', () => {
    const r = extractReply({ text: `See you on Monday.\nParley Service Desk wrote:\n${QUOTE}` });
    assert.equal(r.text, 'See you on Monday.');
  });
});

describe('extractReply: Outlook header blocks and separators', () => {
  const blocks: [string, string][] = [
    [
      'en',
      'From: Parley <s@p.example>\nSent: Monday, June 3, 2024 10:02 AM\nTo: Ana <ana@x.com>\nSubject: RE: [#1] Printer',
    ],
    [
      'pt',
      'De: Parley <s@p.example>\nEnviado: segunda-feira, 3 de junho de 2024 10:02\nPara: Ana <ana@x.com>\nAssunto: RE: [#1] Impressora',
    ],
    [
      'es',
      'De: Parley <s@p.example>\nEnviado el: lunes, 3 de junio de 2024 10:02\nPara: Ana <ana@x.com>\nAsunto: RE: [#1] Impresora',
    ],
    [
      'de',
      'Von: Parley <s@p.example>\nGesendet: Montag, 3. Juni 2024 10:02\nAn: Ana <ana@x.com>\nBetreff: AW: [#1] Drucker',
    ],
    [
      'fr',
      'De\u00a0: Parley <s@p.example>\nEnvoyé\u00a0: lundi 3 juin 2024 10:02\nÀ\u00a0: Ana <ana@x.com>\nObjet\u00a0: RE: [#1] Imprimante',
    ],
    [
      'it',
      'Da: Parley <s@p.example>\nInviato: lunedì 3 giugno 2024 10:02\nA: Ana <ana@x.com>\nOggetto: R: [#1] Stampante',
    ],
    [
      'nl',
      'Van: Parley <s@p.example>\nVerzonden: maandag 3 juni 2024 10:02\nAan: Ana <ana@x.com>\nOnderwerp: RE: [#1] Printer',
    ],
    ['separator', '-----Original Message-----\nthe original'],
    [
      'owa rule',
      '________________________________\nFrom: Parley <s@p.example>\nSent: Monday, June 3, 2024 10:02 AM\nTo: Ana <ana@x.com>\nSubject: [#1] Printer',
    ],
    [
      'forward',
      '---------- Forwarded message ---------\nFrom: X <x@y.example>\nDate: Mon, Jun 3, 2024\nSubject: alert',
    ],
    ['forward pt', '---------- Mensagem encaminhada ---------\nDe: X <x@y.example>'],
    ['forward es', '---------- Mensaje reenviado ---------\nDe: X <x@y.example>'],
    ['forward de', '-------- Weitergeleitete Nachricht --------\nBetreff: alert'],
    ['forward fr', '---------- Message transféré ---------\nDe : X <x@y.example>'],
    ['forward apple', 'Begin forwarded message:\n\n> From: X <x@y.example>'],
  ];
  for (const [label, block] of blocks) {
    it(`cuts at the ${label} block`, () => {
      const r = extractReply({ text: `Thanks.\n\nAna\n\n${block}\n\nHello Ana,\nthe original text.\n` });
      assert.equal(r.text, 'Thanks.\n\nAna');
      assert.ok(r.trimmed?.startsWith(block.split('\n')[0]!.trim()), r.trimmed ?? 'null');
    });
  }
});

describe('extractReply: quotes', () => {
  it('cuts a > quote with no attribution, with blank lines before or inside it', () => {
    assert.equal(extractReply({ text: 'Yes.\n> Can we close it?\n' }).text, 'Yes.');
    assert.equal(extractReply({ text: 'Yes.\n\n\n> Can we close it?\n\n> Bruno\n\n' }).text, 'Yes.');
  });

  it('keeps the whole text when the reply is interleaved with the quote or written below it', () => {
    const interleaved =
      'On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n> Floor?\nThird.\n> Error code?\n49.4C02\n';
    const r = extractReply({ text: interleaved });
    assert.equal(r.text, interleaved.trimEnd());
    assert.equal(r.trimmed, null);
    const below = `On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n${QUOTE}\nRestarted it, same error.\n`;
    assert.equal(extractReply({ text: below }).text, below.trimEnd().replace('> --', '> --'));
  });

  it('keeps the original when the mail is only a quote', () => {
    const onlyQuote = `On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n${QUOTE}`;
    const r = extractReply({ text: onlyQuote });
    assert.equal(r.text, onlyQuote.trimEnd());
    assert.equal(r.trimmed, null);
  });

  it('keeps > lines that the message introduces with a colon (a quoted log)', () => {
    const text = 'The job prints this:\n\n> error: connection refused\n> retrying in 30s';
    assert.equal(extractReply({ text }).text, text);
  });

  it('keeps "From:" inside the message when no header block follows', () => {
    const text = 'I read the guide.\nFrom: the manual says to restart the spooler.\nTo be sure I did it twice.';
    assert.equal(extractReply({ text }).text, text);
  });

  it('treats a quoted line that lost its > when the client re-wrapped it as part of the quote', () => {
    const wrapped =
      'Thanks.\n\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> Could you please restart the printer on the third floor and check the\ntray?\n> Bruno\n';
    // "tray?" starts in lower case and follows a quoted line as long as a wrapped one: a continuation.
    assert.equal(extractReply({ text: wrapped }).text, 'Thanks.');
    const link =
      'Thanks.\n\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> See the page\n(https://e.example/kb/12) >\n> Bruno\n';
    assert.equal(extractReply({ text: link }).text, 'Thanks.');
    // An answer between short quoted lines is not a continuation: the whole message stays.
    const answer = 'On Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> Which floor?\nthird\n> Bruno\n';
    assert.equal(extractReply({ text: answer }).text, answer.trimEnd());
  });

  it('cuts at a header block whose Date: line comes before From:, and at one squeezed on one line', () => {
    assert.equal(
      extractReply({
        text: 'Done.\nDate: Fri, 28 Sep 2012 10:55\nFrom: t@e.example\nTo: b@e.example\nSubject: Hi\n\nold',
      }).text,
      'Done.',
    );
    assert.equal(
      extractReply({ text: 'Done.\n\nDate: Tue, 2 Oct 2012 02:35 From: j@e.example To: Shelly Subject: Hi\n\nold' })
        .text,
      'Done.',
    );
  });

  it('cuts at "-----X Message-----" separators and at an attribution set between rules', () => {
    assert.equal(extractReply({ text: 'Done.\n\n-----Reply Message-----\n\nold' }).text, 'Done.');
    assert.equal(
      extractReply({ text: 'Done.\n\n---- On Wed, 24 Feb 2021 14:02:50 +0530 Ana wrote ----\n\nold' }).text,
      'Done.',
    );
    // Separators of the language tables, Zimbra's among them.
    for (const sep of ['----- Ursprüngliche Mail -----', '----- Mail original -----', '-----Αρχικό μήνυμα-----']) {
      assert.equal(extractReply({ text: `Done.\n\n${sep}\nold` }).text, 'Done.', sep);
    }
    // A ruled heading of the message itself is not a separator.
    const heading = 'Notes:\n\n----- Summary -----\n\nAll fine.';
    assert.equal(extractReply({ text: heading }).text, heading);
  });

  it('accepts CRLF and CR line endings', () => {
    const r = extractReply({
      text: 'Fixed, thanks.\r\n\r\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\r\n> Hi\r\n',
    });
    assert.equal(r.text, 'Fixed, thanks.');
    assert.equal(extractReply({ text: 'Fixed.\r\rAna wrote:\r> Hi\r' }).text, 'Fixed.');
  });
});
