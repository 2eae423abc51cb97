import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PresenceSignal } from '../../ports/storage.ts';
import { PRESENCE_TTL_MS, PresenceMap, TYPING_MS } from './presence-map.ts';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const report = (
  at: number,
  over: Partial<PresenceSignal> & Pick<PresenceSignal, 'userId' | 'state'>,
): PresenceSignal => ({
  ticketNumber: 7,
  name: over.userId === 1 ? 'Ana' : 'Bruno',
  tab: 'tab-1',
  expiresAt: new Date(at + PRESENCE_TTL_MS).toISOString(),
  ...over,
});

describe('PresenceMap', () => {
  it('lists who has a ticket open, without the asking person, and forgets a page that left', () => {
    const map = new PresenceMap();
    assert.equal(map.apply(report(T0, { userId: 1, state: 'viewing' }), T0), true);
    assert.equal(map.apply(report(T0, { userId: 2, state: 'viewing' }), T0), true);
    assert.deepEqual(map.people(7, T0), [
      { id: 1, name: 'Ana', typing: false },
      { id: 2, name: 'Bruno', typing: false },
    ]);
    assert.deepEqual(map.people(7, T0, 1), [{ id: 2, name: 'Bruno', typing: false }]);
    assert.deepEqual(map.people(8, T0), [], 'another ticket');
    assert.equal(map.apply(report(T0, { userId: 1, state: 'viewing' }), T0 + 1000), false, 'a refresh changes nothing');
    assert.equal(map.apply(report(T0, { userId: 2, state: 'left' }), T0 + 1000), true);
    assert.deepEqual(map.people(7, T0 + 1000, 1), []);
  });

  it('a report lapses without a refresh, and a refresh keeps it', () => {
    const map = new PresenceMap();
    map.apply(report(T0, { userId: 1, state: 'viewing' }), T0);
    map.apply(report(T0, { userId: 2, state: 'viewing' }), T0);
    const later = T0 + 20_000;
    map.apply(report(later, { userId: 2, state: 'viewing' }), later);
    assert.deepEqual(map.sweep(later, T0 + PRESENCE_TTL_MS - 1), [], 'not lapsed yet');
    assert.deepEqual(map.sweep(T0 + PRESENCE_TTL_MS - 1, T0 + PRESENCE_TTL_MS), [7], 'Ana lapsed');
    assert.deepEqual(map.people(7, T0 + PRESENCE_TTL_MS), [{ id: 2, name: 'Bruno', typing: false }]);
    assert.deepEqual(map.sweep(T0 + PRESENCE_TTL_MS, later + PRESENCE_TTL_MS), [7], 'Bruno lapsed too');
    assert.equal(map.empty, true);
  });

  it('an expiry further than the allowed time is cut to it, and one already past is not kept', () => {
    const map = new PresenceMap();
    map.apply(report(T0, { userId: 1, state: 'viewing', expiresAt: new Date(T0 + 3_600_000).toISOString() }), T0);
    assert.deepEqual(map.sweep(T0, T0 + PRESENCE_TTL_MS), [7]);
    assert.equal(
      map.apply(report(T0, { userId: 2, state: 'viewing', expiresAt: new Date(T0).toISOString() }), T0),
      false,
    );
    assert.equal(map.empty, true);
  });

  it('one person with several tabs is listed once, stays while a tab is open, and is typing when any tab is', () => {
    const map = new PresenceMap();
    map.apply(report(T0, { userId: 2, state: 'viewing', tab: 'a' }), T0);
    assert.equal(map.apply(report(T0, { userId: 2, state: 'viewing', tab: 'b' }), T0), false, 'the same person');
    assert.equal(map.apply(report(T0, { userId: 2, state: 'typing', tab: 'b' }), T0), true);
    assert.deepEqual(map.people(7, T0), [{ id: 2, name: 'Bruno', typing: true }]);
    assert.equal(map.apply(report(T0, { userId: 2, state: 'left', tab: 'a' }), T0), false, 'tab b is still open');
    assert.deepEqual(map.people(7, T0), [{ id: 2, name: 'Bruno', typing: true }]);
    assert.equal(map.apply(report(T0, { userId: 2, state: 'left', tab: 'b' }), T0), true);
    assert.deepEqual(map.people(7, T0), []);
  });

  it('typing ends with a report of viewing, or by itself a while after the last typing report', () => {
    const map = new PresenceMap();
    map.apply(report(T0, { userId: 2, state: 'typing' }), T0);
    assert.deepEqual(map.people(7, T0 + TYPING_MS - 1), [{ id: 2, name: 'Bruno', typing: true }]);
    assert.deepEqual(map.sweep(T0, T0 + TYPING_MS - 1), []);
    assert.deepEqual(map.sweep(T0 + TYPING_MS - 1, T0 + TYPING_MS), [7], 'the typing spell ended');
    assert.deepEqual(map.people(7, T0 + TYPING_MS), [{ id: 2, name: 'Bruno', typing: false }]);
    map.apply(report(T0 + TYPING_MS, { userId: 2, state: 'typing' }), T0 + TYPING_MS);
    assert.equal(map.apply(report(T0 + TYPING_MS, { userId: 2, state: 'viewing' }), T0 + TYPING_MS + 1), true);
    assert.deepEqual(map.people(7, T0 + TYPING_MS + 1), [{ id: 2, name: 'Bruno', typing: false }]);
  });
});
