/**
 * Mail put right in a real browser against a real Parley whose SMTP server (the test sink) refuses some addresses
 * with 550: a technician corrects the address of a failed mail from the desk thread and sends it again, and sees the
 * story (the failed mail, "sent again to …", the new mail sent); a requester sees the banner in the portal (pt-BR, then
 * es-ES at phone width), corrects their own address on the account page, and the banner is gone after a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import type { OutboxEntry } from '../../src/domain/notifications/outbox-entry.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

let parley: Parley;
let browser: Browser;
let sink: SmtpSink;

before(async () => {
  [parley, browser, sink] = await Promise.all([startParley(), launchBrowser(), SmtpSink.start()]);
  await saveSmtpAccount(parley.deps, CLI_ORIGIN, parley.world.admin, {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    auth: false,
    from: 'desk@example.test',
    fromName: 'Service Desk',
  });
});

after(async () => {
  await browser?.close();
  await parley?.close();
  await sink?.close();
});

/** A message whose one mail (to the ticket's requester) the sink refuses: resolves once the mail has failed. */
async function failedMail(author: Actor, ticketNumber: number, to: string, text: string): Promise<OutboxEntry> {
  sink.rejectRecipient(to);
  const posted = await postMessage(parley.deps, author, { ticketNumber, text, source: 'desk' });
  const [queued] = await parley.storage.outbox.outboxOfMessages([posted.message.id]);
  assert.equal(queued!.toAddress, to);
  return waitUntil(async () => {
    const entry = (await parley.storage.outbox.findOutboxEntry(queued!.id))!;
    return entry.status === 'failed' ? entry : undefined;
  }, 'the mail to be refused');
}

/** The requester's side: the banner in the portal, the address corrected on the account page, no banner after. */
async function requesterPutsItRight(
  page: Page,
  names: {
    signIn: { email: string; password: string; submit: string };
    banner: string;
    link: string;
    form: string;
    newEmail: string;
    password: string;
    submit: string;
    changed: string;
  },
  requester: Actor,
  ticketNumber: number,
  title: string,
  corrected: string,
) {
  await signIn(page, requester.email, names.signIn);
  const banner = page.getByTestId('mail-trouble');
  await banner.getByText(names.banner).waitFor();
  await page.goto(`/portal/tickets/${ticketNumber}`);
  await banner.getByText(names.banner).waitFor();
  await banner.getByRole('link', { name: names.link }).click();
  const form = page.getByRole('form', { name: names.form });
  await form.getByLabel(names.newEmail, { exact: true }).fill(corrected);
  await form.getByLabel(names.password, { exact: true }).fill(TEST_PASSWORD);
  await form.getByRole('button', { name: names.submit }).click();
  await page.getByText(names.changed).waitFor();
  assert.equal((await parley.storage.people.findUserById(requester.id))!.email, corrected);
  const troubleAnswer = () =>
    page.waitForResponse((r) => r.url().endsWith('/api/v1/me/mail-trouble') && r.request().method() === 'GET');
  // A new page load: what the portal shows after a reload.
  let answered = troubleAnswer();
  await page.goto('/portal');
  assert.deepEqual(await (await answered).json(), { trouble: null });
  await page.getByRole('link', { name: title }).waitFor();
  assert.equal(await banner.count(), 0, 'the banner is about the current address');
  answered = troubleAnswer();
  await page.goto(`/portal/tickets/${ticketNumber}`);
  assert.deepEqual(await (await answered).json(), { trouble: null });
  await page.getByTestId('message').first().waitFor();
  assert.equal(await banner.count(), 0);
}

describe('mail put right', () => {
  it('a technician corrects the address of a refused mail in the desk thread, sends it again and sees the story', async () => {
    const { techA, requesterA, ticketA } = parley.world;
    const old = await failedMail(techA, ticketA.number, requesterA.email, 'Your laptop is ready for pick-up.');
    sink.accept();
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, techA.email);
      await page.goto(`/desk/tickets/${ticketA.number}`);
      const story = page.locator(`[data-testid="mail-story"][data-mail-id="${old.id}"]`);
      await story.getByText(`Email to ${requesterA.email} could not be delivered`).waitFor();
      await story
        .getByRole('button', { name: `Correct the address of ${requesterA.email} and send this email again` })
        .click();
      const address = story.getByLabel('Corrected address', { exact: true });
      assert.equal(await address.inputValue(), requesterA.email, 'prefilled with the address that failed');
      // The same address is refused in words, before anything is sent.
      await story.getByRole('button', { name: 'Send again' }).click();
      await story.getByText('Give the corrected address: the email already went to this one.').waitFor();
      await address.fill('joao@example.test');
      await story.getByRole('button', { name: 'Send again' }).click();
      const resent = story.getByTestId('mail-resent');
      await resent.getByText(/^Sent again to joao@example\.test on /).waitFor();
      await resent.getByText('Email sent to joao@example.test').waitFor();
      await story.getByText(`Email to ${requesterA.email} could not be delivered`).waitFor();
      assert.equal(await story.getByRole('button', { name: /send this email again/ }).count(), 0, 'sent again once');
      await screenshot(page, 'mail-put-right-desk');
    });
    const [entry] = await parley.storage.outbox.resendsOf([old.id]);
    const onWire = sink.accepted.find((m) => m.messageId === entry!.messageIdHeader)!;
    assert.deepEqual(onWire.envelope.rcptTo, ['joao@example.test']);
    const parsed = await simpleParser(onWire.raw);
    assert.notEqual(parsed.messageId, old.messageIdHeader);
    assert.equal(parsed.subject, old.subject);
    assert.equal((await parley.storage.outbox.findOutboxEntry(old.id))!.status, 'failed');
  });

  it('in Portuguese, a requester sees that mail to them bounced, corrects their address and the banner is gone', async () => {
    const { techA, requesterA, ticketA } = parley.world;
    const me = (await parley.storage.people.findUserById(requesterA.id))!;
    await failedMail(techA, ticketA.number, me.email, 'We could not reach you.');
    sink.accept();
    await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
      await requesterPutsItRight(
        page,
        {
          signIn: { email: 'E-mail', password: 'Senha', submit: 'Entrar' },
          banner: `Não conseguimos enviar e-mail para você em ${me.email}: verifique seu endereço.`,
          link: 'Verificar seu endereço',
          form: 'Endereço de e-mail',
          newEmail: 'Novo endereço de e-mail',
          password: 'Sua senha atual, para confirmar',
          submit: 'Mudar endereço de e-mail',
          changed: 'Seu endereço de e-mail agora é joao.m@example.test.',
        },
        { ...requesterA, email: me.email },
        ticketA.number,
        ticketA.title,
        'joao.m@example.test',
      );
    });
  });

  it('in Spanish at phone width, likewise', async () => {
    const { techB, requesterB, ticketB } = parley.world;
    await failedMail(techB, ticketB.number, requesterB.email, 'Le hemos escrito.');
    sink.accept();
    await withPage(browser, parley.baseUrl, 'es-ES', async (page) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await requesterPutsItRight(
        page,
        {
          signIn: { email: 'Correo electrónico', password: 'Contraseña', submit: 'Iniciar sesión' },
          banner: `No hemos podido enviarle correo a ${requesterB.email}: compruebe su dirección.`,
          link: 'Comprobar su dirección',
          form: 'Dirección de correo',
          newEmail: 'Nueva dirección de correo',
          password: 'Su contraseña actual, para confirmar',
          submit: 'Cambiar la dirección de correo',
          changed: 'Su dirección de correo ahora es rita@example.test.',
        },
        requesterB,
        ticketB.number,
        ticketB.title,
        'rita@example.test',
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);
    });
  });
});
