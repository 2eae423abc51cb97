import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copiesRule, mailCopyCandidates, namesOthers } from './copies-from-mail.ts';
import { MAX_COPIES } from '../tickets/set-ticket-copies.ts';

const own = {
  mailDomain: 'desk.example.test',
  supportAddress: 'Desk@Example.test',
  ownRecipients: ['help@other.example', '@inbox.example'],
};
const mail = (to: string[], cc: string[] = []) => ({
  to: to.map((address) => ({ address, name: '' })),
  cc: cc.map((address) => ({ address, name: address.startsWith('c') ? 'Carla C' : '' })),
});
const emails = (list: { email: string }[]) => list.map((c) => c.email);

describe('who in a requester’s To and Cc becomes a copy (parameter 9036)', () => {
  const m = mail(
    ['desk@example.test', 'Reply+7.3.abc@desk.example.test', 'carla@example.test'],
    [
      'otto@outside.example',
      'REQ@example.test',
      'help@other.example',
      'x@inbox.example',
      'carla@example.test',
      'not an address',
    ],
  );

  it('same-domain: the requester’s domain only, never the requester, never ours, once each', () => {
    const found = mailCopyCandidates(m, 'req@example.test', 'same-domain', own);
    assert.deepEqual(emails(found), ['carla@example.test']);
  });

  it('anyone: every other person, still never ours nor the requester', () => {
    assert.deepEqual(emails(mailCopyCandidates(m, 'req@example.test', 'anyone', own)), [
      'carla@example.test',
      'otto@outside.example',
    ]);
  });

  it('never: no one', () => {
    assert.deepEqual(mailCopyCandidates(m, 'req@example.test', 'never', own), []);
  });

  it('keeps the name the mail gives, and at most MAX_COPIES', () => {
    const many = mail(
      [],
      Array.from({ length: MAX_COPIES + 5 }, (_, i) => `c${i}@example.test`),
    );
    const found = mailCopyCandidates(many, 'req@example.test', 'anyone', own);
    assert.equal(found.length, MAX_COPIES);
    assert.equal(found[0]!.name, 'Carla C');
  });

  it('reads the parameter, an unknown value as the default (same-domain)', () => {
    assert.equal(copiesRule('anyone'), 'anyone');
    assert.equal(copiesRule('never'), 'never');
    assert.equal(copiesRule(undefined), 'same-domain');
    assert.equal(copiesRule('everyone'), 'same-domain');
  });
});

describe('whether a mail names anyone who could become a copy', () => {
  it('is false for a reply to our addresses alone (with the requester among them), true when it names another', () => {
    const reply = mail(['reply+12.34.abc@desk.example.test'], ['Ana@Example.org']);
    assert.equal(namesOthers(reply, 'ana@example.org', 'DESK.example.test'), false);
    assert.equal(
      namesOthers(mail(['support@desk.example.test'], ['bo@example.org']), 'ana@example.org', 'desk.example.test'),
      true,
    );
    assert.equal(
      namesOthers(mail(['reply+1@desk.example.test', 'it@other.test']), 'ana@example.org', 'desk.example.test'),
      true,
    );
  });
});
