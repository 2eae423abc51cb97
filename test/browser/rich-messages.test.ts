/**
 * Formatted messages in a real browser against a real Parley (issue 17):
 * - a requester on a 390 px phone, in Spanish, writes with the toolbar and Markdown shortcuts and pastes a
 *   screenshot in place; the portal shows it formatted with the image in place (not as a loose file), the
 *   technician's open desk page (Portuguese) gets it live and again after a reload, and the mail the catcher
 *   received carries the HTML with the image in multipart/related and the text in the text part;
 * - an HTML reply by mail with a pasted screenshot and a remote image is shown in its sandboxed frame with the
 *   screenshot in place, while the test's web server sees no request for the remote image until the technician asks
 *   for it (not even after a reload).
 * Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Browser, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { verified } from '../support/sender.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { draftText, launchBrowser, newContext, screenshot, signIn, startParley, type Parley } from './harness.ts';

let parley: Parley;
let browser: Browser;
let pixels: Server;
const pixelRequests: string[] = [];

/** A 2×2 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFElEQVR4nGP4z8DAAMIM/////w8AH+4F+7C4l8kAAAAASUVORK5CYII=',
  'base64',
);

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  // A web server standing for a sender's tracking pixel: it records every request it gets.
  pixels = createServer((req, res) => {
    pixelRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PNG);
  });
  await new Promise<void>((resolve) => pixels.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await browser?.close();
  await parley?.close();
  pixels?.close();
});

const streamOpened = (page: Page) => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');

/** Pastes a PNG into the focused message box, as a screenshot pasted from the clipboard. */
async function pasteImage(page: Page, name: string, bytes: Buffer) {
  await page.evaluate(
    ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: 'image/png' }));
      const event = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
      document.activeElement!.dispatchEvent(event);
    },
    { name, base64: bytes.toString('base64') },
  );
}

describe('formatted messages in the browser', () => {
  it('a formatted message with a pasted screenshot goes from the portal (phone, es-ES) to the desk (pt-BR) and into the mail', async () => {
    const { world } = parley;
    const portal = await newContext(browser, parley.baseUrl);
    const desk = await newContext(browser, parley.baseUrl);
    try {
      const deskStream = streamOpened(desk.page);
      await signIn(desk.page, world.techB.email);
      await desk.page.getByRole('link', { name: world.ticketB.title }).click();
      await desk.page.getByLabel('Mensagem', { exact: true }).waitFor();
      await deskStream;

      await portal.page.setViewportSize({ width: 390, height: 844 });
      await signIn(portal.page, world.requesterB.email);
      await portal.page.getByRole('link', { name: world.ticketB.title }).click();
      const box = portal.page.getByLabel('Mensaje', { exact: true });
      await box.click();
      const posts: {
        html?: string;
        text?: string;
        attachments?: { name: string; contentId?: string; content: string }[];
      }[] = [];
      portal.page.on('request', (r) => {
        if (r.method() === 'POST' && /\/messages$/.test(new URL(r.url()).pathname))
          posts.push(JSON.parse(r.postData()!));
      });

      // The toolbar: bold on, a word, bold off.
      const bold = portal.page.getByRole('button', { name: 'Negrita', exact: true });
      await bold.click();
      assert.equal(await bold.getAttribute('aria-pressed'), 'true');
      await portal.page.keyboard.type('Urgente');
      await bold.click();
      await portal.page.keyboard.type(': la impresora falla');
      await portal.page.keyboard.press('Enter');
      // Markdown shortcuts: "- " starts a list, `code` is code.
      await portal.page.keyboard.type('- atasco en la bandeja `B2`');
      await portal.page.keyboard.press('Enter');
      await portal.page.keyboard.type('luz roja');
      await portal.page.keyboard.press('Enter');
      await portal.page.keyboard.press('Enter');
      await portal.page.keyboard.type('Captura: ');
      await pasteImage(portal.page, 'captura.png', PNG);
      await box.getByRole('img', { name: 'captura.png' }).waitFor();
      assert.equal(
        (await draftText(box)).trimEnd(),
        'Urgente: la impresora falla\natasco en la bandeja B2\nluz roja\nCaptura:',
      );
      await screenshot(portal.page, 'rich-composer-phone-es-ES');
      await portal.page.getByRole('button', { name: 'Enviar', exact: true }).click();

      const item = portal.page.getByTestId('message').filter({ hasText: 'la impresora falla' });
      await item.waitFor();
      assert.equal(posts.length, 1);
      const sent = posts[0]!;
      assert.equal(sent.text, undefined, 'sent as HTML');
      assert.match(sent.html!, /<strong>Urgente<\/strong>: la impresora falla/);
      assert.match(
        sent.html!,
        /<ul><li><p>atasco en la bandeja <code>B2<\/code><\/p><\/li><li><p>luz roja<\/p><\/li><\/ul>/,
      );
      const cid = /<img src="cid:([^"]+)"/.exec(sent.html!)?.[1];
      assert.ok(cid, `the pasted image named by cid: in ${sent.html}`);
      assert.deepEqual(
        sent.attachments?.map((a) => [a.name, a.contentId, a.content]),
        [['captura.png', cid, PNG.toString('base64')]],
      );
      assert.equal(await draftText(box), '', 'the box is empty again');

      // Shown formatted, the image in place and loaded, not listed as a loose file.
      for (const page of [portal.page, desk.page]) {
        const shown = page.getByTestId('message').filter({ hasText: 'la impresora falla' });
        await shown.locator('strong', { hasText: 'Urgente' }).waitFor();
        assert.equal(await shown.locator('.msg-html li').count(), 2);
        await shown.locator('code', { hasText: 'B2' }).waitFor();
        const img = shown.locator('.msg-html img');
        await page.waitForFunction(
          (el) => (el as HTMLImageElement | null)?.complete && (el as HTMLImageElement).naturalWidth > 0,
          await img.elementHandle(),
        );
        assert.match((await img.getAttribute('src'))!, /^\/api\/v1\/attachments\/[^/]+\/inline$/);
        assert.equal(await shown.getByRole('link', { name: 'captura.png' }).count(), 0, 'not a loose file');
      }
      await screenshot(portal.page, 'rich-message-portal-phone-es-ES');
      // The technician comes back later (reload, HTTP cache on): still formatted, the image still there.
      await desk.page.reload();
      const again = desk.page.getByTestId('message').filter({ hasText: 'la impresora falla' });
      await again.locator('strong', { hasText: 'Urgente' }).waitFor();
      await desk.page.waitForFunction(
        (el) => (el as HTMLImageElement | null)?.complete && (el as HTMLImageElement).naturalWidth > 0,
        await again.locator('.msg-html img').elementHandle(),
      );
      await screenshot(desk.page, 'rich-message-desk-pt-BR');

      // The mail to the technician: HTML with the image by cid: in multipart/related, text in the text part.
      const mail = await waitUntil(async () => {
        for (const m of parley.catcher.list()) {
          const parsed = await simpleParser(m.raw, { keepCidLinks: true });
          if ((parsed.text ?? '').includes('la impresora falla')) return parsed;
        }
        return undefined;
      }, 'the mail to the technician');
      const html = mail.html as string;
      assert.match(html, /<strong>Urgente<\/strong>: la impresora falla/);
      assert.ok(html.includes(`src="cid:${cid}"`), 'the image by its Content-ID');
      const image = mail.attachments.find((a) => a.cid === cid);
      assert.ok(image?.related, 'the image travels in multipart/related');
      assert.ok(Buffer.from(image.content).equals(PNG));
      assert.match(mail.text!, /Urgente: la impresora falla/);
      assert.doesNotMatch(mail.text!, /<strong>/);
      assert.deepEqual(portal.problems, []);
      assert.deepEqual(desk.problems, []);
    } finally {
      await portal.context.close();
      await desk.context.close();
    }
  });

  // threat: Inbound HTML is sanitised with an allow-list and shown in a sandbox; remote images are not fetched by the server.
  it('shows an HTML reply by mail in its frame with its screenshot in place, and loads a remote image only when asked', async () => {
    const { world, deps } = parley;
    const remote = `http://127.0.0.1:${(pixels.address() as AddressInfo).port}/pixel.png?tracking=1`;
    const to = replyAddress(deps.signer, deps.site.mailDomain, world.ticketB.number, world.requesterB.id);
    const raw = verified(
      await new MailComposer({
        from: `"${world.requesterB.name}" <${world.requesterB.email}>`,
        to,
        subject: `RE: [#${world.ticketB.number}] ${world.ticketB.title}`,
        text: 'A impressora voltou a falhar.\n',
        html:
          '<div dir="ltr"><p>A impressora <b>voltou a falhar</b>:</p><p><img src="cid:shot@mail" alt="captura de tela"></p>' +
          `<p><img src="${remote}" alt="logo"></p></div>` +
          '<div class="gmail_quote"><div class="gmail_attr">Em seg., Service Desk escreveu:</div><blockquote class="gmail_quote">TEXTO CITADO</blockquote></div>',
        attachments: [{ filename: 'captura.png', content: PNG, contentType: 'image/png', cid: 'shot@mail' }],
      })
        .compile()
        .build(),
    );
    const id = await receiveMail(deps, {
      raw,
      sha256: createHash('sha256').update(raw).digest('hex'),
      envelopeFrom: world.requesterB.email,
      envelopeTo: [to],
      remoteAddress: '127.0.0.1',
    });
    const done = await processInboundMail(
      { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 100, maxAttempts: 5 } },
      id,
    );
    assert.equal(done?.status, 'posted', done?.reasonText ?? undefined);

    const desk = await newContext(browser, parley.baseUrl);
    try {
      await signIn(desk.page, world.techB.email);
      await desk.page.goto(`/desk/tickets/${world.ticketB.number}`);
      const item = desk.page
        .getByTestId('message')
        .filter({ has: desk.page.locator('iframe.msg-frame') })
        .last();
      const frame = item.frameLocator('iframe.msg-frame');
      await frame.getByText('voltou a falhar').waitFor();
      assert.equal(await frame.getByText('TEXTO CITADO').count(), 0, 'the quote is cut');
      assert.equal(await frame.locator('b', { hasText: 'voltou a falhar' }).count(), 1, 'formatted');
      const shot = frame.locator('img[alt="captura de tela"]');
      await desk.page.waitForFunction(
        (el) => (el as HTMLImageElement | null)?.complete && (el as HTMLImageElement).naturalWidth > 0,
        await shot.elementHandle(),
      );
      assert.equal(await item.getByRole('link', { name: 'captura.png' }).count(), 0, 'shown in place, not listed');
      const sandbox = await item.locator('iframe.msg-frame').getAttribute('sandbox');
      assert.ok(sandbox !== null && !sandbox.includes('allow-scripts'), 'no script runs in the frame');
      const ask = item.getByRole('button', { name: 'Mostrar imagens', exact: true });
      await item.getByText('As imagens da internet nesta mensagem não são carregadas').waitFor();
      assert.equal(await frame.locator('img[alt="logo"]').getAttribute('src'), null);
      assert.deepEqual(pixelRequests, [], 'the remote image was not requested');
      await screenshot(desk.page, 'rich-mail-frame-pt-BR');

      // Back later: still not requested.
      await desk.page.reload();
      await item.frameLocator('iframe.msg-frame').getByText('voltou a falhar').waitFor();
      await desk.page.waitForTimeout(300);
      assert.deepEqual(pixelRequests, [], 'not requested after a reload either');

      await ask.click();
      await waitUntil(() => (pixelRequests.length > 0 ? true : undefined), 'the remote image requested');
      assert.deepEqual(pixelRequests, ['/pixel.png?tracking=1']);
      await item.frameLocator('iframe.msg-frame').locator('img[alt="logo"]').waitFor();
      assert.equal(await ask.count(), 0);
      assert.deepEqual(desk.problems, []);
    } finally {
      await desk.context.close();
    }
  });
});
