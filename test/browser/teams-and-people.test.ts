/**
 * Teams, staff and people in a real browser against a real Parley: a requester chooses the team of a new request
 * (GET /groups) and it lands in that team's desk queue; a technician makes a colleague responsible (GET /staff);
 * the language switch is saved as the user's (PATCH /me); an administrator edits and deactivates a user and renames,
 * re-staffs and deletes groups (PATCH /admin/users/{id}, PATCH and DELETE /admin/groups/{id}); a template's test send
 * reaches the mail catcher (POST /admin/email-templates/{id}/test). Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createGroup } from '../../src/domain/users/create-group.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage as withPageIn } from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

let parley: Parley;
let browser: Browser;
let eva: Actor; // an English-speaking requester
let carla: Actor; // Tina's colleague in Group A
let lena: Actor; // switches her language
let dora: Actor; // is deactivated
let spareGroup: number;
let projector: number; // a ticket of Group A

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const { deps, world } = parley;
  const user = async (
    role: string,
    email: string,
    name: string,
    extra: { locale?: string; groupIds?: number[] } = {},
  ) =>
    (await loadActor(
      deps.storage,
      (
        await createUser(deps, CLI_ORIGIN, {
          role,
          email,
          name,
          password: TEST_PASSWORD,
          locale: 'en-US',
          timeZone: 'Europe/London',
          ...extra,
        })
      ).id,
    ))!;
  eva = await user('requester', 'eva@example.test', 'Eva Requester');
  carla = await user('technician', 'carla@example.test', 'Carla Colleague', { groupIds: [world.groupA] });
  lena = await user('requester', 'lena@example.test', 'Lena Linguist');
  dora = await user('requester', 'dora@example.test', 'Dora Departing');
  spareGroup = (await createGroup(deps, CLI_ORIGIN, { name: 'Spare team' })).id;
  projector = (
    await openTicket(deps, eva, {
      title: 'Projector in room 4 is dim',
      description: 'Hard to read slides.',
      groupId: world.groupA,
    })
  ).number;
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

const withPage = (locale: string, body: (page: Page) => Promise<void>) =>
  withPageIn(browser, parley.baseUrl, locale, body);

/** GET /api/v1<path> with the page's session cookie. */
async function apiGet<T>(page: Page, path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (p) => {
    const r = await fetch(`/api/v1${p}`, { headers: { accept: 'application/json' } });
    return { status: r.status, body: await r.json() };
  }, path);
}

describe('teams', () => {
  it('lets a requester choose the team of a new request, which lands in that team’s desk queue', async () => {
    const { world } = parley;
    const title = 'Badge reader rejects my card';
    await withPage('en-US', async (page) => {
      await signIn(page, eva.email);
      await page.getByRole('heading', { name: 'My requests' }).waitFor();
      await page.getByRole('link', { name: 'New request' }).first().click();
      const team = page.getByLabel('Team', { exact: true });
      await team.waitFor();
      // Several teams: none is chosen for the requester, and one must be.
      assert.equal(await team.inputValue(), '');
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Description').fill('Since this morning the door of floor 2 stays shut.');
      await page.getByRole('button', { name: 'Open request' }).click();
      await page.getByText('Choose the team that should handle your request.').waitFor();
      await team.selectOption({ label: 'Group B' });
      await screenshot(page, 'portal-new-team');
      await page.getByRole('button', { name: 'Open request' }).click();
      await page.getByRole('heading', { name: new RegExp(title) }).waitFor();
      const number = Number(/\/portal\/tickets\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);
      assert.equal(
        (await parley.storage.tickets.findTicketByNumber(number))?.groupId,
        world.groupB,
        'sent with groupId',
      );
    });

    // Group B's technician sees it in the queue; Group A's does not.
    await withPage('en-US', async (page) => {
      await signIn(page, world.techB.email);
      await page.getByRole('link', { name: title }).waitFor();
      await page
        .getByRole('row', { name: new RegExp(title) })
        .getByText('Group B')
        .waitFor();
    });
    await withPage('en-US', async (page) => {
      await signIn(page, world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.getByRole('link', { name: world.ticketA.title }).waitFor();
      assert.equal(await page.getByRole('link', { name: title }).count(), 0, "not in another team's queue");
    });
  });

  it('lets a technician make a colleague of the ticket’s team responsible', async () => {
    const { world } = parley;
    await withPage('en-US', async (page) => {
      await signIn(page, world.techA.email);
      await page.getByRole('link', { name: 'Projector in room 4 is dim' }).click();
      const responsible = page.getByLabel('Responsible');
      await responsible.locator('option', { hasText: 'Carla Colleague' }).waitFor({ state: 'attached' });
      // The team first, then everyone else.
      const groups = await responsible
        .locator('optgroup')
        .evaluateAll((els) =>
          els.map((g) => [
            (g as HTMLOptGroupElement).label,
            [...g.querySelectorAll('option')].map((o) => o.textContent),
          ]),
        );
      assert.deepEqual(groups[0], ['Team Group A', ['Carla Colleague', 'Tina Tech (me)']]);
      assert.equal(groups[1]![0], 'Other staff');
      assert.ok((groups[1]![1] as string[]).includes('Bruno Técnico'));
      await responsible.selectOption({ label: 'Carla Colleague' });
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Saved.').waitFor();
      await screenshot(page, 'desk-assign-colleague');
    });
    assert.equal((await parley.storage.tickets.findTicketByNumber(projector))?.responsibleId, carla.id);
  });
});

describe('the language', () => {
  it('is saved as the user’s own when switched: it stays after a reload, in another browser, and in GET /me', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, lena.email);
      await page.getByRole('heading', { name: 'My requests' }).waitFor();
      const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
      await page.getByLabel('Language').selectOption('pt-BR');
      assert.equal((await saved).status(), 200);
      await page.getByRole('heading', { name: 'Minhas solicitações' }).waitFor();
      const me = await apiGet<{ locale: string }>(page, '/me');
      assert.equal(me.body.locale, 'pt-BR');
      await page.reload();
      await page.getByRole('heading', { name: 'Minhas solicitações' }).waitFor();
      await screenshot(page, 'language-saved-pt-BR');
    });
    // A fresh browser (no local preference) in English: the account's language wins once signed in.
    await withPage('en-US', async (page) => {
      await signIn(page, lena.email);
      await page.getByRole('heading', { name: 'Minhas solicitações' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
    });
    assert.equal((await parley.storage.people.findUserById(lena.id))?.locale, 'pt-BR');
  });
});

describe('people and groups in the admin area', () => {
  it('edits a user in a dialog (keyboard included) and deactivates them, who then cannot sign in', async () => {
    const { world } = parley;
    await withPage('en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/users');
      // An admin cannot lock themselves out: the server refuses, and the dialog says why.
      await page.getByRole('button', { name: 'Edit user Alex Admin' }).click();
      const own = page.getByRole('dialog', { name: 'Edit Alex Admin' });
      await own.getByRole('checkbox', { name: /Active/ }).uncheck();
      await own.getByRole('button', { name: 'Save' }).click();
      await own
        .getByText(
          'You cannot deactivate yourself or take away your own administrator role: ask another administrator.',
        )
        .waitFor();
      await page.keyboard.press('Escape');
      await own.waitFor({ state: 'detached' });

      // Keyboard: the Edit button opens the dialog with the focus in the first field; Escape would close it.
      await page.getByRole('button', { name: 'Edit user Dora Departing' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Edit Dora Departing' });
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'edit-user-name');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('Dora Leaving');
      await dialog.getByLabel('Time zone').fill('Nowhere/Atlantis');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.getByText(/Enter a time zone of the IANA database/).waitFor();
      await dialog.getByLabel('Time zone').fill('Europe/Lisbon');
      await dialog.getByLabel('Language').selectOption('es-ES');
      await dialog.getByRole('checkbox', { name: /Active/ }).uncheck();
      await screenshot(page, 'admin-user-edit');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Dora Leaving was saved.').waitFor();
      const row = page.getByRole('row', { name: /Dora Leaving/ });
      await row.getByText('Inactive').waitFor();
      await row.getByText('Español (España)').waitFor();
      await row.getByText('Europe/Lisbon').waitFor();
      await screenshot(page, 'admin-users-edited');
    });
    const stored = await parley.storage.people.findUserById(dora.id);
    assert.equal(stored?.active, false);
    assert.equal(stored?.name, 'Dora Leaving');

    await withPage('en-US', async (page) => {
      await signIn(page, dora.email);
      await page.getByRole('alert').waitFor();
      assert.equal(await page.getByRole('heading', { name: 'My requests' }).count(), 0, 'an inactive user stays out');
      assert.equal(new URL(page.url()).pathname, '/');
    });
  });

  it('renames a group and sets its members, refuses to delete one with tickets, and deletes an empty one', async () => {
    const { world } = parley;
    await withPage('en-US', async (page) => {
      page.on('dialog', (d) => void d.accept());
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/groups');
      await page.getByRole('button', { name: 'Edit group Spare team' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit group Spare team' });
      await dialog.getByLabel('Name').fill('Field support');
      await dialog.getByRole('checkbox', { name: 'Carla Colleague' }).check();
      await screenshot(page, 'admin-group-edit');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Group Field support was saved.').waitFor();
      await page
        .getByRole('row', { name: /Field support/ })
        .getByText('Carla Colleague')
        .waitFor();

      await page.getByRole('button', { name: 'Delete group Group B' }).click();
      await page
        .getByRole('alert')
        .getByText(/This group still has .*tickets?/)
        .waitFor();
      await page.getByRole('alert').getByText('GROUP_IN_USE').waitFor();
      await screenshot(page, 'admin-group-in-use');

      await page.getByRole('button', { name: 'Delete group Field support' }).click();
      await page.getByText('Group Field support was deleted.').waitFor();
      assert.equal(await page.getByRole('row', { name: /Field support/ }).count(), 0);
    });
    assert.equal((await parley.storage.people.findGroup(spareGroup)) ?? null, null);
  });
});

describe('template test send', () => {
  it('renders the saved template against a ticket and sends it through the SMTP account to the catcher', async () => {
    const { world } = parley;
    const to = 'template-test@example.test';
    await withPage('en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto(`/admin/templates/${world.templateId}`);
      await page.getByRole('heading', { name: /^Template: / }).waitFor();
      await page.getByLabel('Recipient address').fill(to);
      await page.getByLabel('Ticket number (optional)').fill(String(world.ticketA.number));
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('.test-send .notice-success').waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'admin-template-test-send');
    });
    await waitUntil(
      () => parley.catcher.list().some((m) => m.to?.includes(to) || m.envelope.to.includes(to)),
      'the test mail reaches the catcher',
    );
    const mail = parley.catcher.list().find((m) => m.to?.includes(to) || m.envelope.to.includes(to))!;
    assert.match(mail.subject, new RegExp(String(world.ticketA.number)));
  });
});
