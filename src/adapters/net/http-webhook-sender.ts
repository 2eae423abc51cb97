import { WEBHOOK_SENTENCES } from '../../domain/webhooks/webhook-results.ts';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../../domain/webhooks/private-address.ts';
import {
  WebhookNotSent,
  WebhookWithdrawn,
  type WebhookReply,
  type WebhookRequest,
  type WebhookSender,
} from '../../ports/webhook-sender.ts';
import { webhookSignature } from '../crypto/webhook-signature.ts';
import { AddressRefused, resolveAllowedAddress } from './allowed-address.ts';
import { lookup } from 'node:dns/promises';

const REPLY_CHARS = 200;

/**
 * Webhooks over node:http(s). The host is resolved once, every address checked (link-local and metadata never;
 * loopback and private ones only when the endpoint allows them), and the connection goes to the address checked
 * (TLS still verifies the name). No redirects are followed; the whole exchange has a timeout.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: { timeoutMs: number; userAgent: string }) {}

  async post(r: WebhookRequest): Promise<WebhookReply> {
    const url = new URL(r.url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && r.allowPrivate))
      throw new WebhookNotSent(true, WEBHOOK_SENTENCES.NOT_HTTPS);
    const address = await this.checkedAddress(url.hostname, r.allowPrivate);
    // The lookups may have taken a while: a delivery withdrawn meanwhile is not posted.
    if (r.stillWanted && !r.stillWanted()) throw new WebhookWithdrawn();
    const body = Buffer.from(r.body);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookReply>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          // The checked address, pinned: a second lookup cannot answer differently.
          lookup: (_host, _opts, cb) => cb(null, [{ address, family: isIP(address) }] as never, undefined as never),
          ...(url.protocol === 'https:' ? { servername: isIP(url.hostname) ? undefined : url.hostname } : {}),
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            'user-agent': this.options.userAgent,
            'parley-event-id': r.eventId,
            'parley-event': r.event,
            'parley-signature': webhookSignature(r.secret, r.timestamp, r.body),
          },
          timeout: this.options.timeoutMs,
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < REPLY_CHARS) text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, REPLY_CHARS) }));
          res.on('error', (e) => reject(new WebhookNotSent(false, WEBHOOK_SENTENCES.CLOSED, { cause: e })));
        },
      );
      const timer = setTimeout(
        () => req.destroy(new WebhookNotSent(false, `No answer within ${this.options.timeoutMs / 1000} s.`)),
        this.options.timeoutMs,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () =>
        req.destroy(new WebhookNotSent(false, `No answer within ${this.options.timeoutMs / 1000} s.`)),
      );
      req.on('error', (e) =>
        reject(
          e instanceof WebhookNotSent ? e : new WebhookNotSent(false, `Could not connect: ${e.message}`, { cause: e }),
        ),
      );
      req.end(body);
    });
  }

  private async checkedAddress(host: string, allowPrivate: boolean): Promise<string> {
    let address: string;
    try {
      address = await resolveAllowedAddress(host, 'webhook endpoint');
    } catch (error) {
      if (error instanceof AddressRefused) throw new WebhookNotSent(error.reason === 'forbidden', error.message);
      throw error;
    }
    if (allowPrivate) return address;
    // Every address the name resolves to, as the SMTP host's check does: one private address refuses them all.
    const all =
      isIP(address) && isIP(host.replace(/^\[|\]$/g, ''))
        ? [address]
        : (await lookup(host, { all: true })).map((a) => a.address);
    if (isPrivateAddress(host) || isPrivateAddress(address) || all.some(isPrivateAddress))
      throw new WebhookNotSent(true, WEBHOOK_SENTENCES.PRIVATE);
    return address;
  }
}
