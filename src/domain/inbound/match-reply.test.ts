import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedMail } from '../../ports/inbound.ts';
import type { Signer } from '../../ports/signer.ts';
import { notificationMessageId, replyAddress } from '../notifications/reply-address.ts';
import type { Actor } from '../users/user.ts';
import { ticketInNotificationId } from './mail-facts.ts';
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

describe('a reply to a notification that also carries its signed reply address', () => {
  const address = replyAddress(signer, site.mailDomain, 42, 7);
  /** The outbox as a stand-in that records what it was asked and answers each id with the given ticket. */
  const outbox = (tickets: Record<string, number>) => {
    const asked: string[][] = [];
    const storage = {
      outbox: {
        outboxByMessageIds: async (ids: string[]) => {
          asked.push(ids);
          return ids.filter((id) => id in tickets).map((id) => ({ ticketId: tickets[id] }));
        },
      },
    };
    return { asked, deps: { signer, site, storage } as unknown as Parameters<typeof matchReply>[0] };
  };
  const replyTo = (ids: string[]): ParsedMail => ({ ...parsed([address]), inReplyTo: ids.slice(-1), references: ids });

  it('reads back the ticket number of every notification id this install writes, of its own domain only', () => {
    for (const closed of [false, true]) {
      const id = notificationMessageId(site.mailDomain, 2_147_483_647, 'u1.x-2', closed);
      assert.equal(ticketInNotificationId(id, site.mailDomain), 2_147_483_647, id);
      assert.equal(ticketInNotificationId(id, 'elsewhere.example'), undefined);
    }
    assert.equal(ticketInNotificationId('<parley.ticket.42@desk.example.test>', site.mailDomain), undefined);
    assert.equal(ticketInNotificationId('<parley.0.a@desk.example.test>', site.mailDomain), undefined);
  });

  it('is matched by the token without reading the outbox when the notification ids carry the same ticket', async () => {
    const ids = [
      notificationMessageId(site.mailDomain, 42, 'a1b2'),
      notificationMessageId(site.mailDomain, 42, 'c3d4', true),
    ];
    const { asked, deps } = outbox({ [ids[0]!]: 42 });
    assert.deepEqual(await matchReply(deps, replyTo(ids), [], person(7)), {
      kind: 'ticket',
      ticketNumber: 42,
      via: 'token',
    });
    assert.deepEqual(asked, []);
  });

  it("still refuses a thread id of another ticket, though the notification ids carry the token's", async () => {
    const { asked, deps } = outbox({});
    const ids = ['<parley.ticket.43@desk.example.test>', '<parley.42.a1b2@desk.example.test>'];
    const match = await matchReply(deps, replyTo(ids), [], person(7));
    assert.deepEqual([match.kind, match.kind === 'refuse' && match.reason], ['refuse', 'conflicting-tickets']);
    assert.deepEqual(asked, []);
  });

  it('reads the outbox when an id carries another ticket, and refuses a notification of another ticket', async () => {
    const other = '<parley.43.e5f6@desk.example.test>';
    const { asked, deps } = outbox({ [other]: 43 });
    const match = await matchReply(deps, replyTo(['<parley.42.a1b2@desk.example.test>', other]), [], person(7));
    assert.deepEqual([match.kind, match.kind === 'refuse' && match.reason], ['refuse', 'conflicting-tickets']);
    assert.equal(asked.length, 1);
  });

  it('reads the outbox for an id that carries no ticket number, and without a token', async () => {
    const odd = '<parley.digest.x9@desk.example.test>';
    const { asked, deps } = outbox({ [odd]: 42 });
    assert.equal((await matchReply(deps, replyTo([odd]), [], person(7))).kind, 'ticket');
    const bare = { ...replyTo(['<parley.42.a1b2@desk.example.test>']), to: [] };
    const byId = outbox({ '<parley.42.a1b2@desk.example.test>': 42 });
    assert.deepEqual(await matchReply(byId.deps, bare, [], person(7)), {
      kind: 'ticket',
      ticketNumber: 42,
      via: 'message-id',
    });
    assert.equal(asked.length, 1);
    assert.equal(byId.asked.length, 1);
  });
});
