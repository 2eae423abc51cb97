import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '../../../domain/templates/render-template.ts';
import {
  jsonNamesAddress,
  namesAddress,
  quotesPerson,
  replaceAddresses,
  senderHeadersName,
  valueNamesAddress,
} from './erasure-text.ts';

const mail = (text: string, html = '', subject = 'Ticket #7') => ({ subject, text, html });

describe('quotesPerson: a mail quotes the erased person when one of its history lines is theirs', () => {
  it('finds their history line in the text, the HTML (escaped) or the subject', () => {
    const text = 'On it.\n\nEarlier messages\n\nAna Souza – 03/12/2026 10:00\nMy locker code is 48213.';
    assert.equal(quotesPerson(mail(text), ['Ana Souza']), true);
    const name = 'Siobhán O’Brien & "Co" <x>';
    const html = `<p>Done.</p><div>Earlier messages<br>\n<br>\n${escapeHtml(name)} – 03/12/2026 10:00<br>\nHi</div>`;
    assert.equal(quotesPerson(mail('Done.', html), [name]), true);
    assert.equal(quotesPerson(mail('x', '', `Re: ${'Ana Souza'} – 03/12`), ['Ana Souza']), true);
  });

  it('leaves alone a longer name that ends with theirs, a greeting, and a name never given', () => {
    assert.equal(quotesPerson(mail('Earlier messages\n\nBanana Souza – 03/12/2026\nHello'), ['Ana Souza']), false);
    assert.equal(quotesPerson(mail('Hi Ana Souza, we fixed it.'), ['Ana Souza']), false);
    assert.equal(quotesPerson(mail('Earlier messages\n\nAna Souza – 03/12'), ['  ', '']), false);
  });

  it('knows them by an earlier name too', () => {
    assert.equal(
      quotesPerson(mail('Earlier messages\n\nAna Lima – 01/12/2026\nHello'), ['Ana Souza', 'Ana Lima']),
      true,
    );
  });
});

describe('replaceAddresses: a server’s reply that names the erased person names the pseudonym instead', () => {
  it('replaces each whole mention, in any case, and leaves a longer address that contains it', () => {
    const reply = '250 OK (refused: Nina@Partner.example: 550 5.1.1 <nina@partner.example>: no such user)';
    assert.equal(
      replaceAddresses(reply, ['nina@partner.example'], 'erased-7@erased.invalid'),
      '250 OK (refused: erased-7@erased.invalid: 550 5.1.1 <erased-7@erased.invalid>: no such user)',
    );
    const others = 'refused: anina@partner.example, nina@partner.example.org, nina@partner.example-x.net';
    assert.equal(replaceAddresses(others, ['nina@partner.example'], 'erased-7@erased.invalid'), others);
    assert.equal(
      replaceAddresses('a+b@x.example. Done', ['a+b@x.example'], 'z@erased.invalid'),
      'z@erased.invalid. Done',
    );
  });

  it('finds it quoted, after a field name, or beside letters beyond ASCII', () => {
    const by = 'erased-7@erased.invalid';
    const quoted =
      "to=<nina@partner.example>, 'nina@partner.example', rfc822;nina@partner.example, to=nina@partner.example";
    assert.equal(replaceAddresses(quoted, ['nina@partner.example'], by), `to=<${by}>, '${by}', rfc822;${by}, to=${by}`);
    for (const text of ['邮箱nina@partner.example。', 'nina@partner.example님에게', 'メールnina@partner.exampleに送信'])
      assert.equal(namesAddress(text, ['nina@partner.example']), true, text);
    assert.equal(replaceAddresses('邮箱nina@partner.example。', ['nina@partner.example'], by), `邮箱${by}。`);
    assert.equal(namesAddress("'nina@partner.example'", ['nina@partner.example']), true);
  });
});

describe('jsonNamesAddress: an address in a JSON text is found in its strings, not in the escaped text', () => {
  const nina = ['nina@partner.example'];
  it('finds it after a line break or a tab, which JSON writes as a backslash and a letter', () => {
    for (const text of [
      'Dear team,\nnina@partner.example',
      'from:\tnina@partner.example',
      '\u0001nina@partner.example',
    ]) {
      const json = JSON.stringify({ event: 'inbound.held', mail: { subject: text } });
      assert.equal(namesAddress(json, nina), false, `the escaped text hides it: ${json}`);
      assert.equal(jsonNamesAddress(json, nina), true, json);
    }
    assert.equal(valueNamesAddress({ field: 'note', after: ['x', 'a\nnina@partner.example'] }, nina), true);
    assert.equal(valueNamesAddress({ 'nina@partner.example': 1 }, nina), true);
  });

  it('leaves a longer address alone, and reads a text that is not JSON as it is', () => {
    assert.equal(jsonNamesAddress(JSON.stringify({ to: 'anina@partner.example\n' }), nina), false);
    assert.equal(valueNamesAddress({ n: 1, b: true, z: null }, nina), false);
    assert.equal(jsonNamesAddress('{not json nina@partner.example', nina), true);
  });
});

describe('senderHeadersName: a mail not read yet is theirs when a sender header of its original names them', () => {
  const them = ['nina@partner.example'];
  it('reads From, Sender, Reply-To and Return-Path, in any case, folded or not', () => {
    assert.equal(senderHeadersName('From: "Nina" <Nina@Partner.example>\r\nTo: desk@x\r\n\r\nHi', them), true);
    assert.equal(
      senderHeadersName('From: list@x\r\nSENDER:\r\n "Nina"\r\n\t<nina@partner.example>\r\n\r\n', them),
      true,
    );
    assert.equal(senderHeadersName('From: list@x\nReply-To: a@x, nina@partner.example\n\nHi', them), true);
    assert.equal(senderHeadersName('Return-Path: <nina@partner.example>\r\nFrom: x@y\r\n\r\n', them), true);
  });

  it('leaves alone the body, other headers and a longer address', () => {
    const mail =
      'From: a@x\r\nTo: nina@partner.example\r\nSubject: nina@partner.example\r\n\r\nFrom: nina@partner.example';
    assert.equal(senderHeadersName(mail, them), false);
    assert.equal(senderHeadersName('From: anina@partner.example.org\r\n\r\n', them), false);
    assert.equal(senderHeadersName('X-Original-From: nina@partner.example\r\n\r\n', them), false);
  });
});
