import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultParts, topTrustedDmarc } from './mailauth-sender-verifier.ts';

const TRUSTED = new Set(['mx.trusted.test']);
const mail = (...results: string[]) =>
  new TextEncoder().encode(
    `${results.map((r) => `Authentication-Results: ${r}\r\n`).join('')}From: req.a@victim.example\r\n\r\nHello`,
  );
const dmarcOf = (...results: string[]) => {
  const found = topTrustedDmarc(mail(...results), TRUSTED);
  return found && { result: found.result, headerFrom: found.headerFrom };
};

describe('the trusted server’s DMARC result, read as RFC 8601 writes it', () => {
  it('reads the result and header.from among comments, versions, other methods and values with "="', () => {
    const header =
      'mx.trusted.test 1; spf=pass smtp.mailfrom=a@b.example (a comment; with a semicolon); ' +
      'dkim=pass header.d=x.example header.b=AbC+/=; dmarc=pass (p=none dis=none) header.from=Victim.Example';
    assert.deepEqual(dmarcOf(header), { result: 'pass', headerFrom: 'victim.example' });
    assert.deepEqual(dmarcOf('"mx.trusted.test"; dmarc=fail reason="p=reject; no" header.from="victim.example"'), {
      result: 'fail',
      headerFrom: 'victim.example',
    });
  });

  it('takes no result out of a quoted value a sender chose, whatever it holds', () => {
    // A quoted local part of the envelope sender, copied into the header as the standard allows.
    const smuggled = 'mx.trusted.test; spf=pass smtp.mailfrom="x;dmarc=pass header.from=victim.example"@evil.example';
    assert.deepEqual(dmarcOf(`${smuggled}; dmarc=fail header.from=victim.example`), {
      result: 'fail',
      headerFrom: 'victim.example',
    });
    assert.equal(dmarcOf(smuggled), undefined, 'no DMARC result: Parley checks the mail itself');
    // A parenthesis inside a quoted value starts no comment that would hide the real result.
    const paren = 'mx.trusted.test; spf=pass smtp.mailfrom="a("@evil.example; dmarc=fail header.from=victim.example';
    assert.deepEqual(dmarcOf(paren), { result: 'fail', headerFrom: 'victim.example' });
    // header.from is the property's own, not text inside another property's quoted value.
    const inside = 'mx.trusted.test; dmarc=pass smtp.mailfrom="x header.from=victim.example" header.from=evil.example';
    assert.deepEqual(dmarcOf(inside), { result: 'pass', headerFrom: 'evil.example' });
    assert.deepEqual(resultParts('id; a="x;y" (c;d) b=1'), ['id', ' a="x;y"  b=1']);
  });

  it('believes the topmost header only, and only under a trusted authserv-id', () => {
    assert.equal(
      dmarcOf(
        'mx.trusted.test; spf=none smtp.mailfrom=evil.example',
        'mx.trusted.test; dmarc=pass header.from=victim.example',
      ),
      undefined,
    );
    assert.equal(dmarcOf('mx.other.test; dmarc=pass header.from=victim.example'), undefined);
  });
});
