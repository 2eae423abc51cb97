import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '../users/user.ts';
import { copiesModeOf, mailingsFor, ownAddressTest } from './mailings.ts';

const person = (id: number, email: string, role: User['role'] = 'requester') =>
  ({ id, email, name: `P${id}`, role, active: true, locale: 'en-US', timeZone: 'UTC' }) as User;

const requester = person(1, 'joao@client.example');
const nina = person(2, 'nina@partner.example');
const rita = person(3, 'rita@client.example');
const tech = person(4, 'ana@desk.example', 'technician');
const none = () => false;
const shape = (m: ReturnType<typeof mailingsFor>) => m.map((x) => [x.to.id, x.cc.map((c) => c.id)]);

describe('mailingsFor', () => {
  it('cc: one mail to the requester with the copies in Cc, staff apart', () => {
    assert.deepEqual(shape(mailingsFor([requester, nina, rita], 1, 'cc', none)), [[1, [2, 3]]]);
    assert.deepEqual(shape(mailingsFor([tech, nina, requester, rita], 1, 'cc', none)), [
      [4, []],
      [1, [2, 3]],
    ]);
  });

  it('cc: when the requester wrote (not told), the first copy gets the mail and the others are in Cc', () => {
    assert.deepEqual(shape(mailingsFor([tech, nina, rita], 1, 'cc', none)), [
      [4, []],
      [2, [3]],
    ]);
  });

  it('separate, or one person only: one mail each', () => {
    assert.deepEqual(shape(mailingsFor([requester, nina, rita], 1, 'separate', none)), [
      [1, []],
      [2, []],
      [3, []],
    ]);
    assert.deepEqual(shape(mailingsFor([tech, requester], 1, 'cc', none)), [
      [4, []],
      [1, []],
    ]);
  });

  // threat: A notification copying people in Cc
  it('never copies an address of ours, nor one address twice', () => {
    const ours = ownAddressTest('desk.example', 'Help@Support.example');
    const alias = person(5, 'help@support.example');
    const reply = person(6, 'reply+x@desk.example');
    const twin = person(7, 'NINA@partner.example');
    assert.deepEqual(shape(mailingsFor([requester, alias, nina, reply, twin], 1, 'cc', ours)), [
      [1, [2]],
      [5, []],
      [6, []],
      [7, []],
    ]);
  });

  it('reads an unknown mode as the default, cc', () => {
    assert.equal(copiesModeOf('separate'), 'separate');
    assert.equal(copiesModeOf('bogus'), 'cc');
    assert.equal(copiesModeOf(null), 'cc');
  });
});
