import assert from 'node:assert/strict';
import { CLI_ORIGIN } from '../audit/audit-entry.ts';
import { describe, it } from 'node:test';
import { sqliteMemory } from '../../../test/support/databases.ts';
import { buildWorld, testDeps } from '../../../test/support/fixtures.ts';
import { DomainError } from '../errors.ts';
import { openTicket } from '../tickets/open-ticket.ts';
import { editUser } from './edit-user.ts';
import { ERASED_TICKET_TITLE, eraseRequester, pseudonymOf } from './erase-requester.ts';
import { isEmailAddress } from './user.ts';

async function scene() {
  const { storage } = await sqliteMemory.open();
  const deps = testDeps(storage);
  const world = await buildWorld(deps, { messaging: false });
  return { deps, storage, world };
}

async function refused(work: Promise<unknown>, code: string): Promise<DomainError> {
  const error = await work.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DomainError, String(error));
  assert.equal(error.code, code);
  return error;
}

describe('pseudonymOf', () => {
  it('is a valid, unique-per-user address on the reserved .invalid domain, and a name without the person in it', () => {
    const a = pseudonymOf(7, '7f3a09c1');
    assert.equal(a.email, 'erased-7@erased.invalid');
    assert.ok(isEmailAddress(a.email), 'passes the address rule users are held to');
    assert.notEqual(pseudonymOf(8, '7f3a09c1').email, a.email);
    assert.equal(a.name, 'Erased requester 7f3a09c1');
  });
});

describe('eraseRequester', () => {
  it('refuses staff, a mistyped confirmation and an unknown user, changing nothing', async () => {
    const { deps, storage, world } = await scene();
    try {
      const staff = await refused(
        eraseRequester(deps, CLI_ORIGIN, world.techA.id, { confirmEmail: world.techA.email }),
        'USER_NOT_ERASABLE',
      );
      assert.match(staff.message, /deactivate/);
      await refused(
        eraseRequester(deps, CLI_ORIGIN, world.admin.id, { confirmEmail: world.admin.email }),
        'USER_NOT_ERASABLE',
      );
      await refused(
        eraseRequester(deps, CLI_ORIGIN, world.requesterA.id, { confirmEmail: world.requesterB.email }),
        'ERASURE_NOT_CONFIRMED',
      );
      await refused(
        eraseRequester(deps, CLI_ORIGIN, 999_999, { confirmEmail: 'nobody@example.test' }),
        'USER_NOT_FOUND',
      );
      const kept = await storage.people.findUserById(world.requesterA.id);
      assert.equal(kept?.name, world.requesterA.name);
      assert.equal(kept?.erasedAt, null);
      assert.equal((await storage.people.findUserById(world.techA.id))?.active, true);
    } finally {
      await storage.close();
    }
  });

  it("pseudonymises the person, replaces their tickets' words, keeps the ticket, and answers a second time clearly", async () => {
    const { deps, storage, world } = await scene();
    try {
      const second = await openTicket(deps, world.requesterA, { title: 'My phone', description: 'Call me at home.' });
      const summary = await eraseRequester(deps, CLI_ORIGIN, world.requesterA.id, {
        confirmEmail: world.requesterA.email.toUpperCase(),
      });
      assert.equal(summary.tickets, 2);
      assert.equal(summary.messages, 0);
      const user = await storage.people.findUserById(world.requesterA.id);
      assert.equal(user?.name, summary.pseudonym);
      assert.equal(user?.email, `erased-${world.requesterA.id}@erased.invalid`);
      assert.equal(user?.active, false);
      assert.equal(user?.erasedAt, summary.erasedAt);
      assert.equal(await storage.people.findUserByEmail(world.requesterA.email), undefined);
      assert.equal((await storage.people.findUserByEmail(user!.email))?.passwordHash, null);
      for (const number of [world.ticketA.number, second.number]) {
        const ticket = await storage.tickets.findTicketByNumber(number);
        assert.equal(ticket?.title, ERASED_TICKET_TITLE);
        assert.equal(ticket?.description, '');
        assert.equal(ticket?.requesterId, world.requesterA.id);
      }
      // Another requester's ticket is untouched.
      assert.equal((await storage.tickets.findTicketByNumber(world.ticketB.number))?.title, world.ticketB.title);

      const again = await refused(
        eraseRequester(deps, CLI_ORIGIN, world.requesterA.id, { confirmEmail: user!.email }),
        'USER_ALREADY_ERASED',
      );
      assert.equal(again.details?.erasedAt, summary.erasedAt);
      // Nothing gives the pseudonym a way back in.
      await refused(
        editUser(deps, CLI_ORIGIN, world.admin, world.requesterA.id, { active: true, password: 'a new password here' }),
        'USER_ALREADY_ERASED',
      );
      assert.equal((await storage.people.findUserById(world.requesterA.id))?.active, false);
    } finally {
      await storage.close();
    }
  });
});
