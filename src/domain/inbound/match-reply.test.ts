import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedMail } from '../../ports/inbound.ts';
import type { Signer } from '../../ports/signer.ts';
import { replyAddress } from '../notifications/reply-address.ts';
import type { Actor } from '../users/user.ts';
import { matchReply } from './match-reply.ts';

/** A stand-in for the HMAC signer: deterministic, keyed by a fixed word. */
const signer: Signer = {
  sign: (data) =>
    [...`k:${data}`]
      .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
      .toString(16)
      .padStart(8, '0'),
};
const site = { publicUrl: 'https://desk.example.test', mailDomain: 'desk.example.test' };
const storage = { outbox: { outboxByMessageIds: async () => [] } };
const deps = { signer, site, storage } as unknown as Parameters<typeof matchReply>[0];

const parsed = (to: string[]): ParsedMail =>
  ({
    messageId: null,
    inReplyTo: [],
    references: [],
    from: [],
    replyTo: [],
    to: to.map((address) => ({ address, name: '' })),
    cc: [],
    subject: 'Re: hello',
    text: 'hi',
    html: null,
    header: () => [],
  }) as unknown as ParsedMail;
const person = (id: number) => ({ id }) as Actor;

describe('a reply address given to another person (reply-all)', () => {
  const requesters = replyAddress(signer, site.mailDomain, 42, 7);

  it('matches the ticket, marked othersToken, when the known sender is not the person it was given to', async () => {
    const match = await matchReply(deps, parsed([requesters]), [], person(9));
    assert.deepEqual(match, { kind: 'ticket', ticketNumber: 42, via: 'token', othersToken: true });
  });

  it('is not marked for the person it was given to, nor for an unknown sender (held by the caller anyway)', async () => {
    assert.deepEqual(await matchReply(deps, parsed([requesters]), [], person(7)), {
      kind: 'ticket',
      ticketNumber: 42,
      via: 'token',
    });
    assert.deepEqual(await matchReply(deps, parsed([requesters]), [], undefined), {
      kind: 'ticket',
      ticketNumber: 42,
      via: 'token',
    });
  });

  it('still refuses an altered address, and two tickets', async () => {
    const altered = requesters.replace(/\.(\w+)@/, '.0$1@');
    assert.equal((await matchReply(deps, parsed([altered]), [], person(9))).kind, 'refuse');
    const other = replyAddress(signer, site.mailDomain, 43, 9);
    const both = await matchReply(deps, parsed([requesters, other]), [], person(9));
    assert.deepEqual([both.kind, both.kind === 'refuse' && both.reason], ['refuse', 'conflicting-tickets']);
  });
});
