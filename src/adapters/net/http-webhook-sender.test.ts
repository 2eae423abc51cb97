import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { WebhookNotSent, WebhookWithdrawn } from '../../ports/webhook-sender.ts';
import { HttpWebhookSender } from './http-webhook-sender.ts';

describe('HttpWebhookSender', () => {
  it('asks stillWanted once the address is checked: false posts nothing and rejects with WebhookWithdrawn', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const sender = new HttpWebhookSender({ timeoutMs: 5000, userAgent: 'Parley-Test' });
    const base = { url, allowPrivate: true, eventId: 'evt_1', event: 'message.created', body: '{}', secret: 's' };
    const request = (stillWanted: () => boolean) => sender.post({ ...base, timestamp: 1, stillWanted });
    try {
      let asked = 0;
      await assert.rejects(
        request(() => (asked++, false)),
        WebhookWithdrawn,
      );
      assert.equal(asked, 1);
      assert.equal(requests, 0, 'nothing reached the endpoint');
      // Asked only once the address is checked: a refused address is refused without asking.
      await assert.rejects(
        sender.post({
          ...base,
          allowPrivate: false,
          url: url.replace('http:', 'https:'),
          timestamp: 1,
          stillWanted: () => (asked++, true),
        }),
        (e: Error) => e instanceof WebhookNotSent && e.permanent,
      );
      assert.equal(asked, 1);
      assert.equal((await request(() => true)).status, 200);
      assert.equal(requests, 1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
