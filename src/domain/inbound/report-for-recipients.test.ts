import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bouncedCopiesOnly, reportForRecipients } from './bounce-check.ts';
import type { DeliveryReport } from './mail-facts.ts';

const block = (recipient: string | null, originalRecipient: string | null, diagnostic: string | null = null) => ({
  recipient,
  originalRecipient,
  action: 'failed',
  status: '5.1.1',
  diagnostic,
});

const REPORT: DeliveryReport = {
  originalMessageIds: ['<parley.7.x@desk.example.test>'],
  recipients: [
    block('nina@partner.example', 'nina@partner.example'),
    block(null, null, 'smtp; 550 5.1.1 <nina@partner.example>: no such user'),
    block('joao@forward.example', 'Joao@Example.org'),
    block('<otto@partner.example>', null),
  ],
};
const COPY_FORWARDED: DeliveryReport = {
  originalMessageIds: [],
  recipients: [block('otto@forward.example', 'otto@partner.example')],
};
const ENTRY = {
  toAddress: 'joao@example.org',
  cc: [{ name: 'Otto', address: 'otto@partner.example' }],
};

describe('reportForRecipients: a report about a mail whose Cc lost an erased person names only its recipients now', () => {
  it('leaves out a recipient it no longer has and a block naming no one; keeps its To by the original recipient', () => {
    const { report, dropped } = reportForRecipients(REPORT, { ...ENTRY, ccErasedAt: '2026-12-06T10:00:00.000Z' });
    // The forwarded To is named as the address the mail went to (what marking and describing read).
    assert.deepEqual(
      report.recipients.map((r) => r.recipient),
      ['Joao@Example.org', '<otto@partner.example>'],
    );
    assert.equal(dropped, 2);
    assert.deepEqual(report.originalMessageIds, REPORT.originalMessageIds);
  });

  it('reads a block by the address the mail went to: a forward from an erased person to the To is theirs', () => {
    const fromErased: DeliveryReport = {
      originalMessageIds: [],
      recipients: [block('joao@example.org', 'nina@partner.example', 'smtp; 550 <joao@example.org>')],
    };
    const { report, dropped } = reportForRecipients(fromErased, { ...ENTRY, ccErasedAt: '2026-12-06T10:00:00.000Z' });
    assert.deepEqual([report.recipients, dropped], [[], 1]);
  });

  it('leaves out the diagnostic of a forwarded block: it names where the mail was forwarded', () => {
    const forwarded: DeliveryReport = {
      originalMessageIds: [],
      recipients: [block('joao@forward.example', 'joao@example.org', 'smtp; 550 <joao@forward.example>')],
    };
    const { report } = reportForRecipients(forwarded, { ...ENTRY, ccErasedAt: '2026-12-06T10:00:00.000Z' });
    assert.deepEqual(
      report.recipients.map((r) => [r.recipient, r.diagnostic]),
      [['joao@example.org', null]],
    );
  });

  it('reads a failure for a forwarded copy as one for that copy: the mail reached its recipient', () => {
    const { report } = reportForRecipients(COPY_FORWARDED, { ...ENTRY, ccErasedAt: '2026-12-06T10:00:00.000Z' });
    assert.deepEqual(bouncedCopiesOnly(report, ENTRY), ['otto@partner.example']);
  });

  it('leaves a report about a mail no erasure touched as it is', () => {
    assert.deepEqual(reportForRecipients(REPORT, { ...ENTRY, ccErasedAt: null }), { report: REPORT, dropped: 0 });
  });
});
