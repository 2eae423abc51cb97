import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractReply } from './reply-text.ts';

const QUOTE = '\n\nOn Tue, Jun 4, 2024 at 9:15 AM Bruno <bruno@example.org> wrote:\n\n> Hi,\n> is the server up?\n';

describe('extractReply: mobile taglines in 25 languages', () => {
  const taglines = [
    'أُرسلت من الـ iPhone',
    '发自我的iPhone',
    '發自我的 iPhone',
    'Odesláno z iPhonu',
    'Sendt fra min iPhone',
    'Verstuurd vanaf mijn iPhone',
    'Lähetetty iPhonesta',
    'Envoyé de mon iPhone',
    'Von meinem iPhone gesendet',
    'Εστάλη από το iPhone μου',
    'נשלח מה-iPhone שלי',
    'iPhone-ról küldve',
    'Inviato da iPhone',
    'iPhoneから送信',
    '나의 iPhone에서 보냄',
    'Sendt fra min iPhone',
    "Wysłane z iPhone'a",
    'Enviado do meu iPhone',
    'Trimis de pe iPhone-ul meu',
    'Отправлено с iPhone',
    'Enviado desde mi iPhone',
    'Skickat från min iPhone',
    "iPhone'umdan gönderildi",
    'Надіслано з iPhone',
    'Được gửi từ iPhone của tôi',
    'Sent from my Galaxy',
    'Outlook für Android herunterladen',
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
    'Отправлено из мобильной Почты Mail.ru',
    'Enviado desde mi móvil',
    'Sent from my Android device with K-9 Mail. Please excuse my brevity.',
    'Sent with BlueMail',
  ];
  for (const tagline of taglines) {
    it(`removes "${tagline}" and the quote after it`, () => {
      const r = extractReply({ text: `Done.\n\n${tagline}${QUOTE}` });
      assert.equal(r.text, 'Done.');
      assert.ok(r.trimmed?.includes(tagline.slice(0, 6)));
    });
  }

  it('keeps a sentence that mentions a phone, and a tagline that is the whole message', () => {
    const sentence = 'The photo was sent from my iPhone, but it never arrived.';
    assert.equal(extractReply({ text: `${sentence}\n\nEmma` }).text, `${sentence}\n\nEmma`);
    assert.equal(extractReply({ text: 'My iPhone photo was never sent' }).text, 'My iPhone photo was never sent');
    assert.equal(extractReply({ text: 'iPhoneから送信' }).text, 'iPhoneから送信');
    const nine = 'Sent it from my iPhone to the office printer\n\nNothing came out.';
    assert.equal(extractReply({ text: `${nine}${QUOTE}` }).text, nine);
  });
});

describe('extractReply: external-sender banners', () => {
  const banners = [
    'CAUTION: This email originated from outside of the organization. Do not click links or open attachments unless you recognize the sender.',
    'EXTERNAL EMAIL: This message originated from outside your organization.',
    '[EXTERNAL]',
    '[External]',
    '[EXTERNO]',
    "You don't often get email from bruno@example.org. Learn why this is important",
    'ATENÇÃO: Este e-mail foi enviado de fora da organização. Não clique em links.',
    'ACHTUNG: Diese E-Mail stammt von außerhalb der Organisation.',
  ];
  for (const banner of banners) {
    it(`removes "${banner.slice(0, 40)}" above the reply, and returns it as trimmed`, () => {
      const r = extractReply({ text: `${banner}\n\nIt works now.\n\nEmma${QUOTE}` });
      assert.equal(r.text, 'It works now.\n\nEmma');
      assert.ok(r.trimmed?.startsWith(banner.slice(0, 10)));
    });
  }

  it('removes a tag in front of the first words', () => {
    const r = extractReply({ text: `[EXTERNE] C'est réglé.\n\nClaire${QUOTE}` });
    assert.equal(r.text, "C'est réglé.\n\nClaire");
    assert.ok(r.trimmed?.startsWith('[EXTERNE]'));
  });

  it('removes a tag and the banner text after it on the same line', () => {
    const r = extractReply({ text: `[外部] このメールは組織外から送信されました。\n\n解決しました。${QUOTE}` });
    assert.equal(r.text, '解決しました。');
  });

  it('keeps the message when it is only a banner, or merely mentions the words', () => {
    assert.equal(extractReply({ text: '[EXTERNAL]' }).text, '[EXTERNAL]');
    const topic = 'Since this morning we cannot receive external email from outside the organization.\n\nEmma';
    assert.equal(extractReply({ text: `${topic}${QUOTE}` }).text, topic);
    const text = 'Caution: the floor near the printer is wet.\n\nThe external monitor is off too.';
    assert.equal(extractReply({ text }).text, text);
  });

  it('ends an HTML banner at its sentence when the reply follows without a gap (Outlook paragraphs)', () => {
    const html =
      '<table><tr><td><p class=MsoNormal>CAUTION: This email originated from outside of the organization.</p></td></tr></table>' +
      '<p class=MsoNormal>It works now.</p><p class=MsoNormal>Emma</p>';
    assert.equal(extractReply({ html }).text, 'It works now.\nEmma');
  });
});

describe('extractReply: confidentiality disclaimers', () => {
  const disclaimers = [
    'CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the sole use of the intended recipient(s) and may contain confidential information.',
    'Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Empfänger sind, informieren Sie bitte den Absender.',
    'AVISO DE CONFIDENCIALIDAD: Este mensaje es confidencial y está dirigido exclusivamente a su destinatario.',
    'Ce message et ses pièces jointes sont confidentiels et destinés exclusivement au destinataire.',
  ];
  for (const disclaimer of disclaimers) {
    it(`removes "${disclaimer.slice(0, 40)}" below the reply`, () => {
      const r = extractReply({ text: `It works now.\n\nEmma\n\n${disclaimer}${QUOTE}` });
      assert.equal(r.text, 'It works now.\n\nEmma');
      assert.ok(r.trimmed?.startsWith(disclaimer.slice(0, 20)));
    });
  }

  it('removes a disclaimer at the end of a mail without a quote', () => {
    const r = extractReply({ text: `It works now.\n\n${disclaimers[0]}` });
    assert.equal(r.text, 'It works now.');
  });

  it('keeps a paragraph with the words of a disclaimer when the writer goes on after it', () => {
    const text =
      'Please send me the contract.\n\nThe document is confidential; the intended recipient is the finance team, ' +
      'please forward it only to them.\n\nThanks,\nEmma';
    assert.equal(extractReply({ text: `${text}${QUOTE}` }).text, text);
  });

  it('keeps a paragraph that names one term, and a message that starts like a disclaimer', () => {
    const one = 'Please treat the attached salary list as confidential, it must not leave the finance team at all.';
    assert.equal(extractReply({ text: `Hello,\n\n${one}` }).text, `Hello,\n\n${one}`);
    assert.equal(extractReply({ text: disclaimers[0]! }).text, disclaimers[0]);
  });
});

describe('extractReply: forwarded content inside a quote', () => {
  it('removes a quoted forward introduced with a colon (separator or header block)', () => {
    const fwd =
      '\n\n> ---------- Forwarded message ---------\n> From: A <a@example.org>\n> Date: Tue, Jun 4, 2024\n>\n> Shipped.\n';
    assert.equal(extractReply({ text: `See below:${fwd}` }).text, 'See below:');
    const headers = '\n\n> From: A <a@example.org>\n> Sent: Tuesday\n> To: B\n> Subject: Order\n>\n> Shipped.\n';
    assert.equal(extractReply({ text: `See below:${headers}` }).text, 'See below:');
  });

  it('keeps a quoted log introduced with a colon', () => {
    const text = 'The console shows:\n\n> error: disk full\n> at 10:02\n\nWhat now?';
    assert.equal(extractReply({ text }).text, text);
  });
});

describe('extractReply: HTML structure in any language', () => {
  const box = (rows: string): string =>
    `<p class=MsoNormal>Sudah beres.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class=MsoNormal>${rows}</p></div><p class=MsoNormal>Halo</p>`;

  it("cuts at Outlook's border-top box when a header block follows, whatever its keys", () => {
    const r = extractReply({
      html: box(
        '<b>Dari:</b> Bruno &lt;b@example.org&gt;<br><b>Dikirim:</b> 4 Juni 2024 09.15<br><b>Kepada:</b> Support<br><b>Perihal:</b> Server',
      ),
    });
    assert.equal(r.text, 'Sudah beres.');
  });

  it('keeps what follows a border-top box that holds no header block', () => {
    assert.equal(extractReply({ html: box('A note in a box') }).text, 'Sudah beres.\nA note in a box\nHalo');
  });

  it("cuts at the line before Apple's blockquote type=cite when it ends with a colon and holds a time", () => {
    const html =
      '<div>Feito.</div><div><br></div><div>Ontem às 10:02, Bruno &lt;b@example.org&gt; disse:</div><blockquote type="cite"><div>Oi</div></blockquote>';
    assert.equal(extractReply({ html }).text, 'Feito.');
  });

  it('keeps a quoted log that a colon line without a time introduces', () => {
    const html =
      '<div>The console shows:</div><blockquote type="cite"><div>error: disk full</div></blockquote><div>What now?</div>';
    assert.equal(extractReply({ html }).text, 'The console shows:\n> error: disk full\nWhat now?');
  });
});
